"""The single-send path: every outbound SMS (API, inbox, AI, campaigns, keyword replies).

1. `queue_message` records the message as `queued` (opt-out checked, sender chosen).
2. `deliver` claims it with a conditional UPDATE (queued → sending) and commits the claim
   before calling the provider, so a duplicate task is a no-op and a crash leaves the
   message in `sending`, to be reconciled against the provider, never blindly resent.
3. The provider's answer is recorded: the provider id (status stays `sending` until the
   callbacks move it on), a permanent failure, a transient one (back to `queued` and
   retried later through the queue), or an unknown outcome (left for reconciliation).
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import phonenumbers
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from shared.billing.plans import plan_mps
from shared.cache import get_redis
from shared.config import get_settings
from shared.contacts.models import ConsentEvent, Contact
from shared.conversations.models import Conversation
from shared.db.session import tenant_session
from shared.http.problems import conflict, field_error, not_found
from shared.messaging import schemas, throttle
from shared.messaging.accounts import messaging_service_sid, provider_for
from shared.messaging.events import ContactOptedOut
from shared.messaging.models import Message, NumberPoolMember, PhoneNumber, TwilioConfig
from shared.messaging.numbers import webhook_urls
from shared.providers.sms import OPTED_OUT_CODE, Outcome, ProviderError
from shared.templates.segments import analyze
from shared.tenancy.models import Tenant
from shared.tenancy.principal import Principal

log = logging.getLogger("sending")
SEND_QUEUE = "sends"
MAX_TRANSIENT_ATTEMPTS = 6
MAX_INLINE_WAIT_SECONDS = 1.0


def now() -> datetime:
    return datetime.now(UTC)


def normalize_phone(raw: str, region: str = "US") -> str | None:
    """E.164, or None when the number is not a valid one."""
    try:
        parsed = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def find_or_create_contact(s: Session, tenant_id: uuid.UUID, phone: str) -> Contact:
    s.execute(
        insert(Contact)
        .values(tenant_id=tenant_id, phone=phone)
        .on_conflict_do_nothing(index_elements=["tenant_id", "phone"])
    )
    return s.execute(select(Contact).where(Contact.phone == phone)).scalar_one()


def conversation_for(s: Session, tenant_id: uuid.UUID, contact: Contact) -> Conversation:
    s.execute(
        insert(Conversation)
        .values(tenant_id=tenant_id, contact_id=contact.id)
        .on_conflict_do_nothing(index_elements=["tenant_id", "contact_id"])
    )
    return s.execute(select(Conversation).where(Conversation.contact_id == contact.id)).scalar_one()


def _active(s: Session, number_id: uuid.UUID | None) -> PhoneNumber | None:
    if number_id is None:
        return None
    number = s.get(PhoneNumber, number_id)
    return number if number is not None and number.status == "active" else None


def choose_sender(
    s: Session,
    conversation: Conversation,
    from_number_id: uuid.UUID | None = None,
    pool_id: uuid.UUID | None = None,
) -> PhoneNumber:
    """The explicit number, else the thread's number (sticky), else a pool's or any active one."""
    if from_number_id is not None:
        number = _active(s, from_number_id)
        if number is None:
            raise field_error("body.from_number_id", "No active number with this id.")
        return number
    sticky = _active(s, conversation.number_id)
    if pool_id is not None:
        members = select(NumberPoolMember.number_id).where(NumberPoolMember.pool_id == pool_id)
        if sticky is not None and s.scalar(members.where(NumberPoolMember.number_id == sticky.id)):
            return sticky
        number = s.scalar(
            select(PhoneNumber)
            .where(PhoneNumber.id.in_(members), PhoneNumber.status == "active")
            .order_by(PhoneNumber.phone_number)
            .limit(1)
        )
        if number is None:
            raise conflict("The pool has no active number.", "no-sender-number")
        return number
    if sticky is not None:
        return sticky
    number = s.scalar(
        select(PhoneNumber)
        .where(PhoneNumber.status == "active")
        .order_by(PhoneNumber.created_at)
        .limit(1)
    )
    if number is None:
        raise conflict("The workspace has no active number to send from.", "no-sender-number")
    return number


def new_outbound(
    s: Session,
    tenant_id: uuid.UUID,
    contact: Contact,
    conversation: Conversation,
    number: PhoneNumber,
    body: str,
    *,
    sender_type: str,
    user_id: uuid.UUID | None = None,
    campaign_id: uuid.UUID | None = None,
    priority: int = 0,
    media_urls: list[str] | None = None,
    idempotency_key: str | None = None,
) -> Message:
    info = analyze(body)
    message = Message(
        id=uuid.uuid4(),
        tenant_id=tenant_id,
        conversation_id=conversation.id,
        contact_id=contact.id,
        campaign_id=campaign_id,
        number_id=number.id,
        direction="outbound",
        sender_type=sender_type,
        sent_by_user_id=user_id,
        from_number=number.phone_number,
        to_number=contact.phone,
        body=body,
        media_urls={"urls": media_urls} if media_urls else None,
        segments=info.segments,
        encoding=info.encoding,
        status="queued",
        priority=priority,
        provider=number.provider,
        idempotency_key=idempotency_key,
        queued_at=now(),
    )
    s.add(message)
    if conversation.number_id is None:
        conversation.number_id = number.id  # the contact keeps hearing from this number
    conversation.last_message_at = message.queued_at
    conversation.last_message_preview = body[:200]
    return message


def send_message(
    principal: Principal, data: schemas.SendIn, idempotency_key: str | None = None
) -> tuple[schemas.MessageOut, bool]:
    """Send one message now. Returns (message, created); a replayed key returns the first."""
    tenant_id = principal.tenant_id
    with tenant_session(tenant_id) as s:
        if idempotency_key:
            existing = s.scalar(select(Message).where(Message.idempotency_key == idempotency_key))
            if existing is not None:
                return schemas.MessageOut.model_validate(existing), False
        region = (s.get_one(Tenant, tenant_id).settings or {}).get("default_region", "US")
        phone = normalize_phone(data.to, region)
        if phone is None:
            raise field_error("body.to", "Not a valid phone number.", "invalid_phone")
        contact = find_or_create_contact(s, tenant_id, phone)
        if contact.opted_out:
            raise conflict(
                "This contact has opted out; nothing was sent.",
                "contact-opted-out",
                contact_id=str(contact.id),
            )
        conversation = conversation_for(s, tenant_id, contact)
        number = choose_sender(s, conversation, data.from_number_id, data.pool_id)
        message = new_outbound(
            s,
            tenant_id,
            contact,
            conversation,
            number,
            data.body,
            sender_type="agent" if principal.user_id else "api",
            user_id=principal.user_id,
            priority=1,
            media_urls=data.media_urls,
            idempotency_key=idempotency_key,
        )
        message_id = message.id
    send_when_allowed(tenant_id, message_id, bulk=False)
    with tenant_session(tenant_id) as s:
        return schemas.MessageOut.model_validate(s.get_one(Message, message_id)), True


def buckets_for(s: Session, tenant_id: uuid.UUID, message: Message) -> list[throttle.Bucket]:
    """Every rate a send consumes: its DID, the workspace's plan, the provider account, and
    the campaign's own cap when it has one."""
    from shared.campaigns.models import Campaign

    tenant = s.get_one(Tenant, tenant_id)
    number = s.get(PhoneNumber, message.number_id) if message.number_id else None
    account = s.scalar(select(TwilioConfig.account_sid)) or f"simulator:{tenant_id}"
    buckets = [
        throttle.tenant_bucket(tenant_id, plan_mps(tenant.plan)),
        throttle.account_bucket(account, get_settings().provider_account_mps),
    ]
    if number is not None:
        buckets.append(throttle.did_bucket(number.id, number.mps))
    if message.campaign_id:
        cap = s.scalar(select(Campaign.rate_cap_mps).where(Campaign.id == message.campaign_id))
        if cap:
            buckets.append(throttle.campaign_bucket(message.campaign_id, cap))
    return buckets


