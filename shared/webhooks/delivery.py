"""Delivering webhooks: fan-out of internal events, one signed attempt per task, retries.

- `fan_out` (the webhook-fanout consumer): an internal event becomes public events (the
  catalogue); each is written once per matching endpoint as a delivery whose id derives from
  (event, endpoint), so a redelivered internal event finds the same rows and schedules only
  what has not started. That id is the receiver's `webhook-id`.
- `attempt` (the webhook-sender task): one POST of the stored body, signed now, to an
  address checked now (shared.net), 15 s timeout, no redirects. Only 2xx succeeds. The
  task may run again after a crash: it is the same attempt with the same webhook-id
  (at-least-once). A task carries the delivery's `seq`; one whose number is no longer the
  delivery's is a stale duplicate and does nothing.
- Failures retry after about 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (±20 % jitter;
  WEBHOOK_RETRY_SCALE compresses it), or later when the receiver's Retry-After says so.
  410 Gone disables the endpoint at once; so do 5 days of failures without a success. A
  disabled endpoint records `endpoint.disabled` (an event its workspace can subscribe to)
  and its admins are emailed.
- At most WEBHOOK_MAX_IN_FLIGHT requests per endpoint at once (a Redis lease set): one
  slow receiver holds its own slots, not the workers.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from shared.config import get_settings
from shared.db.session import tenant_session
from shared.http.problems import Problem
from shared.queue.events import Envelope
from shared.webhooks.endpoints import Target, enabled_targets
from shared.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

log = logging.getLogger("webhooks")

QUEUE = "webhooks"
SCHEDULE_SECONDS = (5, 300, 1800, 7200, 18000, 36000, 36000)
FAILURE_WINDOW = timedelta(days=5)
RETRY_AFTER_CAP_SECONDS = 24 * 3600
RESPONSE_BYTES = 2048
USER_AGENT = "SMS-Platform-Webhooks/1.0 (+https://www.standardwebhooks.com)"


def now() -> datetime:
    return datetime.now(UTC)


def delivery_id_for(event_id: uuid.UUID, endpoint_id: uuid.UUID) -> uuid.UUID:
    return uuid.uuid5(event_id, str(endpoint_id))


def _task(tenant_id: uuid.UUID, delivery_id: uuid.UUID, seq: int) -> dict[str, Any]:
    return {"tenant_id": str(tenant_id), "delivery_id": str(delivery_id), "seq": seq}


# --- fan-out ------------------------------------------------------------------------------


def fan_out(envelope: Envelope) -> int:
    """Deliveries for the public events of one internal event. Returns how many are new."""
    from shared.webhooks.events import EndpointDisabled

    tenant_id = envelope.tenant_id
    if tenant_id is None:
        return 0
    if envelope.type == EndpointDisabled.event_type:
        notify_admins(tenant_id, EndpointDisabled.model_validate(envelope.data))
    # Most workspaces have no endpoint: known from memory (one Redis GET), before anything
    # else is loaded.
    endpoints = enabled_targets(tenant_id)
    if not endpoints:
        return 0
    from shared.webhooks.catalogue import for_internal  # registers the internal event types

    event = envelope.event()
    publics = for_internal(event)
    created = 0
    for public in publics:
        targets = [e for e in endpoints if e.wants(public.name)]
        if not targets or public.load is None:
            continue
        try:
            data = public.load(tenant_id, event)
        except Problem as exc:  # the object is gone (erased, deleted): nothing to show
            log.info("no %s for event %s: %s", public.name, envelope.id, exc.detail)
            continue
        payload = {
            "type": public.name,
            "timestamp": envelope.occurred_at.isoformat(),
            "data": data.model_dump(mode="json"),
        }
        event_id = uuid.uuid5(envelope.id, public.name)  # stable across redeliveries
        with tenant_session(tenant_id) as s:
            created += len(create_deliveries(s, tenant_id, targets, event_id, payload))
    return created


def create_deliveries(
    s: Session,
    tenant_id: uuid.UUID,
    endpoints: Sequence[Target | WebhookEndpoint],
    event_id: uuid.UUID,
    payload: dict[str, Any],
) -> list[WebhookDelivery]:
    """One delivery per endpoint (existing ones kept), and a first attempt for each that has
    not started, scheduled once the transaction commits."""
    from shared.queue import schedule_on_commit

    at = now()
    rows = [
        {
            "id": delivery_id_for(event_id, e.id),
            "tenant_id": tenant_id,
            "endpoint_id": e.id,
            "event_id": event_id,
            "event_type": payload["type"],
            "payload": payload,
            "status": "pending",
            "next_attempt_at": at,
        }
        for e in endpoints
    ]
    s.execute(insert(WebhookDelivery).values(rows).on_conflict_do_nothing())
    fresh = list(
        s.scalars(
            select(WebhookDelivery).where(
                WebhookDelivery.id.in_([r["id"] for r in rows]),
                WebhookDelivery.status == "pending",
                WebhookDelivery.seq == 0,
            )
        ).all()
    )
    for d in fresh:
        # Keyed: a redelivered event schedules nothing twice.
        schedule_on_commit(s, QUEUE, _task(tenant_id, d.id, 0), key=f"webhook-{d.id}-0")
    return fresh


def reschedule(s: Session, delivery: WebhookDelivery, at: datetime) -> None:
    """Supersede any waiting task with one at `at` (the delivery row is locked by `s`).

    Scheduled before the commit, without a key: if the commit fails, that task finds a seq
    it does not carry and does nothing, and the caller's task runs again."""
    from shared.queue import schedule

    delivery.seq += 1
    delivery.status = "pending"
    delivery.next_attempt_at = at
    schedule(QUEUE, _task(delivery.tenant_id, delivery.id, delivery.seq), at=at)


