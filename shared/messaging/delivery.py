"""Delivery: from a `queued` message to the provider's answer, for one message or a batch.

1. Rate: a slot is reserved over every bucket the send uses (one Lua call for a batch).
   Without a slot in the next second the message is scheduled for its slot: nothing
   sleeps longer than that, nothing polls.
2. Claim: one conditional UPDATE (queued -> sending) for the whole batch, committed before
   any provider call, so a duplicate task is a no-op and a crash leaves `sending` for the
   reconciler, never a blind resend. Contacts that opted out since queueing are suppressed
   in the same transaction.
3. Dispatch: at its slot, the DID's dispatch guard, then the provider call. The status
   callback URL names the message, so callbacks find it even before its provider id is
   recorded.
4. Record: the provider ids and the audience rows of the batch in one transaction.
   Failures are classified: permanent (failed), transient (queued again, retried later),
   unknown outcome (left `sending` for reconciliation).
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from shared.billing.plans import plan_mps
from shared.billing.usage import record_accepted_messages
from shared.cache import get_redis
from shared.config import get_settings
from shared.contacts.models import Contact
from shared.db.arrays import id_in, joined, joined_times
from shared.db.session import retry_conflicts, tenant_session
from shared.messaging import hooks, throttle
from shared.messaging.accounts import provider_for_config
from shared.messaging.dispatcher import Answer, Later, get_dispatcher
from shared.messaging.models import Message, PhoneNumber, TwilioConfig
from shared.messaging.numbers import webhook_urls
from shared.providers.sms import OPTED_OUT_CODE, NotSent, Outcome, ProviderError, SmsProvider
from shared.tenancy.models import Tenant

log = logging.getLogger("delivery")
SEND_QUEUE = "sends"
MAX_TRANSIENT_ATTEMPTS = 6
MAX_INLINE_WAIT_SECONDS = 1.0


def now() -> datetime:
    return datetime.now(UTC)


# --- what every send of a workspace needs, read once per batch -------------------------


@dataclass(frozen=True)
class Sender:
    """A workspace's provider, the callback URL, and the rates all its sends share."""

    tenant_id: uuid.UUID
    provider: SmsProvider
    messaging_service_sid: str | None
    status_url: str
    shared_buckets: tuple[throttle.Bucket, ...]  # the workspace's plan, the provider account

    def buckets(
        self, number_id: uuid.UUID | None, mps: float | None, cap: throttle.Bucket | None
    ) -> list[throttle.Bucket]:
        buckets = list(self.shared_buckets)
        if number_id is not None and mps:
            buckets.append(throttle.did_bucket(number_id, mps))
        if cap is not None:
            buckets.append(cap)
        return buckets


def sender_for(s: Session, tenant_id: uuid.UUID) -> Sender:
    plan = s.scalar(select(Tenant.plan).where(Tenant.id == tenant_id))
    config = s.scalar(select(TwilioConfig))
    account = config.account_sid if config is not None else f"simulator:{tenant_id}"
    return Sender(
        tenant_id=tenant_id,
        provider=provider_for_config(tenant_id, config),
        messaging_service_sid=config.messaging_service_sid if config is not None else None,
        status_url=webhook_urls()[1],
        shared_buckets=(
            throttle.tenant_bucket(tenant_id, plan_mps(plan)),
            throttle.account_bucket(account, get_settings().provider_account_mps),
        ),
    )


# --- one message: reserve, then send now or at the slot -------------------------------


def send_when_allowed(tenant_id: uuid.UUID, message_id: uuid.UUID, *, bulk: bool) -> str:
    """Reserve a rate slot, then send now (a wait under a second) or at the slot, via the
    queue. Returns what happened (for logs and tests)."""
    from shared.queue import schedule

    with tenant_session(tenant_id) as s:
        row = s.execute(
            select(Message.segments, Message.number_id, Message.campaign_id, PhoneNumber.mps)
            .outerjoin(PhoneNumber, PhoneNumber.id == Message.number_id)
            .where(Message.id == message_id, Message.status == "queued")
        ).first()
        if row is None:
            return "not-queued"
        sender = sender_for(s, tenant_id)
        buckets = sender.buckets(row.number_id, row.mps, hooks.campaign_cap(s, row.campaign_id))
    reservation = throttle.reserve(buckets, row.segments, bulk=bulk)
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
    return dispatch(tenant_id, [(message_id, reservation.at_ms)], sender=sender, inline=True)[
        message_id
    ]


