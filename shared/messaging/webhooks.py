"""Provider webhooks: delivery status callbacks and inbound messages (with keywords).

The workspace is found from our number in the message (To for inbound, From for status);
the signature is checked with that workspace's auth token against the public URL. Both
are idempotent: a status update only ever moves a message forward, and an inbound message
is stored once per MessageSid, so redelivered webhooks change nothing.
"""

from __future__ import annotations

import logging
import re
import string
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

from cachetools import TTLCache
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from shared.billing.usage import record_message_outcomes
from shared.db.arrays import joined
from shared.db.group_commit import GroupCommit
from shared.db.session import retry_conflicts, system_session, tenant_session
from shared.http.problems import Problem
from shared.messaging import delivery, hooks, sending
from shared.messaging.accounts import auth_token
from shared.messaging.events import ContactOptedOut, MessageReceived, MessageStatusChanged
from shared.messaging.health import FinalOutcome, record_outcomes
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


# Long: a cached route or token that no longer verifies a signature is read again at once
# (see `authenticate`), so the TTL only bounds how long an unused entry stays.
_ROUTE_TTL_SECONDS = 600.0
_routes: TTLCache[tuple[str, str], Route] = TTLCache(maxsize=50_000, ttl=_ROUTE_TTL_SECONDS)
_tokens: TTLCache[uuid.UUID, str] = TTLCache(maxsize=10_000, ttl=_ROUTE_TTL_SECONDS)
_cache_lock = threading.Lock()
K = TypeVar("K")
V = TypeVar("V")


_loading: dict[Any, threading.Lock] = {}


def _cached(cache: TTLCache[K, V], key: K, load: Callable[[], V | None], fresh: bool) -> V | None:
    """From the short cache unless `fresh`; a value loaded is kept (a missing one is not).
    One load per key at a time: a burst of callbacks for a number that just left the cache
    waits for one read instead of each opening a transaction of its own."""
    if not fresh:
        with _cache_lock:
            found = cache.get(key)
        if found is not None:
            return found
    with _cache_lock:
        loading = _loading.setdefault(key, threading.Lock())
    with loading:
        if not fresh:
            with _cache_lock:
                found = cache.get(key)
            if found is not None:
                return found
        value = load()
        with _cache_lock:
            if value is not None:
                cache[key] = value
            _loading.pop(key, None)
    return value


def route_for(our_number: str, account_sid: str | None, *, fresh: bool = False) -> Route | None:
    """The workspace that holds `our_number` (cached a minute: callbacks come in bursts)."""
    return _cached(
        _routes,
        (our_number, account_sid or ""),
        lambda: _load_route(our_number, account_sid),
        fresh,
    )


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
    return _cached(_tokens, route.tenant_id, lambda: _load_token(route.tenant_id), fresh)


def _load_token(tenant_id: uuid.UUID) -> str | None:
    with system_session() as s:
        config = s.scalar(select(TwilioConfig).where(TwilioConfig.tenant_id == tenant_id))
        return auth_token(config) if config is not None else None


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
    sid, status, code = parse_status(params)
    route = authenticate(params.get("From", ""), params.get("AccountSid"), url, params, signature)
    message_id = _named_message(url)
    if message_id is None:
        return apply_status(route.tenant_id, params)
    return _named_writer.submit(StatusUpdate(route.tenant_id, message_id, sid, status, code))


_SID = re.compile(r"[A-Za-z0-9]{2,64}")  # Twilio's are SM/MM + 32 hex digits


def parse_status(params: dict[str, str]) -> tuple[str, str, int | None]:
    """(provider id, our status, error code) of a status callback, or a 400."""
    sid = params.get("MessageSid") or params.get("SmsSid") or ""
    raw_status = (params.get("MessageStatus") or params.get("SmsStatus") or "").lower()
    if not _SID.fullmatch(sid) or raw_status not in STATUS_MAP:
        raise Problem(
            400,
            "bad-callback",
            "Bad callback",
            "A MessageSid (letters and digits) and a known MessageStatus are required.",
        )
    code = int(params["ErrorCode"]) if params.get("ErrorCode", "").isdigit() else None
    return sid, STATUS_MAP[raw_status], code