# --- one attempt ----------------------------------------------------------------------------


@dataclass
class Outcome:
    status_code: int | None = None
    latency_ms: int | None = None
    body: str | None = None
    error: str | None = None
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def gone(self) -> bool:
        return self.status_code == 410


def attempt(tenant_id: uuid.UUID, delivery_id: uuid.UUID, seq: int) -> str:
    """The webhook-sender task. Returns what happened (for logs and tests)."""
    started = now()
    with tenant_session(tenant_id) as s:
        delivery = s.get(WebhookDelivery, delivery_id, with_for_update=True)
        if delivery is None:
            return "gone"
        if delivery.status != "pending" or delivery.seq != seq:
            return "stale"
        endpoint = s.get_one(WebhookEndpoint, delivery.endpoint_id)
        if not endpoint.enabled:
            delivery.status = "failed"
            delivery.last_error = "endpoint disabled"
            return "endpoint-disabled"
        from shared.webhooks.service import signing_secrets

        url, endpoint_id = endpoint.url, endpoint.id
        secrets = signing_secrets(endpoint, started)
        body = json.dumps(delivery.payload, separators=(",", ":")).encode()
    lease = _slots().acquire(endpoint_id)
    if lease is None:
        from shared.queue import schedule

        # The endpoint has its fill of requests in flight: come back shortly (same seq).
        schedule(
            QUEUE,
            _task(tenant_id, delivery_id, seq),
            at=now() + timedelta(seconds=random.uniform(0.2, 1.0)),
        )
        return "waiting"
    try:
        from shared.webhooks.signing import webhook_id

        outcome = post(url, webhook_id(delivery_id), body, secrets)
    finally:
        _slots().release(endpoint_id, lease)
    return record(tenant_id, delivery_id, seq, started, outcome)


def _retry_delay(attempts: int, outcome: Outcome) -> float | None:
    """Seconds until the next attempt after `attempts` failures, or None: no more."""
    if attempts > len(SCHEDULE_SECONDS):
        return None
    delay = SCHEDULE_SECONDS[attempts - 1] * get_settings().webhook_retry_scale
    delay *= random.uniform(0.8, 1.2)
    if outcome.retry_after is not None:
        delay = max(delay, min(outcome.retry_after, RETRY_AFTER_CAP_SECONDS))
    return delay