def deliver(tenant_id: uuid.UUID, message_id: uuid.UUID) -> str:
    """Send one queued message whose slot has come. Returns what happened."""
    return dispatch(tenant_id, [(message_id, 0)], inline=True).get(message_id, "not-queued")


# --- a batch: claim, dispatch at the slots, record -------------------------------------


@dataclass(frozen=True)
class Claimed:
    id: uuid.UUID
    campaign_id: uuid.UUID | None
    number_id: uuid.UUID | None
    mps: float | None
    from_number: str
    to_number: str
    body: str
    media_urls: list[str] | None
    segments: int
    attempts: int
    slot_ms: int


@dataclass(frozen=True)
class Accepted:
    id: uuid.UUID
    sid: str
    segments: int | None
    dispatched_at: datetime


def dispatch(
    tenant_id: uuid.UUID,
    slots: Sequence[tuple[uuid.UUID, int]],
    *,
    sender: Sender | None = None,
    inline: bool = False,
) -> dict[uuid.UUID, str]:
    """Send messages whose slots (epoch ms) are at most about a second away.

    One transaction claims them all; each is sent at its slot (through the shared dispatch
    threads, or in this thread when `inline`); one transaction records the answers.
    Returns each message's outcome: sent, failed, retrying, unknown, repaced, suppressed,
    or not-queued (a duplicate task, a paused campaign, or already handled)."""
    claimed, outcomes = claim_slotted(tenant_id, slots)
    return {**outcomes, **send_claimed(tenant_id, claimed, sender=sender, inline=inline)}


def claim_slotted(
    tenant_id: uuid.UUID, slots: Sequence[tuple[uuid.UUID, int]]
) -> tuple[list[Claimed], dict[uuid.UUID, str]]:
    """`claim` messages that have their slots (epoch ms) already; the claimed carry them."""
    at = dict(slots)
    claimed, outcomes = claim(tenant_id, list(at))
    return [replace(c, slot_ms=at[c.id]) for c in claimed], outcomes


def claim(
    tenant_id: uuid.UUID, message_ids: Sequence[uuid.UUID]
) -> tuple[list[Claimed], dict[uuid.UUID, str]]:
    """One transaction: suppress the messages whose contact opted out since queueing, and
    claim (`queued -> sending`) those that may go. Returns the claimed (without a slot yet)
    and the outcome of the others (suppressed, or not-queued)."""
    outcomes = dict.fromkeys(message_ids, "not-queued")
    with tenant_session(tenant_id) as s:
        lock_messages(s, list(outcomes))
        for message_id in _suppress_opted_out(s, list(message_ids)):
            outcomes[message_id] = "suppressed"
        claimed = _claim(s, list(message_ids))
    for c in claimed:
        outcomes.pop(c.id, None)
    return claimed, outcomes


_UNCLAIM = text(
    "UPDATE messages SET status = 'queued', attempts = attempts - 1, sending_at = NULL"
    " WHERE id = ANY(CAST(string_to_array(:ids, ',') AS uuid[])) AND status = 'sending'"
    " AND provider_sid IS NULL"
)


def unclaim(tenant_id: uuid.UUID, message_ids: Sequence[uuid.UUID]) -> None:
    """Give back claims that got no rate slot (nothing was sent): queued again, as before
    the claim, for the retry that takes a slot later."""
    if message_ids:
        with tenant_session(tenant_id) as s:
            lock_messages(s, message_ids)
            s.execute(_UNCLAIM, {"ids": joined(message_ids)})


