"""Outbound messages and consent: every SMS we send (API, inbox, AI, campaigns, keyword
replies) is first recorded here as `queued`, with its contact, thread and sender number
chosen and its opt-out checked; `shared.messaging.delivery` takes it from there. Opt-out
and opt-in are recorded here too, with the consent event that explains them."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from typing import Any

import phonenumbers
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from shared.contacts.models import ConsentEvent, Contact, Recipient
from shared.conversations.models import Conversation
from shared.db.session import tenant_session
from shared.http.problems import conflict, field_error, not_found
from shared.messaging import rotation, schemas
from shared.messaging.models import Message, NumberPoolMember, PhoneNumber
from shared.templates.segments import SegmentInfo, analyze, smart_encode
from shared.tenancy.models import Tenant
from shared.tenancy.principal import Principal

log = logging.getLogger("sending")


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


def outbound_values(
    tenant_id: uuid.UUID,
    contact: Recipient,
    conversation_id: uuid.UUID,
    number: PhoneNumber | rotation.Did,
    body: str,
    *,
    sender_type: str,
    user_id: uuid.UUID | None = None,
    campaign_id: uuid.UUID | None = None,
    priority: int = 0,
    media_urls: list[str] | None = None,
    idempotency_key: str | None = None,
    info: SegmentInfo | None = None,
) -> dict[str, Any]:
    """The row of a new `queued` outbound message (for one insert, or a batch's). `info`:
    the body's `analyze`, when the caller has it already."""
    info = info or analyze(body)
    return {
        "id": uuid.uuid4(),
        "tenant_id": tenant_id,
        "conversation_id": conversation_id,
        "contact_id": contact.id,
        "campaign_id": campaign_id,
        "number_id": number.id,
        "direction": "outbound",
        "sender_type": sender_type,
        "sent_by_user_id": user_id,
        "from_number": number.phone if isinstance(number, rotation.Did) else number.phone_number,
        "to_number": contact.phone,
        "body": body,
        "media_urls": {"urls": media_urls} if media_urls else None,
        "segments": info.segments,
        "encoding": info.encoding,
        "status": "queued",
        "priority": priority,
        "provider": number.provider,
        "idempotency_key": idempotency_key,
        "queued_at": now(),
    }


def new_outbound(
    s: Session,
    tenant_id: uuid.UUID,
    contact: Contact,
    conversation: Conversation,
    number: PhoneNumber,
    body: str,
    **options: Any,
) -> Message:
    """Record one `queued` outbound message in the contact's thread (see outbound_values).

    Every single send (API, inbox, AI, keyword replies) passes here, so the workspace's
    smart encoding default applies here, once; campaigns apply theirs where they render."""
    if s.get_one(Tenant, tenant_id).smart_encoding:
        body = smart_encode(body)
    message = Message(
        **outbound_values(tenant_id, contact, conversation.id, number, body, **options)
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
    from shared.messaging.delivery import send_when_allowed

    send_when_allowed(tenant_id, message_id, bulk=False)
    with tenant_session(tenant_id) as s:
        return schemas.MessageOut.model_validate(s.get_one(Message, message_id)), True


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
    from shared.messaging.events import ContactOptedIn
    from shared.queue import publish_on_commit

    contact = s.get_one(Contact, contact_id, with_for_update=True)
    changed = contact.opted_out
    contact.opted_out = False
    contact.opted_out_at = None
    if changed:
        publish_on_commit(
            s,
            "contact.opted_in",
            ContactOptedIn(tenant_id=tenant_id, contact_id=contact_id, source=source),
        )
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


__all__ = ["new_outbound", "send_message"]