def record(
    tenant_id: uuid.UUID, delivery_id: uuid.UUID, seq: int, started: datetime, outcome: Outcome
) -> str:
    from shared.queue import publish_on_commit
    from shared.webhooks.events import EndpointDisabled

    with tenant_session(tenant_id) as s:
        delivery = s.get(WebhookDelivery, delivery_id, with_for_update=True)
        if delivery is None:
            return "gone"
        log_row = WebhookAttempt(
            tenant_id=tenant_id,
            delivery_id=delivery_id,
            started_at=started,
            status_code=outcome.status_code,
            latency_ms=outcome.latency_ms,
            response_body=outcome.body,
            error=outcome.error,
        )
        s.add(log_row)
        if delivery.status != "pending" or delivery.seq != seq:
            return "superseded"  # a replay went meanwhile; this attempt is logged all the same
        delivery.attempts += 1
        delivery.last_status_code = outcome.status_code
        delivery.last_error = outcome.error
        if outcome.ok:
            delivery.status = "succeeded"
            delivery.delivered_at = now()
            delivery.next_attempt_at = None
            # Only an endpoint that was failing is written (and locked): successes to a
            # healthy endpoint do not queue on its row.
            s.execute(
                update(WebhookEndpoint)
                .where(
                    WebhookEndpoint.id == delivery.endpoint_id,
                    WebhookEndpoint.consecutive_failures != 0,
                )
                .values(failing_since=None, consecutive_failures=0)
            )
            return "succeeded"
        endpoint = s.get_one(WebhookEndpoint, delivery.endpoint_id, with_for_update=True)
        endpoint.consecutive_failures += 1
        endpoint.failing_since = endpoint.failing_since or started
        window = FAILURE_WINDOW * get_settings().webhook_retry_scale
        reason: str | None = None
        if outcome.gone:
            reason = "the endpoint answered 410 Gone"
        elif now() - endpoint.failing_since >= window:
            reason = "every attempt failed for 5 days"
        if reason is not None and endpoint.enabled:
            endpoint.enabled = False
            endpoint.disabled_reason = reason
            endpoint.disabled_at = now()
            publish_on_commit(
                s,
                "endpoint.disabled",
                EndpointDisabled(tenant_id=tenant_id, endpoint_id=endpoint.id, reason=reason),
            )
        delay = None if reason is not None else _retry_delay(delivery.attempts, outcome)
        if delay is None:
            delivery.status = "failed"
            delivery.next_attempt_at = None
            return "disabled" if reason is not None else "failed"
        log_row.next_retry_at = now() + timedelta(seconds=delay)
        reschedule(s, delivery, log_row.next_retry_at)
        return "retrying"


# --- the request ----------------------------------------------------------------------------


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, (parsedate_to_datetime(value) - now()).total_seconds())
    except (TypeError, ValueError):
        return None


_clients: dict[tuple[str, str, int, float], Any] = {}
_clients_lock = threading.Lock()
_MAX_CLIENTS = 256


def _client(scheme: str, host: str, port: int) -> Any:
    """One pooled client per receiver host: a kept-alive connection is only ever reused
    for the name whose certificate it checked."""
    import httpx

    timeout = get_settings().webhook_timeout_seconds
    key = (scheme, host, port, timeout)
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            if len(_clients) >= _MAX_CLIENTS:
                _clients.pop(next(iter(_clients))).close()
            client = _clients[key] = httpx.Client(
                timeout=httpx.Timeout(timeout),
                follow_redirects=False,
                trust_env=False,  # never through a proxy from the environment
                limits=httpx.Limits(max_connections=32, max_keepalive_connections=8),
            )
        return client