def send_claimed(
    tenant_id: uuid.UUID,
    claimed: Sequence[Claimed],
    *,
    sender: Sender | None = None,
    inline: bool = False,
) -> dict[uuid.UUID, str]:
    """Send claimed messages at their slots, record the answers; each one's outcome."""
    if not claimed:
        return {}
    if sender is None:
        with tenant_session(tenant_id) as s:
            sender = sender_for(s, tenant_id)
    claimed = sorted(claimed, key=lambda c: c.slot_ms)
    if inline:
        return _settle(tenant_id, claimed, [_send_here(sender, c) for c in claimed])
    return settle(tenant_id, submit(claimed, sender))


# Each send and its answer to come: Accepted, a ProviderError, or None (not sent).
Submitted = list[tuple[Claimed, Answer]]


# A send's thread takes it up this much before its slot: its DID's guard holds it until
# the wire is free (throttle.WIRE_WAIT_MS at most), so a DID sending at its full rate has
# its next request ready when the wire frees, instead of a thread's wake-up after (a few
# ms a send, each a loss of the pool's capacity). A DID with its wire free sends at once.
EARLY_SECONDS = 0.02


def submit(claimed: Sequence[Claimed], sender: Sender) -> Submitted:
    """Hand claimed messages to this instance's dispatcher, each to be sent at its slot;
    `settle` waits for their answers and records them."""
    dispatcher = get_dispatcher()
    return [
        (c, dispatcher.submit(c.slot_ms / 1000 - EARLY_SECONDS, _Send(sender, c))) for c in claimed
    ]


def settle(tenant_id: uuid.UUID, submitted: Submitted) -> dict[uuid.UUID, str]:
    """Wait for submitted sends, record the answers (the accepted in one transaction);
    each one's outcome."""
    return _settle(tenant_id, [c for c, _ in submitted], [a.result() for _, a in submitted])


def _settle(
    tenant_id: uuid.UUID,
    claimed: Sequence[Claimed],
    results: Sequence[Accepted | ProviderError | None],
) -> dict[uuid.UUID, str]:
    outcomes: dict[uuid.UUID, str] = {}
    accepted = [r for r in results if isinstance(r, Accepted)]
    if accepted:
        record_accepted(tenant_id, accepted)
    for c, result in zip(claimed, results, strict=True):
        if isinstance(result, Accepted):
            outcomes[c.id] = "sent"
        elif isinstance(result, ProviderError):
            outcomes[c.id] = _record_failure(tenant_id, c.id, result, c.attempts)
        else:
            outcomes[c.id] = _repace(tenant_id, c.id)
    return outcomes


_LOCK_IN_ORDER = text(
    "SELECT count(*) FROM (SELECT 1 FROM messages"
    " WHERE id = ANY(CAST(string_to_array(:ids, ',') AS uuid[])) ORDER BY id FOR UPDATE)"
    " AS locked"
)


def lock_messages(s: Session, message_ids: Sequence[uuid.UUID]) -> None:
    """Lock these messages in id order before a multi-row UPDATE of them. Batches that
    overlap (a claim, the record of the answers, a burst of callbacks) then queue behind
    each other instead of locking in opposite orders and deadlocking."""
    if len(message_ids) > 1:
        s.execute(_LOCK_IN_ORDER, {"ids": joined(message_ids)})


_BULK_HORIZON_SECONDS = throttle.BULK_HORIZON_MS / 1000


def dispatch_is_busy() -> bool:
    """This instance's sends are leaving late, too many are in flight, or its pace is
    planned beyond the bulk horizon: batches then come back later instead of reserving
    slots they could not keep."""
    return get_dispatcher().is_busy(_BULK_HORIZON_SECONDS)


def dispatch_backlog_seconds() -> float:
    """How far behind this instance's sends are, or how long until its pace has room
    again: when a deferred batch should come back."""
    return get_dispatcher().backlog_seconds(_BULK_HORIZON_SECONDS)