def _named_message(url: str) -> uuid.UUID | None:
    """Our status callback URLs name their message (`?m=`): found without the sid."""
    named = parse_qs(urlsplit(url).query).get("m")
    try:
        return uuid.UUID(named[0]) if named else None
    except ValueError:
        return None


@dataclass(frozen=True)
class StatusUpdate:
    tenant_id: uuid.UUID
    message_id: uuid.UUID
    sid: str
    status: str
    code: int | None


_RANK_OF_STORED = (
    "CASE m.status " + " ".join(f"WHEN '{s}' THEN {r}" for s, r in RANK.items()) + " ELSE 99 END"
)
# Forward only: a status applies when it ranks above the stored one, and only to the
# message with that provider id (or none recorded yet: the callback came first).
_APPLY_NAMED = text(
    "UPDATE messages AS m SET status = v.status, provider_sid = v.sid,"
    " sent_at = CASE WHEN v.status = 'sent' THEN :at ELSE m.sent_at END,"
    " delivered_at = CASE WHEN v.status = 'delivered' THEN :at ELSE m.delivered_at END,"
    " failed_at = CASE WHEN v.status IN ('undelivered', 'failed') THEN :at ELSE m.failed_at END,"
    " error_code = coalesce(nullif(v.code, 0), m.error_code)"
    " FROM unnest(CAST(string_to_array(:ids, ',') AS uuid[]), string_to_array(:sids, ','),"
    " string_to_array(:statuses, ','), CAST(string_to_array(:ranks, ',') AS int[]),"
    " CAST(string_to_array(:codes, ',') AS int[])) AS v(id, sid, status, rank, code)"
    " WHERE m.id = v.id AND (m.provider_sid IS NULL OR m.provider_sid = v.sid)"
    f" AND {_RANK_OF_STORED} < v.rank"
    " RETURNING m.id, m.contact_id, m.number_id, m.campaign_id"
)


def apply_statuses(updates: Sequence[StatusUpdate]) -> list[str]:
    """Apply callbacks that name their message, in one transaction per workspace.

    The forward-only UPDATE is what makes them idempotent: a redelivered callback matches
    no row and changes nothing ("stale"). Of two updates to one message in a batch, the
    further along wins (the other is stale, as it would be one after the other)."""
    results = ["stale"] * len(updates)
    latest: dict[uuid.UUID, int] = {}
    for i, u in enumerate(updates):
        j = latest.get(u.message_id)
        if j is None or RANK[u.status] > RANK[updates[j].status]:
            latest[u.message_id] = i
    by_tenant: dict[uuid.UUID, list[int]] = {}
    for i in latest.values():
        by_tenant.setdefault(updates[i].tenant_id, []).append(i)
    stamp = sending.now()
    for tenant_id, indexes in by_tenant.items():
        batch = [updates[i] for i in indexes]
        applied, opted_out = _write_statuses(tenant_id, batch, stamp)
        moved = []
        for i, u in zip(indexes, batch, strict=True):
            row = applied.get(u.message_id)
            if row is not None:
                moved.append((row, u.status, u.code))
                results[i] = u.status
        _announce(tenant_id, moved)
        for contact_id in opted_out:
            _announce_opt_out(tenant_id, contact_id)
    return results