def post(url: str, msg_id: str, body: bytes, secrets: list[str]) -> Outcome:
    """One signed POST to an address checked now. Never raises for the receiver's faults."""
    import httpx

    from shared.net import ForbiddenAddress, Unresolvable, resolve_target
    from shared.webhooks.signing import headers

    try:
        target = resolve_target(url)
    except ForbiddenAddress as exc:
        return Outcome(error=f"refused: {exc}")
    except Unresolvable as exc:
        return Outcome(error=str(exc))
    except ValueError as exc:
        return Outcome(error=f"invalid URL: {exc}")
    request_headers = {
        "host": target.host_header,
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        **headers(msg_id, now(), body, secrets),
    }
    extensions = {"sni_hostname": target.host} if target.url.scheme == "https" else {}
    client = _client(target.url.scheme, target.host, target.port)
    start = time.perf_counter()
    try:
        with client.stream(
            "POST",
            target.address_url,
            content=body,
            headers=request_headers,
            extensions=extensions,
        ) as response:
            received = b""
            for chunk in response.iter_bytes():
                received += chunk
                if len(received) >= RESPONSE_BYTES:
                    break
            latency = int((time.perf_counter() - start) * 1000)
            text = received[:RESPONSE_BYTES].decode("utf-8", errors="replace")
            outcome = Outcome(response.status_code, latency, text)
            if 300 <= response.status_code < 400:
                location = response.headers.get("location", "")
                outcome.error = f"redirect not followed (to {location[:200]})"
            elif not outcome.ok:
                outcome.error = f"HTTP {response.status_code}"
                outcome.retry_after = _retry_after(response.headers.get("retry-after"))
            return outcome
    except httpx.TimeoutException:
        seconds = get_settings().webhook_timeout_seconds
        return Outcome(
            latency_ms=int((time.perf_counter() - start) * 1000),
            error=f"timeout after {seconds:g} s",
        )
    except httpx.HTTPError as exc:
        return Outcome(
            latency_ms=int((time.perf_counter() - start) * 1000),
            error=f"{type(exc).__name__}: {exc}"[:500],
        )


# --- per-endpoint concurrency -----------------------------------------------------------------

_ACQUIRE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
  return 1
end
return 0
"""


class _Slots:
    """Leases in a Redis sorted set per endpoint, scored by expiry: a worker that dies
    holding one gives it back when its lease runs out."""

    def __init__(self) -> None:
        self._script: Any = None

    def _key(self, endpoint_id: uuid.UUID) -> str:
        return f"webhooks:in-flight:{endpoint_id}"

    def acquire(self, endpoint_id: uuid.UUID) -> str | None:
        from shared.cache import get_redis

        redis = get_redis()
        if self._script is None:
            self._script = redis.register_script(_ACQUIRE)
        settings = get_settings()
        lease_ms = int((settings.webhook_timeout_seconds + 30) * 1000)
        now_ms = int(time.time() * 1000)
        token = uuid.uuid4().hex
        got = self._script(
            keys=[self._key(endpoint_id)],
            args=[now_ms, now_ms + lease_ms, settings.webhook_max_in_flight, token, lease_ms],
        )
        return token if got == 1 else None

    def release(self, endpoint_id: uuid.UUID, token: str) -> None:
        from shared.cache import get_redis

        try:
            get_redis().zrem(self._key(endpoint_id), token)
        except Exception:  # the lease expires by itself
            log.warning("could not release a webhook slot", exc_info=True)


_slot_pool = _Slots()


def _slots() -> _Slots:
    return _slot_pool


# --- the admins' email ----------------------------------------------------------------------


def notify_admins(tenant_id: uuid.UUID, event: Any) -> None:
    """Email the workspace's owners and admins that an endpoint was disabled."""
    from shared.db.session import system_session
    from shared.notifications.outbox import dispatch, queue_email
    from shared.tenancy.models import Membership, Tenant, User

    with system_session() as s:
        endpoint = s.get(WebhookEndpoint, event.endpoint_id)
        tenant = s.get(Tenant, tenant_id)
        if endpoint is None or tenant is None:
            return
        emails = s.scalars(
            select(User.email)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.tenant_id == tenant_id, Membership.role.in_(("owner", "admin")))
        ).all()
        link = f"{get_settings().app_base_url}/settings/webhooks"
        body = (
            f"The webhook endpoint {endpoint.url} of {tenant.name} was disabled: "
            f"{event.reason}.\n\nNo events are sent to it until it is enabled again "
            f"({link}). Deliveries that failed can be replayed from its delivery log.\n"
        )
        ids = [
            queue_email(
                s,
                email,
                f"Webhook endpoint disabled: {endpoint.url[:80]}",
                body,
                tenant_id=tenant.id,
            )
            for email in emails
        ]
    dispatch(ids)