# How long a batch's worker waits for this instance's pace to have room before the rest of
# the batch comes back through the queue.
ROOM_WAIT_SECONDS = 1.0


def plan_sends(count: int) -> list[float]:
    """The earliest slot (seconds from now) of each of the next `count` bulk sends at the
    pace this instance keeps up with: as many as fit within the bulk horizon, once there
    is room (waiting up to ROOM_WAIT_SECONDS for it)."""
    return get_dispatcher().plan(count, _BULK_HORIZON_SECONDS, ROOM_WAIT_SECONDS)


def _suppress_opted_out(s: Session, message_ids: list[uuid.UUID]) -> list[uuid.UUID]:
    """Suppression at send time: an opt-out that arrived after queueing wins."""
    rows = s.execute(
        update(Message)
        .where(
            id_in("messages.id").bindparams(ids=joined(message_ids)),
            Message.status == "queued",
            Message.sender_type != "system",
            Message.contact_id == Contact.id,
            Contact.opted_out.is_(True),
        )
        .values(status="suppressed", error_message="contact opted out")
        .returning(Message.id, Message.campaign_id)
        .execution_options(synchronize_session=False)  # no Message loaded in this session
    ).all()
    hooks.settled(s, [(r.campaign_id, r.id, "suppressed") for r in rows])
    return [r.id for r in rows]


def _claim(s: Session, message_ids: list[uuid.UUID]) -> list[Claimed]:
    mps = select(PhoneNumber.mps).where(PhoneNumber.id == Message.number_id).scalar_subquery()
    rows = s.execute(
        update(Message)
        .where(
            id_in("messages.id").bindparams(ids=joined(message_ids)),
            Message.status == "queued",
            hooks.claim_gate(),  # a campaign's messages go only while it runs
        )
        .values(status="sending", sending_at=now(), attempts=Message.attempts + 1)
        .returning(
            Message.id,
            Message.campaign_id,
            Message.number_id,
            mps.label("mps"),
            Message.from_number,
            Message.to_number,
            Message.body,
            Message.media_urls,
            Message.segments,
            Message.attempts,
        )
        .execution_options(synchronize_session=False)  # no Message loaded in this session
    ).all()
    return [
        Claimed(
            id=r.id,
            campaign_id=r.campaign_id,
            number_id=r.number_id,
            mps=r.mps,
            from_number=r.from_number,
            to_number=r.to_number,
            body=r.body or "",
            media_urls=(r.media_urls or {}).get("urls"),
            segments=r.segments,
            attempts=r.attempts,
            slot_ms=0,
        )
        for r in rows
    ]


# A send whose DID's guard keeps it waiting longer than this after its first try gives its
# claim back (it goes again through the single-send path: costly, so only when something
# is wrong; a send that took a new slot waits about the bulk horizon for it).
MAX_PACE_WAIT_SECONDS = 10.0
# A send that waits longer than this looks at its claim gate again (one SELECT) and gives
# its claim back if it no longer passes: a claimed send does not trail a pause by more.
GATE_RECHECK_SECONDS = 1.0
# In the caller's thread (single sends on a queue worker) as before this work.
MAX_INLINE_PACE_WAIT_SECONDS = 2.0