@retry_conflicts
def _write_statuses(
    tenant_id: uuid.UUID, batch: list[StatusUpdate], stamp: datetime
) -> tuple[dict[uuid.UUID, Any], list[uuid.UUID]]:
    """One transaction: the forward moves, what follows their outcome, the opt-outs."""
    with tenant_session(tenant_id) as s:
        delivery.lock_messages(s, [u.message_id for u in batch])
        rows = s.execute(
            _APPLY_NAMED,
            {
                "ids": joined(u.message_id for u in batch),
                "sids": joined(u.sid for u in batch),  # checked: letters and digits
                "statuses": joined(u.status for u in batch),
                "ranks": joined(RANK[u.status] for u in batch),
                "codes": joined(u.code or 0 for u in batch),
                "at": stamp,
            },
        ).all()
        applied = {r.id: r for r in rows}
        moved = [(applied[u.message_id], u) for u in batch if u.message_id in applied]
        # The send's record settles what follows the message (a campaign's audience
        # row); if its sender died after the provider call, the callback is the first to know.
        hooks.settled(s, [(row.campaign_id, row.id, u.status) for row, u in moved])
        opted_out = [_opt_out_on_error(s, tenant_id, row, u.code) for row, u in moved]
        record_message_outcomes(s, tenant_id, [(row.id, u.status) for row, u in moved])
    return applied, [c for c in opted_out if c is not None]


# Up to 2 bursts written at once (each locks its messages in id order; updates only move
# forward), so one slow transaction does not stall every callback of the instance. More
# writers make smaller batches and each callback dearer: in one series of issue #18's
# benchmark, 2.7 ms of CPU per callback with 4 writers, 1.9 with 2, 1.6 with 1.
_named_writer: GroupCommit[StatusUpdate, str] = GroupCommit(apply_statuses, writers=2)


def _opt_out_on_error(s: Any, tenant_id: uuid.UUID, row: Any, code: int | None) -> uuid.UUID | None:
    """21610 (the recipient had opted out at the carrier): opt the contact out here too."""
    if code != OPTED_OUT_CODE or not row.contact_id:
        return None
    sending.opt_out(
        s,
        tenant_id,
        row.contact_id,
        source="provider_error",
        reason=f"provider error {code}",
        message_id=row.id,
    )
    return uuid.UUID(str(row.contact_id))


def _announce(tenant_id: uuid.UUID, moved: list[tuple[Any, str, int | None]]) -> None:
    """Count the final outcomes for sender health (one Redis round trip), then publish a
    `message.status` event per move (in one go)."""
    from shared.queue import publish_many

    record_outcomes(
        tenant_id,
        [
            FinalOutcome(row.number_id, row.campaign_id, status != "delivered", code)
            for row, status, code in moved
            if RANK[status] == 3
        ],
    )
    publish_many(
        "message.status",
        [
            MessageStatusChanged(
                tenant_id=tenant_id, message_id=row.id, status=status, error_code=code
            )
            for row, status, code in moved
        ],
    )


def _announce_opt_out(tenant_id: uuid.UUID, contact_id: uuid.UUID) -> None:
    from shared.queue import publish

    publish(
        "contact.opted_out",
        ContactOptedOut(tenant_id=tenant_id, contact_id=contact_id, source="provider_error"),
    )


def apply_status(
    tenant_id: uuid.UUID, params: dict[str, str], message_id: uuid.UUID | None = None
) -> str:
    """Apply one status callback, found by `message_id` when known, else by provider id.

    One matched by provider id may come before the send's answer recorded that id: it is
    parked until it is (the record step reads the parked statuses after writing the id)."""
    sid, status, code = parse_status(params)
    if message_id is None:
        message_id = _message_with_sid(tenant_id, sid)
    if message_id is None:
        # Park it, then look once more: whichever of this and the record step comes
        # second applies it.
        delivery.remember_early_status(tenant_id, sid, params)
        message_id = _message_with_sid(tenant_id, sid)
        if message_id is None:
            return "early"
    return apply_statuses([StatusUpdate(tenant_id, message_id, sid, status, code)])[0]


def _message_with_sid(tenant_id: uuid.UUID, sid: str) -> uuid.UUID | None:
    with tenant_session(tenant_id) as s:
        found: uuid.UUID | None = s.scalar(select(Message.id).where(Message.provider_sid == sid))
        return found


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
