"""Provider webhooks: delivery status callbacks and inbound messages (with keywords).

The workspace is found from our number in the message (To for inbound, From for status);
the signature is checked with that workspace's auth token against the public URL. Both
are idempotent: a status update only ever moves a message forward, and an inbound message
is stored once per MessageSid, so redelivered webhooks change nothing.
"""

from __future__ import annotations

import logging
import string
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

from cachetools import TTLCache
from sqlalchemy import ColumnElement, select, update
from sqlalchemy.exc import IntegrityError

from shared.db.session import system_session, tenant_session
from shared.http.problems import Problem
from shared.messaging import delivery, sending
from shared.messaging.accounts import auth_token
from shared.messaging.events import ContactOptedOut, MessageReceived, MessageStatusChanged
from shared.messaging.health import record_outcome
from shared.messaging.models import Message, PhoneNumber, TwilioConfig
from shared.providers.sms import OPTED_OUT_CODE
from shared.templates.segments import analyze
from shared.tenancy.models import Tenant

log = logging.getLogger("webhooks")

OPT_OUT_WORDS = frozenset(
    {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
)
OPT_IN_WORDS = frozenset({"START", "YES", "UNSTOP"})
HELP_WORDS = frozenset({"HELP", "INFO"})

# Provider statuses mapped onto ours, and how far along each of ours is.
STATUS_MAP = {
    "accepted": "sending",
    "queued": "sending",
    "scheduled": "sending",
    "sending": "sending",
    "sent": "sent",
    "delivered": "delivered",
    "read": "delivered",
    "undelivered": "undelivered",
    "failed": "failed",
    "canceled": "failed",
}
RANK = {"queued": 0, "sending": 1, "sent": 2, "delivered": 3, "undelivered": 3, "failed": 3}

DEFAULT_REPLIES = {
    "opt_out": (
        "{name}: You are unsubscribed and will get no more messages. Reply START to resubscribe."
    ),
    "opt_in": "{name}: You are subscribed again. Reply STOP to unsubscribe, HELP for help.",
    "help": "{name}: Reply STOP to unsubscribe. Msg & data rates may apply.",
}


def keyword_of(body: str) -> str | None:
    """`opt_out`, `opt_in` or `help` when the whole message is such a keyword, else None.

    Trimmed, case-insensitive, trailing punctuation removed: "Stop." is an opt-out,
    "please stop texting me" is not.
    """
    word = body.strip().rstrip(string.punctuation + " \t\r\n").strip().upper()
    if word in OPT_OUT_WORDS:
        return "opt_out"
    if word in OPT_IN_WORDS:
        return "opt_in"
    if word in HELP_WORDS:
        return "help"
    return None


@dataclass(frozen=True)
class Route:
    tenant_id: uuid.UUID
    number_id: uuid.UUID
    provider: str


_ROUTE_TTL_SECONDS = 60.0
_routes: TTLCache[tuple[str, str], Route] = TTLCache(maxsize=50_000, ttl=_ROUTE_TTL_SECONDS)
_tokens: TTLCache[uuid.UUID, str] = TTLCache(maxsize=10_000, ttl=_ROUTE_TTL_SECONDS)
_cache_lock = threading.Lock()


def route_for(our_number: str, account_sid: str | None, *, fresh: bool = False) -> Route | None:
    """The workspace that holds `our_number` (cached a minute: callbacks come in bursts)."""
    key = (our_number, account_sid or "")
    if not fresh:
        with _cache_lock:
            cached = _routes.get(key)
        if cached is not None:
            return cached
    route = _load_route(our_number, account_sid)
    if route is not None:
        with _cache_lock:
            _routes[key] = route
    return route


def _load_route(our_number: str, account_sid: str | None) -> Route | None:
    with system_session() as s:
        row = s.execute(
            select(PhoneNumber.tenant_id, PhoneNumber.id, PhoneNumber.provider).where(
                PhoneNumber.phone_number == our_number, PhoneNumber.status != "released"
            )
        ).first()
        if row is not None:
            return Route(row.tenant_id, row.id, row.provider)
        if account_sid:
            # A Messaging Service may send from a number we do not hold: fall back to the account.
            config = s.scalar(select(TwilioConfig).where(TwilioConfig.account_sid == account_sid))
            if config is not None:
                return Route(config.tenant_id, uuid.UUID(int=0), "twilio")
    return None


def _signing_token(route: Route, *, fresh: bool) -> str | None:
    if route.provider == "simulator":
        from shared.providers.simulator import simulator_auth_token

        return simulator_auth_token()
    if not fresh:
        with _cache_lock:
            cached = _tokens.get(route.tenant_id)
        if cached is not None:
            return cached
    with system_session() as s:
        config = s.scalar(select(TwilioConfig).where(TwilioConfig.tenant_id == route.tenant_id))
        token = auth_token(config) if config is not None else None
    if token is not None:
        with _cache_lock:
            _tokens[route.tenant_id] = token
    return token


def authenticate(
    our_number: str, account_sid: str | None, url: str, params: dict[str, str], signature: str
) -> Route:
    """The workspace behind a webhook, proven by its signature. The route and token come
    from a short cache; when they do not verify, they are read again once (a number that
    changed hands, a rotated token) before the request is refused."""
    from twilio.request_validator import RequestValidator  # light: no REST client

    for fresh in (False, True):
        route = route_for(our_number, account_sid, fresh=fresh)
        token = _signing_token(route, fresh=fresh) if route is not None else None
        valid = bool(token and signature) and RequestValidator(token).validate(
            url, params, signature
        )
        if route is not None and valid:
            return route
    raise _forbidden()


def _forbidden() -> Problem:
    return Problem(403, "invalid-signature", "Forbidden", "The X-Twilio-Signature is not valid.")


# --- status ---------------------------------------------------------------------------


def handle_status(url: str, params: dict[str, str], signature: str) -> str:
    sid = params.get("MessageSid") or params.get("SmsSid") or ""
    raw_status = (params.get("MessageStatus") or params.get("SmsStatus") or "").lower()
    if not sid or raw_status not in STATUS_MAP:
        raise Problem(
            400,
            "bad-callback",
            "Bad callback",
            "MessageSid and a known MessageStatus are required.",
        )
    route = authenticate(params.get("From", ""), params.get("AccountSid"), url, params, signature)
    return apply_status(route.tenant_id, params, message_id=_named_message(url))


def _named_message(url: str) -> uuid.UUID | None:
    """Our status callback URLs name their message (`?m=`): found without the sid."""
    named = parse_qs(urlsplit(url).query).get("m")
    try:
        return uuid.UUID(named[0]) if named else None
    except ValueError:
        return None


def apply_status(
    tenant_id: uuid.UUID, params: dict[str, str], message_id: uuid.UUID | None = None
) -> str:
    """Move the message forward (never backward: a late `sent` cannot undo `delivered`).

    The forward-only UPDATE is what makes callbacks idempotent: a redelivered one matches
    no row and changes nothing. A callback that names no message and comes before the
    send's answer recorded its provider id is parked until it does."""
    from shared.queue import publish

    sid = params.get("MessageSid") or params.get("SmsSid") or ""
    status = STATUS_MAP[(params.get("MessageStatus") or params.get("SmsStatus") or "").lower()]
    code = int(params["ErrorCode"]) if params.get("ErrorCode", "").isdigit() else None
    earlier = [s for s, rank in RANK.items() if rank < RANK[status]]
    stamp = sending.now()
    values: dict[str, object] = {"status": status}
    if status == "sent":
        values["sent_at"] = stamp
    elif status == "delivered":
        values["delivered_at"] = stamp
    elif status in ("undelivered", "failed"):
        values["failed_at"] = stamp
    if code:
        values["error_code"] = code
    target: ColumnElement[bool]
    if message_id is not None:
        target = (Message.id == message_id) & (
            Message.provider_sid.is_(None) | (Message.provider_sid == sid)
        )
        values["provider_sid"] = sid
    else:
        target = Message.provider_sid == sid
    forward = (
        update(Message)
        .where(target, Message.status.in_(earlier))
        .values(**values)
        .returning(Message.id, Message.contact_id, Message.number_id, Message.campaign_id)
    )
    opted_out: uuid.UUID | None = None
    with tenant_session(tenant_id) as s:
        row = s.execute(forward).first()
        known = row is not None or s.scalar(select(Message.id).where(target)) is not None
        if row is not None and code == OPTED_OUT_CODE and row.contact_id:
            sending.opt_out(
                s,
                tenant_id,
                row.contact_id,
                source="provider_error",
                reason=f"provider error {code}",
                message_id=row.id,
            )
            opted_out = row.contact_id
    if row is None:
        if known or message_id is not None:
            return "stale"  # a redelivery, or overtaken by a later status
        # Park it, then look once more: the send's record reads the parked statuses after
        # it writes the sid, so whichever of the two comes second applies it.
        delivery.remember_early_status(sid, params)
        with tenant_session(tenant_id) as s:
            row = s.execute(forward).first()
        if row is None:
            return "early"
    if RANK[status] == 3:
        record_outcome(
            tenant_id,
            row.number_id,
            row.campaign_id,
            failed=status != "delivered",
            error_code=code,
        )
    publish(
        "message.status",
        MessageStatusChanged(
            tenant_id=tenant_id, message_id=row.id, status=status, error_code=code
        ),
    )
    if opted_out:
        publish(
            "contact.opted_out",
            ContactOptedOut(tenant_id=tenant_id, contact_id=opted_out, source="provider_error"),
        )
    return status


# --- inbound --------------------------------------------------------------------------


def handle_inbound(url: str, params: dict[str, str], signature: str) -> str:
    sid = params.get("MessageSid") or params.get("SmsSid") or ""
    if not sid or not params.get("From") or not params.get("To"):
        raise Problem(400, "bad-callback", "Bad callback", "MessageSid, From and To are required.")
    route = authenticate(params["To"], params.get("AccountSid"), url, params, signature)
    return receive(route, params)


def receive(route: Route, params: dict[str, str]) -> str:
    """Store an inbound message once, thread it, and act on keywords."""
    from shared.queue import publish, schedule

    tenant_id = route.tenant_id
    sid = params.get("MessageSid") or params.get("SmsSid") or ""
    body = params.get("Body", "")
    keyword = keyword_of(body)
    provider_handles_keywords = bool(params.get("OptOutType"))  # Twilio Advanced Opt-Out
    replies: list[uuid.UUID] = []
    opted_out = False
    with tenant_session(tenant_id) as s:
        tenant = s.get_one(Tenant, tenant_id)
        region = (tenant.settings or {}).get("default_region", "US")
        phone = sending.normalize_phone(params["From"], region) or params["From"]
        contact = sending.find_or_create_contact(s, tenant_id, phone)
        conversation = sending.conversation_for(s, tenant_id, contact)
        received_at = sending.now()
        info = analyze(body)
        message_id = uuid.uuid4()
        number = s.get(PhoneNumber, route.number_id)
        try:
            with s.begin_nested():
                s.add(
                    Message(
                        id=message_id,
                        tenant_id=tenant_id,
                        conversation_id=conversation.id,
                        contact_id=contact.id,
                        number_id=number.id if number else None,
                        direction="inbound",
                        sender_type="contact",
                        from_number=phone,
                        to_number=params["To"],
                        body=body,
                        media_urls=_media(params),
                        segments=int(params.get("NumSegments") or info.segments),
                        encoding=info.encoding,
                        status="received",
                        provider=route.provider,
                        provider_sid=sid,
                        received_at=received_at,
                    )
                )
                s.flush()
        except IntegrityError:
            # Stored already. Publish again: if the first publish failed after the commit,
            # this redelivery is what recovers the event (consumers are idempotent).
            existing = s.execute(
                select(Message.id, Message.conversation_id, Message.contact_id).where(
                    Message.provider_sid == sid
                )
            ).one()
            republish: MessageReceived | None = MessageReceived(
                tenant_id=tenant_id,
                message_id=existing.id,
                conversation_id=existing.conversation_id,
                contact_id=existing.contact_id,
                keyword=keyword,
            )
        else:
            republish = None
            _touch_conversation(conversation, number, received_at, body)
            contact.last_message_at = received_at
            if keyword == "opt_out":
                opted_out = sending.opt_out(
                    s,
                    tenant_id,
                    contact.id,
                    source="keyword",
                    message_id=message_id,
                    keyword=body.strip()[:20],
                )
            elif keyword == "opt_in":
                sending.opt_in(
                    s,
                    tenant_id,
                    contact.id,
                    source="keyword",
                    message_id=message_id,
                    keyword=body.strip()[:20],
                )
            if keyword and not provider_handles_keywords and number is not None:
                template = (tenant.settings or {}).get(f"{keyword}_reply") or DEFAULT_REPLIES[
                    keyword
                ]
                reply = sending.new_outbound(
                    s,
                    tenant_id,
                    contact,
                    conversation,
                    number,
                    template.format(name=tenant.name),
                    sender_type="system",
                    priority=2,
                )
                replies.append(reply.id)
            conversation_id, contact_id = conversation.id, contact.id
    if republish is not None:
        publish("message.received", republish)
        return "duplicate"
    for reply_id in replies:
        schedule(
            delivery.SEND_QUEUE,
            {"tenant_id": str(tenant_id), "message_id": str(reply_id)},
            key=f"send-{reply_id}",
        )
    publish(
        "message.received",
        MessageReceived(
            tenant_id=tenant_id,
            message_id=message_id,
            conversation_id=conversation_id,
            contact_id=contact_id,
            keyword=keyword,
        ),
    )
    if opted_out:
        publish(
            "contact.opted_out",
            ContactOptedOut(tenant_id=tenant_id, contact_id=contact_id, source="keyword"),
        )
    return keyword or "received"


def _media(params: dict[str, str]) -> dict[str, list[str]] | None:
    count = int(params.get("NumMedia") or 0)
    urls = [params[f"MediaUrl{i}"] for i in range(count) if params.get(f"MediaUrl{i}")]
    return {"urls": urls} if urls else None


def _touch_conversation(
    conversation: object, number: PhoneNumber | None, at: datetime, body: str
) -> None:
    from shared.conversations.models import Conversation

    assert isinstance(conversation, Conversation)
    conversation.last_message_at = at
    conversation.last_inbound_at = at
    conversation.last_message_preview = body[:200]
    if conversation.status != "open":
        conversation.status = "open"  # a reply reopens a closed or snoozed conversation
        conversation.snoozed_until = None
    if conversation.number_id is None and number is not None:
        conversation.number_id = number.id