class _Send:
    """One claimed message's provider call, made by the dispatcher at its slot. Right
    before the request leaves, the DID's guard; when it says wait, the call returns
    `Later` and the dispatcher runs it again then (no thread sleeps). Its result: Accepted,
    a ProviderError, or None (not sent: the claim is given back, because the DID's pace
    would keep it waiting too long or the guard is unreachable)."""

    def __init__(
        self, sender: Sender, claimed: Claimed, max_wait: float = MAX_PACE_WAIT_SECONDS
    ) -> None:
        self.sender, self.c = sender, claimed
        self.slot_ms = claimed.slot_ms
        self.max_wait = max_wait
        self.first_try: float | None = None
        self.gate_checked = 0.0  # seconds waited when the claim gate was last checked

    def __call__(self) -> Accepted | ProviderError | Later | None:
        c = self.c
        self.first_try = self.first_try or time.time()
        dispatched = time.time()
        retry: throttle.Pace | None = None
        went: tuple[throttle.Bucket, throttle.Pace, float] | None = None

        def guard() -> bool:
            nonlocal dispatched, retry, went
            if c.number_id is None or not c.mps:
                return True
            bucket = throttle.did_bucket(c.number_id, c.mps)
            guarded_at = time.time()
            try:
                paced = throttle.pace(bucket, c.segments, self.slot_ms)
            except Exception:  # Redis down: nothing was sent, so it is safe to send later
                log.warning("dispatch guard unavailable for %s", c.id, exc_info=True)
                return False
            if paced.go:
                if paced.delay > 0:  # the DID's wire is this send's from then
                    time.sleep(paced.delay)
                dispatched = paced.at
                went = (bucket, paced, guarded_at + paced.delay)
            else:
                retry = paced
            return paced.go

        try:
            sent = self.sender.provider.send(
                from_=c.from_number,
                to=c.to_number,
                body=c.body,
                status_callback=f"{self.sender.status_url}?m={c.id}",
                media_urls=c.media_urls,
                messaging_service_sid=self.sender.messaging_service_sid,
                guard=guard,
            )
        except NotSent:
            waited = retry.at - self.first_try if retry is not None else 0.0
            if retry is None or waited > self.max_wait:
                return None
            if waited > self.gate_checked + GATE_RECHECK_SECONDS:
                self.gate_checked = waited
                if not self._still_claimable():
                    return None
            self.slot_ms = retry.slot_ms
            return Later(retry.at)
        except ProviderError as exc:
            return exc
        except Exception as exc:  # the request may have left: reconcile, never resend blindly
            log.exception("provider call for %s ended unexpectedly", c.id)
            return ProviderError(f"{type(exc).__name__}: {exc}", outcome=Outcome.UNKNOWN)
        if went is not None:
            try:
                left_at = sent.left_at or time.time()
                throttle.hold_after(went[0], c.segments, went[1], went[2], left_at)
            except Exception:  # sent and answered: only the next send's spacing is at stake
                log.warning("could not hold the wire after %s", c.id, exc_info=True)
        return Accepted(c.id, sent.sid, sent.segments, datetime.fromtimestamp(dispatched, UTC))

    def _still_claimable(self) -> bool:
        """Whether the message would pass its claim now (a campaign paused meanwhile).
        When that cannot be read, it goes on as claimed (as it would without the check)."""
        gate = select(Message.id).where(Message.id == self.c.id, hooks.claim_gate())
        try:
            with tenant_session(self.sender.tenant_id) as s:
                found = s.scalar(gate)
        except Exception:
            log.warning("claim gate of %s unreadable", self.c.id, exc_info=True)
            return True
        return found is not None


def _send_here(sender: Sender, c: Claimed) -> Accepted | ProviderError | None:
    """The same, in this thread: sleep until the slot (and any wait of the guard)."""
    send = _Send(sender, c, MAX_INLINE_PACE_WAIT_SECONDS)
    at = c.slot_ms / 1000
    while True:
        if (delay := at - time.time()) > 0:
            time.sleep(min(delay, MAX_INLINE_WAIT_SECONDS))
        result = send()
        if not isinstance(result, Later):
            return result
        at = result.at


_RECORD = text(
    "UPDATE messages AS m SET provider_sid = v.sid, sending_at = to_timestamp(v.at),"
    " segments = coalesce(nullif(v.segments, 0), m.segments)"
    " FROM unnest(CAST(string_to_array(:ids, ',') AS uuid[]), string_to_array(:sids, ','),"
    " CAST(string_to_array(:segments, ',') AS int[]),"
    " CAST(string_to_array(:ats, ',') AS float8[])) AS v(id, sid, segments, at)"
    " WHERE m.id = v.id RETURNING m.id, m.campaign_id"
)