def send_when_allowed(tenant_id: uuid.UUID, message_id: uuid.UUID, *, bulk: bool) -> str:
    """Reserve a rate slot, then send now (a wait under a second) or at the slot, via the
    queue. Nothing sleeps longer than that, nothing polls."""
    from shared.queue import schedule

    with tenant_session(tenant_id) as s:
        message = s.get(Message, message_id)
        if message is None or message.status != "queued":
            return "not-queued"
        reservation = throttle.reserve(
            buckets_for(s, tenant_id, message), message.segments, bulk=bulk
        )
    at = datetime.fromtimestamp(reservation.at_ms / 1000, UTC)
    payload = {"tenant_id": str(tenant_id), "message_id": str(message_id), "bulk": bulk}
    if not reservation.granted:
        schedule(SEND_QUEUE, payload, at=at, key=f"send-{message_id}-retry-{reservation.at_ms}")
        return "waiting"
    if reservation.wait_seconds > MAX_INLINE_WAIT_SECONDS:
        schedule(
            SEND_QUEUE,
            {**payload, "reserved": True},
            at=at,
            key=f"send-{message_id}-slot-{reservation.at_ms}",
        )
        return "scheduled"
    time.sleep(reservation.wait_seconds)
    return deliver(tenant_id, message_id)


