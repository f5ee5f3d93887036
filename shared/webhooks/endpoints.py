"""The enabled endpoints of a workspace, as the fan-out needs them, cached per process.

The fan-out runs for every internal event (two or three per message sent) and most
workspaces have no endpoint: a database transaction per event to find that out was a fifth
of a campaign sender's CPU. So the list is kept in memory, tagged with a per-workspace
version in Redis: any ORM write that adds, removes, enables, disables or re-subscribes an
endpoint bumps the version once its transaction commits (and drops the writer's own copy at
once). Another process's copy is trusted for TRUST_SECONDS, then used only while its
version is current (one GET), and never longer than MAX_AGE_SECONDS (a backstop for writes
outside the ORM). So a change reaches every process within about a second.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from shared.cache import get_redis
from shared.db.session import tenant_session
from shared.webhooks.models import WebhookEndpoint

TRUST_SECONDS = 1.0
MAX_AGE_SECONDS = 30.0
_WATCHED = ("enabled", "event_types")


@dataclass(frozen=True)
class Target:
    """What the fan-out reads of an endpoint: who it is and what it subscribed to."""

    id: uuid.UUID
    event_types: tuple[str, ...]

    def wants(self, event_type: str) -> bool:
        return "*" in self.event_types or event_type in self.event_types


def _version_key(tenant_id: uuid.UUID) -> str:
    return f"webhooks:endpoints:v:{tenant_id}"


# workspace -> (version, loaded at, version last checked at, targets)
_cache: dict[uuid.UUID, tuple[object, float, float, tuple[Target, ...]]] = {}
_lock = threading.Lock()


def enabled_targets(tenant_id: uuid.UUID) -> tuple[Target, ...]:
    with _lock:
        cached = _cache.get(tenant_id)
    if cached is not None and time.monotonic() - cached[2] < TRUST_SECONDS:
        return cached[3]
    version = get_redis().get(_version_key(tenant_id))
    current = cached is not None and cached[0] == version
    if cached is not None and current and time.monotonic() - cached[1] < MAX_AGE_SECONDS:
        with _lock:
            _cache[tenant_id] = (version, cached[1], time.monotonic(), cached[3])
        return cached[3]
    with tenant_session(tenant_id) as s:
        rows = s.execute(
            select(WebhookEndpoint.id, WebhookEndpoint.event_types).where(WebhookEndpoint.enabled)
        ).all()
    targets = tuple(Target(r.id, tuple(r.event_types or ())) for r in rows)
    at = time.monotonic()
    with _lock:
        _cache[tenant_id] = (version, at, at, targets)
    return targets


def forget(tenant_ids: set[uuid.UUID]) -> None:
    """The endpoints of these workspaces changed (committed): every process reloads them."""
    if tenant_ids:
        pipe = get_redis().pipeline(transaction=False)
        for tenant_id in tenant_ids:
            pipe.incr(_version_key(tenant_id))
            pipe.expire(_version_key(tenant_id), 7 * 24 * 3600)
        pipe.execute()
    with _lock:
        for tenant_id in tenant_ids:
            _cache.pop(tenant_id, None)


# --- the version follows every ORM write of an endpoint ---------------------------------

_PENDING = "webhook_endpoint_tenants"


def _changed(session: Session, target: WebhookEndpoint) -> None:
    session.info.setdefault(_PENDING, set()).add(target.tenant_id)


@event.listens_for(Session, "before_flush")
def _note_changes(session: Session, _context: Any, _instances: Any) -> None:
    for obj in session.new:
        if isinstance(obj, WebhookEndpoint):
            _changed(session, obj)
    for obj in session.deleted:
        if isinstance(obj, WebhookEndpoint):
            _changed(session, obj)
    for obj in session.dirty:
        if isinstance(obj, WebhookEndpoint):
            state = inspect(obj)
            if any(state.attrs[name].history.has_changes() for name in _WATCHED):
                _changed(session, obj)


@event.listens_for(Session, "after_commit")
def _bump_after_commit(session: Session) -> None:
    tenants = session.info.pop(_PENDING, None)
    if tenants:
        forget(tenants)


@event.listens_for(Session, "after_rollback")
def _drop_on_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)
