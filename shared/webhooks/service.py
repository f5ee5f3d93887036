"""Webhook endpoints: CRUD, signing secrets (sealed at rest, rotated with an overlap), the
delivery log, replay and test pings."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.crypto import Sealed, seal, unseal
from shared.db.session import tenant_session
from shared.http.pagination import keyset_page, page_of
from shared.http.problems import Problem, conflict, field_error, not_found
from shared.tenancy.principal import Principal
from shared.webhooks import endpoints as _endpoints_cache  # noqa: F401  (writes bump its version)
from shared.webhooks import schemas
from shared.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

ROTATION_OVERLAP = timedelta(hours=24)


def now() -> datetime:
    return datetime.now(UTC)


# --- secrets ------------------------------------------------------------------------------


def _context(tenant_id: uuid.UUID, endpoint_id: uuid.UUID) -> str:
    return f"webhook-secret:{tenant_id}:{endpoint_id}"


@lru_cache(maxsize=1024)
def _unsealed(ciphertext: bytes, wrapped_key: bytes, key_id: str, context: str) -> str:
    # Keyed by the sealed bytes: a rotated secret is new ciphertext, never a stale hit; with
    # Cloud KMS an unseal is a network call, and every attempt signs.
    return unseal(Sealed(ciphertext, wrapped_key, key_id), context)


def signing_secrets(endpoint: WebhookEndpoint, at: datetime) -> list[str]:
    """The secrets that sign now: the current one, and the previous one within 24 h."""
    context = _context(endpoint.tenant_id, endpoint.id)
    found = [
        _unsealed(
            endpoint.secret_ciphertext,
            endpoint.secret_wrapped_key,
            endpoint.secret_key_id,
            context,
        )
    ]
    if (
        endpoint.previous_secret_ciphertext is not None
        and endpoint.previous_secret_wrapped_key is not None
        and endpoint.previous_secret_key_id is not None
        and endpoint.previous_secret_expires_at is not None
        and endpoint.previous_secret_expires_at > at
    ):
        found.append(
            _unsealed(
                endpoint.previous_secret_ciphertext,
                endpoint.previous_secret_wrapped_key,
                endpoint.previous_secret_key_id,
                context,
            )
        )
    return found


def _set_secret(endpoint: WebhookEndpoint, secret: str) -> None:
    sealed = seal(secret, _context(endpoint.tenant_id, endpoint.id))
    endpoint.secret_ciphertext = sealed.ciphertext
    endpoint.secret_wrapped_key = sealed.wrapped_key
    endpoint.secret_key_id = sealed.master_key_id


# --- endpoints ----------------------------------------------------------------------------


def _out(endpoint: WebhookEndpoint) -> schemas.WebhookEndpointOut:
    rotating = endpoint.previous_secret_expires_at
    return schemas.WebhookEndpointOut(
        id=endpoint.id,
        url=endpoint.url,
        description=endpoint.description,
        event_types=list(endpoint.event_types or []),
        enabled=endpoint.enabled,
        disabled_reason=endpoint.disabled_reason,
        disabled_at=endpoint.disabled_at,
        failing_since=endpoint.failing_since,
        secret_rotating_until=rotating if rotating is not None and rotating > now() else None,
        created_at=endpoint.created_at,
        updated_at=endpoint.updated_at,
    )


def _event_types(types: list[str]) -> list[str]:
    from shared.webhooks.catalogue import subscribable

    unique = list(dict.fromkeys(types))
    if schemas.ALL_EVENTS in unique:
        if len(unique) > 1:
            raise field_error("body.event_types", '"*" already means every event type.')
        return unique
    known = subscribable()
    unknown = [t for t in unique if t not in known]
    if unknown:
        raise field_error(
            "body.event_types",
            f"Unknown event types: {', '.join(unknown)} (see GET /v1/webhook-events).",
            "unknown-event-type",
        )
    return unique


def _reachable(url: str) -> None:
    """Refuse at once a URL whose address we would refuse at send time anyway."""
    from shared.net import ForbiddenAddress, check_url

    try:
        check_url(url)
    except ForbiddenAddress as exc:
        raise field_error("body.url", str(exc), "forbidden-address") from exc


def _get(s: Session, endpoint_id: uuid.UUID, *, lock: bool = False) -> WebhookEndpoint:
    stmt = select(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id)
    endpoint = s.scalar(stmt.with_for_update() if lock else stmt)
    if endpoint is None:
        raise not_found("Webhook endpoint")
    return endpoint


def list_endpoints(principal: Principal) -> schemas.WebhookEndpointList:
    with tenant_session(principal.tenant_id) as s:
        rows = s.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.created_at)).all()
        return schemas.WebhookEndpointList(data=[_out(e) for e in rows])


def create_endpoint(
    principal: Principal, data: schemas.WebhookEndpointIn
) -> schemas.WebhookEndpointCreated:
    event_types = _event_types(data.event_types)
    _reachable(data.url)
    from shared.webhooks.signing import new_secret

    secret = new_secret()
    with tenant_session(principal.tenant_id) as s:
        endpoint = WebhookEndpoint(
            id=uuid.uuid4(),
            tenant_id=principal.tenant_id,
            url=data.url,
            description=data.description,
            event_types=event_types,
            enabled=data.enabled,
        )
        _set_secret(endpoint, secret)
        s.add(endpoint)
        s.flush()
        s.refresh(endpoint)
        return schemas.WebhookEndpointCreated(**_out(endpoint).model_dump(), secret=secret)


def get_endpoint(principal: Principal, endpoint_id: uuid.UUID) -> schemas.WebhookEndpointOut:
    with tenant_session(principal.tenant_id) as s:
        return _out(_get(s, endpoint_id))


def endpoint_out(tenant_id: uuid.UUID, endpoint_id: uuid.UUID) -> schemas.WebhookEndpointOut:
    with tenant_session(tenant_id) as s:
        return _out(_get(s, endpoint_id))


def update_endpoint(
    principal: Principal, endpoint_id: uuid.UUID, data: schemas.WebhookEndpointPatch
) -> schemas.WebhookEndpointOut:
    given = data.model_dump(exclude_unset=True)
    for name in ("url", "event_types", "enabled"):
        if name in given and given[name] is None:
            raise field_error(f"body.{name}", "May not be null.")
    if "event_types" in given:
        given["event_types"] = _event_types(given["event_types"])
    if "url" in given:
        _reachable(given["url"])
    with tenant_session(principal.tenant_id) as s:
        endpoint = _get(s, endpoint_id, lock=True)
        if given.get("enabled") and not endpoint.enabled:
            # Enabled again by a person: a fresh start.
            endpoint.failing_since = None
            endpoint.consecutive_failures = 0
            endpoint.disabled_reason = None
            endpoint.disabled_at = None
        if given.get("enabled") is False and endpoint.enabled:
            endpoint.disabled_reason = "disabled by a user"
            endpoint.disabled_at = now()
        for name, value in given.items():
            setattr(endpoint, name, value)
        s.flush()
        s.refresh(endpoint)
        return _out(endpoint)


def delete_endpoint(principal: Principal, endpoint_id: uuid.UUID) -> None:
    with tenant_session(principal.tenant_id) as s:
        s.delete(_get(s, endpoint_id, lock=True))


def rotate_secret(principal: Principal, endpoint_id: uuid.UUID) -> schemas.WebhookSecretOut:
    """A new secret signs from now on; the current one keeps signing for 24 hours (a
    receiver accepts either while it switches). A second rotation within those 24 hours
    retires the oldest at once."""
    from shared.webhooks.signing import new_secret

    secret = new_secret()
    with tenant_session(principal.tenant_id) as s:
        endpoint = _get(s, endpoint_id, lock=True)
        expires = now() + ROTATION_OVERLAP
        endpoint.previous_secret_ciphertext = endpoint.secret_ciphertext
        endpoint.previous_secret_wrapped_key = endpoint.secret_wrapped_key
        endpoint.previous_secret_key_id = endpoint.secret_key_id
        endpoint.previous_secret_expires_at = expires
        _set_secret(endpoint, secret)
    return schemas.WebhookSecretOut(secret=secret, previous_secret_expires_at=expires)


# --- the delivery log ---------------------------------------------------------------------


def _attempts_of(s: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, list[WebhookAttempt]]:
    found: dict[uuid.UUID, list[WebhookAttempt]] = {i: [] for i in ids}
    if ids:
        rows = s.scalars(
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id.in_(ids))
            .order_by(WebhookAttempt.started_at.desc())
        ).all()
        for row in rows:
            found[row.delivery_id].append(row)
    return found


def delivery_out(
    delivery: WebhookDelivery, attempts: list[WebhookAttempt]
) -> schemas.WebhookDeliveryOut:
    from shared.webhooks.signing import webhook_id

    return schemas.WebhookDeliveryOut(
        id=delivery.id,
        webhook_id=webhook_id(delivery.id),
        endpoint_id=delivery.endpoint_id,
        event_id=delivery.event_id,
        event_type=delivery.event_type,
        status=delivery.status,
        attempts=delivery.attempts,
        next_attempt_at=delivery.next_attempt_at if delivery.status == "pending" else None,
        last_status_code=delivery.last_status_code,
        last_error=delivery.last_error,
        created_at=delivery.created_at,
        delivered_at=delivery.delivered_at,
        payload=delivery.payload,
        attempt_log=[
            schemas.WebhookAttemptOut(
                id=a.id,
                started_at=a.started_at,
                status_code=a.status_code,
                latency_ms=a.latency_ms,
                response_body=a.response_body,
                error=a.error,
                next_retry_at=a.next_retry_at,
            )
            for a in attempts
        ],
    )


def list_deliveries(
    principal: Principal, endpoint_id: uuid.UUID, query: schemas.WebhookDeliveryQuery
) -> schemas.WebhookDeliveryPage:
    with tenant_session(principal.tenant_id) as s:
        _get(s, endpoint_id)
        stmt = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
        if query.status:
            stmt = stmt.where(WebhookDelivery.status == query.status)
        if query.event_type:
            stmt = stmt.where(WebhookDelivery.event_type == query.event_type)
        stmt = keyset_page(stmt, WebhookDelivery.created_at, WebhookDelivery.id, query)
        rows, cursor = page_of(list(s.scalars(stmt).all()), query, "created_at")
        attempts = _attempts_of(s, [r.id for r in rows])
        return schemas.WebhookDeliveryPage(
            data=[delivery_out(r, attempts[r.id]) for r in rows], next_cursor=cursor
        )


def _delivery(s: Session, endpoint_id: uuid.UUID, delivery_id: uuid.UUID) -> WebhookDelivery:
    _get(s, endpoint_id)
    delivery = s.scalar(
        select(WebhookDelivery).where(
            WebhookDelivery.id == delivery_id, WebhookDelivery.endpoint_id == endpoint_id
        )
    )
    if delivery is None:
        raise not_found("Webhook delivery")
    return delivery


def get_delivery(
    principal: Principal, endpoint_id: uuid.UUID, delivery_id: uuid.UUID
) -> schemas.WebhookDeliveryOut:
    with tenant_session(principal.tenant_id) as s:
        delivery = _delivery(s, endpoint_id, delivery_id)
        return delivery_out(delivery, _attempts_of(s, [delivery.id])[delivery.id])


def _require_enabled(endpoint: WebhookEndpoint) -> None:
    if not endpoint.enabled:
        raise conflict(
            "The endpoint is disabled; enable it first (PATCH enabled: true).",
            "endpoint-disabled",
        )


def replay(
    principal: Principal, endpoint_id: uuid.UUID, delivery_id: uuid.UUID
) -> schemas.WebhookDeliveryOut:
    """Send again now, with the same webhook-id and body (a new timestamp and signature).
    A retry that was waiting is superseded by this attempt."""
    from shared.webhooks.delivery import reschedule

    with tenant_session(principal.tenant_id) as s:
        delivery = _delivery(s, endpoint_id, delivery_id)
        s.refresh(delivery, with_for_update=True)
        _require_enabled(_get(s, endpoint_id))
        reschedule(s, delivery, now())
        return delivery_out(delivery, _attempts_of(s, [delivery.id])[delivery.id])


def send_test(principal: Principal, endpoint_id: uuid.UUID) -> schemas.WebhookDeliveryOut:
    """A `ping` event to this endpoint only; follow it in the delivery log."""
    from shared.webhooks.catalogue import PING
    from shared.webhooks.delivery import create_deliveries

    event_id = uuid.uuid4()
    at = now()
    data = schemas.Ping(endpoint_id=endpoint_id, message="Test event from the SMS platform.")
    with tenant_session(principal.tenant_id) as s:
        endpoint = _get(s, endpoint_id)
        _require_enabled(endpoint)
        payload: dict[str, Any] = {
            "type": PING.name,
            "timestamp": at.isoformat(),
            "data": data.model_dump(mode="json"),
        }
        created = create_deliveries(s, principal.tenant_id, [endpoint], event_id, payload)
        if not created:
            raise Problem(500, "internal-error", "Internal error", "The test was not recorded.")
        return delivery_out(created[0], [])