def _pace_did(tenant_id: uuid.UUID, message_id: uuid.UUID) -> datetime | None:
    """Wait for the DID's dispatch guard; the dispatch time, or None if far behind."""
    with tenant_session(tenant_id) as s:
        row = s.execute(
            select(Message.segments, PhoneNumber.id, PhoneNumber.mps)
            .join(PhoneNumber, PhoneNumber.id == Message.number_id)
            .where(Message.id == message_id, Message.status == "queued")
        ).first()
    if row is None:
        return now()  # nothing to send, or no DID: the claim below decides
    granted = throttle.pace(throttle.did_bucket(row.id, row.mps), row.segments)
    return datetime.fromtimestamp(granted, UTC) if granted is not None else None


def deliver(tenant_id: uuid.UUID, message_id: uuid.UUID) -> str:
    """Hand one queued message to the provider. Returns what happened (for logs and tests)."""
    dispatched_at = _pace_did(tenant_id, message_id)
    if dispatched_at is None:
        # Far behind its slot: take a fresh reservation rather than wait here.
        from shared.queue import schedule

        schedule(
            SEND_QUEUE,
            {"tenant_id": str(tenant_id), "message_id": str(message_id), "bulk": False},
            key=f"send-{message_id}-repace-{int(time.time())}",
        )
        return "repaced"
    with tenant_session(tenant_id) as s:
        from shared.campaigns.models import Campaign

        # A campaign message goes only while its campaign runs: pause stops it here.
        running = select(Campaign.id).where(
            Campaign.id == Message.campaign_id, Campaign.status == "running"
        )
        claimed = s.scalar(
            update(Message)
            .where(
                Message.id == message_id,
                Message.status == "queued",
                Message.campaign_id.is_(None) | running.exists(),
            )
            .values(status="sending", sending_at=dispatched_at, attempts=Message.attempts + 1)
            .returning(Message)
        )
        if claimed is None:
            return "not-queued"  # a duplicate task, or already handled
        contact = s.get(Contact, claimed.contact_id) if claimed.contact_id else None
        if contact is not None and contact.opted_out and claimed.sender_type != "system":
            # Suppression at send time: an opt-out that arrived after queueing wins.
            claimed.status = "suppressed"
            claimed.error_message = "contact opted out"
            if claimed.campaign_id is not None:
                _settle_audience_row(s, claimed.campaign_id, claimed.id, "skipped")
            return "suppressed"
        provider = provider_for(s, tenant_id)
        service_sid = messaging_service_sid(s) if claimed.provider == "twilio" else None
        attempt = claimed.attempts
        media = (claimed.media_urls or {}).get("urls")
        params: dict[str, Any] = {
            "from_": claimed.from_number,
            "to": claimed.to_number,
            "body": claimed.body or "",
            "status_callback": webhook_urls()[1],
            "media_urls": media,
            "messaging_service_sid": service_sid,
        }
    try:
        sent = provider.send(**params)
    except ProviderError as exc:
        return _record_failure(tenant_id, message_id, exc, attempt)
    record_accepted(tenant_id, message_id, sent.sid, sent.segments)
    return "sent"