@retry_conflicts
def record_accepted(tenant_id: uuid.UUID, accepted: Sequence[Accepted]) -> None:
    """The provider has these messages: keep their ids, tell who follows their outcome
    (`hooks.settled`), and apply any status callback that overtook the answer without
    naming the message."""
    with tenant_session(tenant_id) as s:
        lock_messages(s, [a.id for a in accepted])
        rows = s.execute(
            _RECORD,
            {
                "ids": joined(a.id for a in accepted),
                "sids": joined(a.sid for a in accepted),  # provider ids: no commas
                "segments": joined(a.segments or 0 for a in accepted),
                "ats": joined_times(a.dispatched_at for a in accepted),
            },
        ).all()
        hooks.settled(s, [(r.campaign_id, r.id, "sent") for r in rows])
        record_accepted_messages(s, tenant_id, [r.id for r in rows])  # billed usage
    try:
        apply_early_statuses(tenant_id, [a.sid for a in accepted])
    except Exception:  # Redis lost them: the reconciler settles what callbacks never did
        log.warning("parked statuses unavailable", exc_info=True)


def _repace(tenant_id: uuid.UUID, message_id: uuid.UUID) -> str:
    """Far behind its DID's pace: give the claim back and take a fresh slot later."""
    from shared.queue import schedule

    with tenant_session(tenant_id) as s:
        s.execute(
            update(Message)
            .where(Message.id == message_id, Message.status == "sending")
            .values(status="queued", attempts=Message.attempts - 1)
        )
    schedule(
        SEND_QUEUE,
        {"tenant_id": str(tenant_id), "message_id": str(message_id), "bulk": False},
        key=f"send-{message_id}-repace-{time.time_ns()}",
    )
    return "repaced"


def _record_failure(
    tenant_id: uuid.UUID, message_id: uuid.UUID, exc: ProviderError, attempt: int
) -> str:
    from shared.messaging.events import ContactOptedOut, MessageStatusChanged
    from shared.messaging.health import record_outcome
    from shared.messaging.sending import opt_out
    from shared.queue import publish, publish_on_commit, schedule

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
        publish_on_commit(
            s,
            "message.status",
            MessageStatusChanged(
                tenant_id=tenant_id, message_id=message_id, status="failed", error_code=exc.code
            ),
        )
        hooks.settled(s, [(campaign_id, message_id, "failed")])
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


# --- status callbacks that overtake the send's answer ---------------------------------
# Our callbacks name the message (`?m=`), so they never wait. One that does not (a
# Messaging Service's own callback, or one sent before an upgrade) is matched by provider
# id, and may arrive before that id is recorded: it is parked here until it is.


def _early_key(sid: str) -> str:
    return f"sms:early-status:{sid}"


def _parked_key(tenant_id: uuid.UUID) -> str:
    """Set while a workspace has statuses parked: a batch's record looks for its sends'
    statuses only then (one read, instead of one per send)."""
    return f"sms:early-statuses-parked:{tenant_id}"


EARLY_STATUS_TTL_SECONDS = 3600


def remember_early_status(tenant_id: uuid.UUID, sid: str, params: dict[str, str]) -> None:
    pipe = get_redis().pipeline()
    pipe.set(_parked_key(tenant_id), 1, ex=EARLY_STATUS_TTL_SECONDS)
    pipe.rpush(_early_key(sid), json.dumps(params))
    pipe.expire(_early_key(sid), EARLY_STATUS_TTL_SECONDS)
    pipe.execute()


def apply_early_statuses(tenant_id: uuid.UUID, sids: Sequence[str]) -> None:
    from shared.messaging.webhooks import apply_status

    redis = get_redis()
    if not redis.exists(_parked_key(tenant_id)):
        return
    pipe = redis.pipeline(transaction=False)
    for sid in sids:
        pipe.lrange(_early_key(sid), 0, -1)
    parked: list[Any] = pipe.execute()
    for found in parked:
        for raw in found:
            apply_status(tenant_id, json.loads(raw))


__all__ = ["SEND_QUEUE", "deliver", "dispatch", "send_when_allowed"]
