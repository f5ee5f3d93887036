"""`publish(topic, event)` and `schedule(queue, payload, at=None, key=None)`.

The backend comes from QUEUE_BACKEND: `inline` (local default), `pubsub` + `cloudtasks`
(GCP), or `rabbitmq` (parity adapter). Backends are imported lazily so a function only
pays for the client it uses.
"""

from __future__ import annotations

import importlib
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from shared import registry
from shared.config import get_settings
from shared.queue.base import QueueBackend, TaskHandler, TopicHandler
from shared.queue.events import Envelope, Event

_backend: QueueBackend | None = None
_lock = threading.Lock()


class RegistryDispatcher:
    """Finds consumers in the function registry: a module's `consume` / `run` callable."""

    def topic_handlers(self, topic: str) -> list[TopicHandler]:
        return [
            importlib.import_module(spec.module).consume for spec in registry.consumers_of(topic)
        ]

    def queue_handler(self, queue: str) -> TaskHandler:
        handler: TaskHandler = importlib.import_module(registry.task_target(queue).module).run
        return handler

    def consumer_handler(self, topic: str, function: str) -> TopicHandler:
        """One function's consumer of `topic` (a worker may run some of a topic's
        consumers, as deployed functions each run their own)."""
        for spec in registry.consumers_of(topic):
            if spec.name == function:
                handler: TopicHandler = importlib.import_module(spec.module).consume
                return handler
        raise LookupError(f"{function} does not consume {topic}")


def build_backend(name: str) -> QueueBackend:
    if name == "inline":
        from shared.queue.inline import InlineBackend

        # Throttled sends may wait up to a second in place: sleeping threads are cheap.
        return InlineBackend(RegistryDispatcher(), workers=32)
    if name == "pubsub":
        from shared.queue.gcp import GcpBackend
        from shared.queue.topology import ensure_local_topology

        settings = get_settings()
        if settings.pubsub_emulator_host or settings.cloud_tasks_api_endpoint:
            ensure_local_topology(settings)  # emulators start empty; Terraform's job in GCP
        return GcpBackend.from_settings(settings)
    if name == "rabbitmq":
        from shared.queue.rabbitmq import RabbitBackend

        return RabbitBackend.from_settings()
    raise ValueError(f"queue backend {name!r} is not available yet")


def get_backend() -> QueueBackend:
    global _backend
    if _backend is None:
        with _lock:
            if _backend is None:
                _backend = build_backend(get_settings().queue_backend)
    return _backend


def set_backend(backend: QueueBackend | None) -> None:
    """Swap the process backend (tests, the local launcher)."""
    global _backend
    with _lock:
        if _backend is not None and _backend is not backend:
            _backend.close()
        _backend = backend


def publish(topic: str, event: Event, *, tenant_id: uuid.UUID | None = None) -> Envelope:
    envelope = Envelope.wrap(event, tenant_id)
    get_backend().publish(topic, envelope)
    return envelope


def publish_many(topic: str, events: Sequence[Event]) -> None:
    """`publish` each, in as few round trips as the backend can (a batch of callbacks)."""
    if events:
        get_backend().publish_many(topic, [Envelope.wrap(e) for e in events])


def publish_on_commit(session: Any, topic: str, event: Event) -> None:
    """Publish `event` once `session`'s transaction commits (never if it rolls back): the
    event is written where the state changes, and no consumer reads the state before it is
    there."""
    _on_commit(session, lambda: publish(topic, event))


def schedule_on_commit(
    session: Any,
    queue: str,
    payload: Mapping[str, Any],
    at: datetime | None = None,
    key: str | None = None,
) -> None:
    """`schedule` once `session`'s transaction commits (never if it rolls back)."""
    _on_commit(session, lambda: schedule(queue, payload, at=at, key=key))


_ON_COMMIT = "queue_on_commit"


def _current_transaction(session: Any) -> Any:
    return session.get_nested_transaction() or session.get_transaction()


def _on_commit(session: Any, action: Callable[[], Any]) -> None:
    """Actions wait for the transaction they were registered in. A savepoint that commits
    hands them to its parent (SQLAlchemy's after_commit also fires on a savepoint's
    release, when nothing is visible to other connections yet); one that rolls back drops
    them; only the outermost commit runs them."""
    pending: dict[Any, list[Callable[[], Any]]] | None = session.info.get(_ON_COMMIT)
    if pending is None:
        from sqlalchemy import event as sa_event

        pending = session.info[_ON_COMMIT] = {}
        sa_event.listen(session, "after_commit", _run_pending)
        sa_event.listen(session, "after_rollback", _drop_pending)
        sa_event.listen(session, "after_transaction_end", _forget_ended)
    pending.setdefault(_current_transaction(session), []).append(action)


def _run_pending(session: Any) -> None:
    pending = session.info.get(_ON_COMMIT) or {}
    transaction = _current_transaction(session)
    actions = pending.pop(transaction, [])
    if transaction.nested:
        pending.setdefault(transaction.parent, []).extend(actions)
        return
    for action in actions:
        action()


def _drop_pending(session: Any) -> None:
    (session.info.get(_ON_COMMIT) or {}).pop(_current_transaction(session), None)


def _forget_ended(session: Any, transaction: Any) -> None:
    """Whatever an ended outermost transaction did not run belongs to a rollback."""
    if transaction.parent is None:
        (session.info.get(_ON_COMMIT) or {}).clear()


def schedule(
    queue: str,
    payload: Mapping[str, Any],
    at: datetime | None = None,
    key: str | None = None,
) -> bool:
    return get_backend().schedule(queue, payload, at=at, key=key)