def record_accepted(
    tenant_id: uuid.UUID, message_id: uuid.UUID, sid: str, segments: int | None = None
) -> None:
    """The provider has the message: keep its id, settle the campaign row, and apply any
    status callback that overtook this answer."""
    with tenant_session(tenant_id) as s:
        campaign_id = s.scalar(
            update(Message)
            .where(Message.id == message_id)
            .values(provider_sid=sid, segments=segments or Message.segments)
            .returning(Message.campaign_id)
        )
        if campaign_id is not None:
            _settle_audience_row(s, campaign_id, message_id, "sent")
    apply_early_statuses(tenant_id, sid)


def _settle_audience_row(
    s: Session, campaign_id: uuid.UUID, message_id: uuid.UUID, status: str
) -> None:
    from shared.campaigns.models import CampaignContact
    from shared.campaigns.service import finish_if_done

    s.execute(
        update(CampaignContact)
        .where(CampaignContact.campaign_id == campaign_id, CampaignContact.message_id == message_id)
        .values(status=status)
    )
    finish_if_done(s, campaign_id)


def _record_failure(
    tenant_id: uuid.UUID, message_id: uuid.UUID, exc: ProviderError, attempt: int
) -> str:
    from shared.messaging.health import record_outcome
    from shared.queue import publish, schedule

    if exc.outcome is Outcome.UNKNOWN:
        # The provider may have the message: leave it `sending` for reconciliation.
        log.warning("unknown outcome for %s: %s", message_id, exc)
        with tenant_session(tenant_id) as s:
            s.execute(
                update(Message).where(Message.id == message_id).values(error_message=str(exc)[:500])
            )
        return "unknown"
    if exc.outcome is Outcome.TRANSIENT and attempt < MAX_TRANSIENT_ATTEMPTS:
        with tenant_session(tenant_id) as s:
            s.execute(
                update(Message)
                .where(Message.id == message_id, Message.status == "sending")
                .values(status="queued", error_code=exc.code, error_message=str(exc)[:500])
            )
        delay = min(300, 2**attempt)
        schedule(
            SEND_QUEUE,
            {"tenant_id": str(tenant_id), "message_id": str(message_id)},
            at=now() + timedelta(seconds=delay),
            key=f"send-{message_id}-{attempt}",
        )
        return "retrying"
    opted_out_contact: uuid.UUID | None = None
    with tenant_session(tenant_id) as s:
        message = s.get_one(Message, message_id)
        number_id, campaign_id = message.number_id, message.campaign_id
        message.status = "failed"
        message.failed_at = now()
        message.error_code = exc.code
        message.error_message = str(exc)[:500]
        if message.campaign_id is not None:
            _settle_audience_row(s, message.campaign_id, message_id, "failed")
        if exc.code == OPTED_OUT_CODE and message.contact_id:
            opted_out_contact = message.contact_id
            opt_out(
                s,
                tenant_id,
                message.contact_id,
                source="provider_error",
                reason=f"provider error {exc.code}",
                message_id=message_id,
            )
    record_outcome(tenant_id, number_id, campaign_id, failed=True, error_code=exc.code)
    if opted_out_contact:
        publish(
            "contact.opted_out",
            ContactOptedOut(
                tenant_id=tenant_id, contact_id=opted_out_contact, source="provider_error"
            ),
        )
    return "failed"


def opt_out(
    s: Session,
    tenant_id: uuid.UUID,
    contact_id: uuid.UUID,
    *,
    source: str,
    reason: str | None = None,
    message_id: uuid.UUID | None = None,
    keyword: str | None = None,
) -> bool:
    """Opt the contact out (workspace-wide) and record why. False if already opted out."""
    contact = s.get_one(Contact, contact_id, with_for_update=True)
    changed = not contact.opted_out
    contact.opted_out = True
    contact.opted_out_at = contact.opted_out_at or now()
    s.add(
        ConsentEvent(
            tenant_id=tenant_id,
            contact_id=contact_id,
            phone=contact.phone,
            kind="opt_out",
            source=source,
            reason=reason,
            message_id=message_id,
            keyword=keyword,
        )
    )
    return changed


def opt_in(
    s: Session,
    tenant_id: uuid.UUID,
    contact_id: uuid.UUID,
    *,
    source: str,
    reason: str | None = None,
    message_id: uuid.UUID | None = None,
    keyword: str | None = None,
) -> bool:
    contact = s.get_one(Contact, contact_id, with_for_update=True)
    changed = contact.opted_out
    contact.opted_out = False
    contact.opted_out_at = None
    s.add(
        ConsentEvent(
            tenant_id=tenant_id,
            contact_id=contact_id,
            phone=contact.phone,
            kind="opt_in",
            source=source,
            reason=reason,
            message_id=message_id,
            keyword=keyword,
        )
    )
    return changed


# --- status callbacks that overtake the send's answer --------------------------------


def _early_key(sid: str) -> str:
    return f"sms:early-status:{sid}"


def remember_early_status(sid: str, params: dict[str, str]) -> None:
    """A callback for a sid not recorded yet: keep it until `deliver` records the sid."""
    r = get_redis()
    r.rpush(_early_key(sid), json.dumps(params))
    r.expire(_early_key(sid), 3600)


def apply_early_statuses(tenant_id: uuid.UUID, sid: str) -> None:
    from shared.messaging.webhooks import apply_status

    for raw in get_redis().lrange(_early_key(sid), 0, -1):
        apply_status(tenant_id, json.loads(raw))


def get_message(principal: Principal, message_id: uuid.UUID) -> schemas.MessageOut:
    with tenant_session(principal.tenant_id) as s:
        message = s.get(Message, message_id)
        if message is None:
            raise not_found("Message")
        return schemas.MessageOut.model_validate(message)


def list_messages(principal: Principal, query: schemas.MessageQuery) -> schemas.MessageList:
    from shared.http.pagination import keyset_page, page_of

    with tenant_session(principal.tenant_id) as s:
        stmt = select(Message)
        filters = {
            "status": Message.status,
            "direction": Message.direction,
            "number_id": Message.number_id,
            "contact_id": Message.contact_id,
            "campaign_id": Message.campaign_id,
        }
        for name, column in filters.items():
            value = getattr(query, name)
            if value is not None:
                stmt = stmt.where(column == value)
        if query.created_after:
            stmt = stmt.where(Message.created_at >= query.created_after)
        if query.created_before:
            stmt = stmt.where(Message.created_at < query.created_before)
        rows = list(s.scalars(keyset_page(stmt, Message.created_at, Message.id, query)))
        page, cursor = page_of(rows, query, "created_at")
        return schemas.MessageList(
            data=[schemas.MessageOut.model_validate(m) for m in page], next_cursor=cursor
        )


__all__ = ["deliver", "send_message"]
