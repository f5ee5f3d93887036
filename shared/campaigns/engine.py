"""The campaign pipeline: fan-out into batches, and the batch sender.

fan_out (on campaign.launched) slices the frozen audience into batches by seq and
schedules them on the `campaign-batches` queue at the pace the campaign can send (its
pool's capacity, within the plan, account and campaign caps), about a second's worth
each: batches arrive when there is capacity for them, not all at once. Task names are
derived from the launch event, so a redelivered event schedules nothing twice.

send_batch takes the batch's pending rows (row locks, SKIP LOCKED, so two copies of a
batch never take the same contact), checks suppression at send time, renders, picks each
contact's DID (sticky, round-robin) and records the messages as `queued` in one
transaction. It reserves rate slots for the whole batch in one Lua call and dispatches
what has a slot within the horizon (claim, provider calls at their slots, record, each
batched). The rest stays `queued`, and the batch is scheduled again for when its next
slot opens. Redelivered batches and tasks change nothing: a message is claimed once.
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, text

from shared.billing.limits import bulk_refusal
from shared.campaigns import send_hooks
from shared.campaigns.events import CampaignBatch, PlannedSend
from shared.campaigns.models import Campaign, CampaignContact
from shared.campaigns.pace import campaign_rate
from shared.campaigns.quiet_hours import next_allowed, zone_of
from shared.campaigns.service import (
    ROW_STATUS_OF,
    body_of,
    finish_if_done,
    message_text,
    smart_encoding_of,
)
from shared.contacts.models import Contact, Recipient
from shared.conversations.models import Conversation
from shared.db.arrays import id_in, joined, joined_times, json_texts, texts
from shared.db.session import tenant_session
from shared.messaging import delivery, rotation, sending, throttle
from shared.messaging.models import Message, PhoneNumber
from shared.templates.render import compile_template
from shared.templates.segments import analyze, segment_count
from shared.tenancy.models import Tenant

log = logging.getLogger("campaigns")
BATCH_QUEUE = "campaign-batches"
BATCH_SIZE = 200
BATCH_SECONDS = 1.0  # a batch holds about this much of the campaign's sending time
SEGMENT_SAMPLE = 100  # contacts rendered at fan-out to estimate segments per message
# A batch that finds its senders behind comes back after at least their measured lag,
# waiting twice as long each time it finds them behind again (up to the maximum): while
# the fan-out schedules batches faster than the senders can take them (hundreds may
# wait), they then come back a few dozen times a second in all, not each every second.
# The maximum bounds how long room can stay unused when every waiting batch sleeps
# (15 s left the senders idle for seconds once the callbacks had caught up).
BUSY_RETRY_SECONDS = 0.25
BUSY_RETRY_MAX_SECONDS = 8.0

send_hooks.install()  # a process that runs batches settles their audience rows


def fan_out(
    tenant_id: uuid.UUID,
    campaign_id: uuid.UUID,
    batch_size: int = BATCH_SIZE,
    launch_id: str | None = None,
    epoch: int | None = None,
) -> int:
    """Schedule the campaign's batches at its pace. `launch_id` (the launch event's id)
    names the tasks, so a redelivered launch event schedules nothing twice. `epoch`: the
    run the launch started; a launch of a run that a pause and resume replaced does
    nothing (the newer one fans out)."""
    from shared.queue import schedule

    with tenant_session(tenant_id) as s:
        campaign = s.get(Campaign, campaign_id)
        if campaign is None or campaign.status != "running":
            return 0
        if epoch is not None and epoch != campaign.run_epoch:
            return 0
        run = campaign.run_epoch
        seqs = (
            s.execute(
                select(CampaignContact.seq)
                .where(
                    CampaignContact.campaign_id == campaign_id,
                    CampaignContact.status.in_(("pending", "queued")),
                )
                .order_by(CampaignContact.seq)
            )
            .scalars()
            .all()
        )
        rate = campaign_rate(s, tenant_id, campaign)
        segments = _segments_per_message(s, tenant_id, campaign)
    per_second = rate / segments
    size = max(1, min(batch_size, int(per_second * BATCH_SECONDS))) if rate else batch_size
    spacing = size / per_second if rate else 0.0
    start = datetime.now(UTC)
    launch = launch_id or uuid.uuid4().hex
    batches = 0
    for i in range(0, len(seqs), size):
        chunk = seqs[i : i + size]
        batch = CampaignBatch(
            tenant_id=tenant_id,
            campaign_id=campaign_id,
            seq_from=chunk[0],
            seq_to=chunk[-1],
            epoch=run,
        )
        schedule(
            BATCH_QUEUE,
            batch.model_dump(mode="json"),
            at=start + timedelta(seconds=batches * spacing),
            key=f"batch-{launch}-{chunk[0]}",
        )
        batches += 1
    return batches


def _segments_per_message(s: Any, tenant_id: uuid.UUID, campaign: Campaign) -> float:
    """The mean segment count of the campaign's messages, from a sample rendered now (names
    and fields push some messages into a second segment)."""
    compiled = compile_template(body_of(s, campaign))
    tenant = s.get_one(Tenant, tenant_id)
    sample = s.scalars(
        select(Contact)
        .join(CampaignContact, CampaignContact.contact_id == Contact.id)
        .where(CampaignContact.campaign_id == campaign.id, CampaignContact.status == "pending")
        .order_by(CampaignContact.seq)
        .limit(SEGMENT_SAMPLE)
    ).all()
    if not sample:
        return 1.0
    smart = smart_encoding_of(campaign, tenant)
    texts = [message_text(compiled, c, tenant, campaign, smart) for c in sample]
    return max(1.0, sum(segment_count(text) for text in texts) / len(texts))


@dataclass(frozen=True, slots=True)
class _BatchRow:
    """An audience row of a batch with its contact's columns that a send reads (a
    `Recipient`). Plain rows: ORM objects of the contact and the row, each column not
    loaded given its own loader, were a sixth of a sender's CPU."""

    status: str
    message_id: uuid.UUID | None
    id: uuid.UUID
    phone: str
    first_name: str | None
    last_name: str | None
    email: str | None
    timezone: str | None
    fields: dict[str, Any]
    opted_out: bool
    erased_at: datetime | None


_BATCH_ROWS = (
    select(
        CampaignContact.status,
        CampaignContact.message_id,
        Contact.id,
        Contact.phone,
        Contact.first_name,
        Contact.last_name,
        Contact.email,
        Contact.timezone,
        Contact.fields,
        Contact.opted_out,
        Contact.erased_at,
    )
    .join(Contact, Contact.id == CampaignContact.contact_id)
    .order_by(CampaignContact.seq)
    .with_for_update(of=CampaignContact, skip_locked=True)
)
_SETTLE_ROWS = text(
    "UPDATE campaign_contacts AS cc SET status = v.status, updated_at = now()"
    " FROM unnest(CAST(string_to_array(:contacts, ',') AS uuid[]), string_to_array(:statuses, ','))"
    " AS v(contact_id, status)"
    " WHERE cc.campaign_id = :campaign_id AND cc.contact_id = v.contact_id"
)


def send_batch(
    tenant_id: uuid.UUID,
    campaign_id: uuid.UUID,
    seq_from: int,
    seq_to: int,
    deferrals: int = 0,
    *,
    epoch: int | None = None,
) -> dict[str, int]:

    counts = {"queued": 0, "skipped": 0, "deferred": 0, "redispatched": 0, "waiting": 0}
    later = CampaignBatch(
        tenant_id=tenant_id,
        campaign_id=campaign_id,
        seq_from=seq_from,
        seq_to=seq_to,
        deferrals=deferrals,
        epoch=epoch,
    )
    # Nothing is taken or queued until there is room. This instance's sends leaving late
    # is known from memory: such a batch comes back without a database read (hundreds of
    # batches may be waiting for room; each turn must be cheap).
    if delivery.dispatch_is_busy():
        _come_back_later(later)
        return counts
    # A batch of a stopped run (paused, cancelled, or replaced by a resume) ends here,
    # before it waits or comes back: a campaign's work in flight is its current run's.
    current, behind = _run_state(tenant_id, campaign_id)
    if current is None or (epoch is not None and epoch != current):
        return counts
    if behind:  # the campaign's status callbacks are behind (the webhook side is slower)
        _come_back_later(later)
        return counts
    planned: list[PlannedSend] = []
    deferred: list[tuple[uuid.UUID, datetime]] = []
    with tenant_session(tenant_id) as s:
        campaign = s.get(Campaign, campaign_id)
        if campaign is None or campaign.status != "running" or campaign.pool_id is None:
            return counts
        if epoch is not None and epoch != campaign.run_epoch:
            return counts
        tenant = s.get_one(Tenant, tenant_id)
        if (refusal := bulk_refusal(tenant)) is not None:  # past due beyond the grace period
            campaign.status, campaign.pause_reason = "paused", refusal
            campaign.paused_at = datetime.now(UTC)
            return counts
        dids = rotation.pool_dids(s, campaign.pool_id)
        compiled = compile_template(body_of(s, campaign))
        smart = smart_encoding_of(campaign, tenant)
        quiet = campaign.quiet_hours
        rows = [
            _BatchRow(*row)
            for row in s.execute(
                _BATCH_ROWS.where(
                    CampaignContact.campaign_id == campaign_id,
                    CampaignContact.seq.between(seq_from, seq_to),
                    CampaignContact.status.in_(("pending", "queued")),
                )
            )
        ]
        clock = datetime.now(UTC)

        def due(row: _BatchRow) -> datetime:
            return _allowed_at(clock, quiet, row.phone, row.timezone)

        # Rows queued already (a retry of this batch, a redelivery, a resume): their
        # messages are sent again only if still queued, and never in quiet hours. A row
        # whose message went further (its sender died before recording the answer) is
        # settled here.
        requeued = {r.message_id: r for r in rows if r.status == "queued" and r.message_id}
        went_on: list[tuple[uuid.UUID, str]] = []  # (contact, row status) of those gone on
        if requeued:
            for m in s.execute(
                select(
                    Message.id, Message.status, Message.number_id, Message.segments, PhoneNumber.mps
                )
                .outerjoin(PhoneNumber, PhoneNumber.id == Message.number_id)
                .where(Message.id.in_(list(requeued)))
            ):
                contact = requeued[m.id]
                if m.status != "queued":
                    went_on.append((contact.id, ROW_STATUS_OF.get(m.status, contact.status)))
                    continue
                when = due(contact)
                if when > clock:
                    deferred.append((m.id, when))
                else:
                    planned.append(_planned(m.id, m.number_id, m.mps, m.segments, contact))
                counts["redispatched"] += 1
            if went_on:
                s.execute(
                    _SETTLE_ROWS,
                    {
                        "campaign_id": campaign_id,
                        "contacts": joined(c for c, _ in went_on),
                        "statuses": joined(st for _, st in went_on),
                    },
                )
        pending = [r for r in rows if r.status == "pending"]
        conversations = _conversations(s, tenant_id, [c.id for c in pending])
        messages: list[dict[str, Any]] = []
        skipped: list[tuple[uuid.UUID, str]] = []
        sendable: list[_BatchRow] = []
        for contact in pending:
            if contact.opted_out or contact.erased_at is not None:
                skipped.append((contact.id, "opted_out" if contact.opted_out else "erased"))
            else:
                sendable.append(contact)
        stickies = [conversations[c.id].number_id for c in sendable]
        bodies = [message_text(compiled, c, tenant, campaign, smart) for c in sendable]
        infos = [analyze(body) for body in bodies]
        assigned = rotation.assign(
            campaign.pool_id, dids, stickies, [info.segments for info in infos]
        )
        # An empty pool assigns nothing: the rows stay pending for a resume.
        for contact, did, body, info in zip(sendable, assigned, bodies, infos, strict=False):
            conversation = conversations[contact.id]
            values = sending.outbound_values(
                tenant_id,
                contact,
                conversation.id,
                did,
                body,
                sender_type="campaign",
                campaign_id=campaign_id,
                info=info,
            )
            messages.append(values)
            when = due(contact)
            if when > clock:
                deferred.append((values["id"], when))
                counts["deferred"] += 1
            else:
                planned.append(_planned(values["id"], did.id, did.mps, values["segments"], contact))
        counts["queued"], counts["skipped"] = len(messages), len(skipped)
        _record_queued(s, campaign_id, messages, skipped)
        _mark_due(s, deferred)
        if not rows or not planned:
            finish_if_done(s, campaign_id)
        sender = delivery.sender_for(s, tenant_id) if planned else None
        cap = send_hooks.campaign_cap(s, campaign_id)
    for message_id, when in deferred:
        _send_after_quiet_hours(tenant_id, message_id, when)
    if sender is not None:
        batch = CampaignBatch(
            tenant_id=tenant_id,
            campaign_id=campaign_id,
            seq_from=seq_from,
            seq_to=seq_to,
            epoch=epoch,
        )
        counts["waiting"] = _reserve_and_dispatch(batch, planned, sender, cap)
    return counts


# Messages of a campaign handed to the provider whose first status callback has not been
# applied yet: above this, the callbacks are falling behind the sends, and the campaign's
# batches wait (the senders slow down to the webhook side's pace instead of piling up work
# at the provider and timed-out callbacks). About a second of a large pool.
MAX_AWAITING_CALLBACKS = 2000
_AWAITING = text(
    "SELECT count(*) FROM (SELECT 1 FROM messages WHERE campaign_id = :c AND status = 'sending'"
    " LIMIT :n) AS awaiting"
)


# How long this process trusts its last count of a campaign's messages awaiting a callback
# (up to MAX_AWAITING_CALLBACKS index entries read; batches that wait ask many times a
# second). The run's state itself is read every time: a pause stops batches at once.
AWAITING_CHECK_SECONDS = 1.0
_behind: dict[uuid.UUID, tuple[float, bool]] = {}


def _run_state(tenant_id: uuid.UUID, campaign_id: uuid.UUID) -> tuple[int | None, bool]:
    """(the campaign's current run, or None when it is not running; whether its status
    callbacks are behind), in one transaction."""
    with tenant_session(tenant_id) as s:
        row = s.execute(
            select(Campaign.status, Campaign.run_epoch).where(Campaign.id == campaign_id)
        ).first()
        if row is None or row.status != "running":
            return None, False
        counted = _behind.get(campaign_id)
        if counted is not None and time.monotonic() - counted[0] < AWAITING_CHECK_SECONDS:
            return row.run_epoch, counted[1]
        awaiting = s.scalar(_AWAITING, {"c": campaign_id, "n": MAX_AWAITING_CALLBACKS})
    behind = (awaiting or 0) >= MAX_AWAITING_CALLBACKS
    if len(_behind) > 10_000:  # campaigns long finished
        _behind.clear()
    _behind[campaign_id] = (time.monotonic(), behind)
    return row.run_epoch, behind


def _allowed_at(
    clock: datetime, quiet: dict[str, str] | None, phone: str, timezone: str | None
) -> datetime:
    """`clock` outside the campaign's quiet hours in the contact's zone, else their end."""
    if not quiet:
        return clock
    return next_allowed(clock, zone_of(phone, timezone), quiet["start"], quiet["end"])


_MARK_DUE = text(
    "UPDATE messages AS m SET due_at = v.due_at FROM unnest(CAST(:ids AS uuid[]),"
    " CAST(:dues AS timestamptz[])) AS v(id, due_at) WHERE m.id = v.id AND m.status = 'queued'"
)


def _mark_due(s: Any, deferred: list[tuple[uuid.UUID, datetime]]) -> None:
    """Deferred messages say when they are due (the messages list and the stats show it)."""
    if deferred:
        s.execute(
            _MARK_DUE, {"ids": [str(m) for m, _ in deferred], "dues": [w for _, w in deferred]}
        )


def _send_after_quiet_hours(tenant_id: uuid.UUID, message_id: uuid.UUID, when: datetime) -> None:
    from shared.queue import schedule

    schedule(
        delivery.SEND_QUEUE,
        {"tenant_id": str(tenant_id), "message_id": str(message_id), "bulk": True},
        at=when,
        key=f"send-{message_id}-quiet-{int(when.timestamp())}",
    )


def _come_back_later(batch: CampaignBatch) -> None:
    """The senders are behind: the batch comes back after their lag, or after a backoff
    that doubles with each deferral (with jitter, so deferred batches do not return
    together)."""
    from shared.queue import schedule

    backoff = BUSY_RETRY_SECONDS * 2 ** min(batch.deferrals, 8)
    delay = min(BUSY_RETRY_MAX_SECONDS, max(backoff, delivery.dispatch_backlog_seconds()))
    at = datetime.now(UTC) + timedelta(seconds=delay * random.uniform(1.0, 1.5))
    schedule(
        BATCH_QUEUE,
        batch.model_copy(update={"deferrals": batch.deferrals + 1}).model_dump(mode="json"),
        at=at,
        key=f"batch-{batch.campaign_id}-{batch.seq_from}-busy-{time.time_ns()}",
    )


def _planned(
    message_id: uuid.UUID,
    number_id: uuid.UUID | None,
    mps: float | None,
    segments: int,
    c: Recipient,
) -> PlannedSend:
    return PlannedSend(
        message_id=message_id,
        number_id=number_id,
        mps=mps,
        segments=segments,
        phone=c.phone,
        timezone=c.timezone,
    )


def send_waiting(batch: CampaignBatch) -> dict[str, int]:
    """A batch's retry for the messages that had no rate slot: nothing is read again but
    the campaign's state (paused or cancelled: dropped, a resume fans out anew)."""

    counts = {"deferred": 0, "waiting": 0}
    with tenant_session(batch.tenant_id) as s:
        campaign = s.get(Campaign, batch.campaign_id)
        if campaign is None or campaign.status != "running":
            return counts
        if batch.epoch is not None and batch.epoch != campaign.run_epoch:
            return counts  # a retry of a run a pause and resume replaced
        quiet = campaign.quiet_hours
        sender = delivery.sender_for(s, batch.tenant_id)
        cap = send_hooks.campaign_cap(s, batch.campaign_id)
    clock = datetime.now(UTC)
    ready: list[PlannedSend] = []
    deferred: list[tuple[uuid.UUID, datetime]] = []
    for p in batch.waiting:
        when = _allowed_at(clock, quiet, p.phone, p.timezone)
        if when > clock:
            deferred.append((p.message_id, when))
        else:
            ready.append(p)
    if deferred:
        with tenant_session(batch.tenant_id) as s:
            _mark_due(s, deferred)
    for message_id, when in deferred:
        counts["deferred"] += 1
        _send_after_quiet_hours(batch.tenant_id, message_id, when)
    counts["waiting"] = _reserve_and_dispatch(batch, ready, sender, cap, claim_first=False)
    return counts


def _reserve_and_dispatch(
    batch: CampaignBatch,
    planned: list[PlannedSend],
    sender: delivery.Sender,
    cap: throttle.Bucket | None,
    *,
    claim_first: bool = True,
) -> int:
    """Reserve slots for the batch and send what got one; the rest comes back (as this
    batch's retry) when the first of their slots opens. Returns how many wait.

    Slots are no sooner than this instance can start the sends (its pace, see
    `delivery.plan_sends`): the batch goes in chunks of what fits within the bulk
    horizon at that pace, this worker waiting for room between them, and what finds no
    room comes back through the queue. A first pass claims the batch in one transaction,
    then reserves chunk by chunk: a slot is taken only for a send that may go, right
    before it is handed to the timer (the claim's transaction never sits between a
    reservation and its slot); claims that got no slot are given back. A retry
    (`claim_first` False: the pool is the bottleneck, and most of a retry would be
    claimed only to be given back) reserves first and claims what got a slot. When this
    instance's sends are behind, nothing is claimed or reserved: the batch comes back
    shortly. The answers of the whole batch are recorded together."""
    if planned and delivery.dispatch_is_busy():
        _come_back_later(batch.model_copy(update={"waiting": planned}))
        return len(planned)
    by_id: dict[uuid.UUID, delivery.Claimed] = {}
    if claim_first and planned:
        claimed, _ = delivery.claim(batch.tenant_id, [p.message_id for p in planned])
        by_id = {c.id: c for c in claimed}
        planned = [p for p in planned if p.message_id in by_id]  # not suppressed, paused
    submitted: delivery.Submitted = []
    waiting: list[tuple[PlannedSend, int]] = []
    rest = planned
    while rest and (earliest := delivery.plan_sends(len(rest))):
        chunk, rest = rest[: len(earliest)], rest[len(earliest) :]
        reservations = throttle.reserve_many(
            [(sender.buckets(p.number_id, p.mps, cap), p.segments) for p in chunk],
            bulk=True,
            earliest=earliest,
        )
        done = list(zip(chunk, reservations, strict=True))
        slots = [(p.message_id, r.at_ms) for p, r in done if r.granted]
        waiting += [(p, r.at_ms) for p, r in done if not r.granted]
        if claim_first:
            granted = [replace(by_id[m], slot_ms=at) for m, at in slots]
        else:
            granted = delivery.claim_slotted(batch.tenant_id, slots)[0]
        submitted += delivery.submit(granted, sender)
    if rest:  # no room within the wait: back through the queue when there should be
        room_ms = round((time.time() + delivery.dispatch_backlog_seconds()) * 1000)
        waiting += [(p, room_ms) for p in rest]
    if waiting and claim_first:
        delivery.unclaim(batch.tenant_id, [p.message_id for p, _ in waiting])
    if waiting:
        _retry_waiting(batch, waiting)
    if submitted:
        delivery.settle(batch.tenant_id, submitted)
    return len(waiting)


def _retry_waiting(batch: CampaignBatch, waiting: list[tuple[PlannedSend, int]]) -> None:
    """The batch's retry for its sends with no slot yet, when the first may have one."""
    from shared.queue import schedule

    at_ms = min(at for _, at in waiting)
    retry = batch.model_copy(
        update={"waiting": [p for p, _ in waiting], "retries": batch.retries + 1}
    )
    # The key names the retry's generation too: a retry that ran a few ms early (the
    # queue's timer granularity) is refused at the same slot, so it schedules the same
    # time again; without the generation its key was taken and its messages stayed
    # queued for good (the last messages of a pool-bound campaign).
    schedule(
        BATCH_QUEUE,
        retry.model_dump(mode="json"),
        at=datetime.fromtimestamp(at_ms / 1000, UTC),
        key=f"batch-{batch.campaign_id}-{batch.seq_from}-retry-{retry.retries}-{at_ms}",
    )


# The batch's messages, their threads and their audience rows, each in one statement over
# arrays: the same SQL text for any batch size (a multi-row VALUES is compiled anew per
# batch, which was a fifth of a sender's CPU).
_INSERT_MESSAGES = text(
    "INSERT INTO messages (id, tenant_id, campaign_id, conversation_id, contact_id, number_id,"
    " direction, sender_type, from_number, to_number, body, segments, encoding, status,"
    " priority, provider, queued_at)"
    " SELECT v.id, :tenant_id, :campaign_id, v.conversation_id, v.contact_id, v.number_id,"
    " 'outbound', 'campaign', v.from_number, v.to_number, v.body, v.segments, v.encoding,"
    " 'queued', 0, v.provider, to_timestamp(v.queued_at)"
    " FROM unnest("
    "  CAST(string_to_array(:ids, ',') AS uuid[]),"
    "  CAST(string_to_array(:conversations, ',') AS uuid[]),"
    "  CAST(string_to_array(:contacts, ',') AS uuid[]),"
    "  CAST(string_to_array(:numbers, ',') AS uuid[]),"
    "  string_to_array(:froms, ','), string_to_array(:tos, ','), " + texts("bodies") + ","
    "  CAST(string_to_array(:segments, ',') AS int[]), string_to_array(:encodings, ','),"
    "  string_to_array(:providers, ','), CAST(string_to_array(:ats, ',') AS float8[]))"
    " AS v(id, conversation_id, contact_id, number_id, from_number, to_number, body, segments,"
    " encoding, provider, queued_at)"
)
_TOUCH_THREADS = text(
    "UPDATE conversations AS c SET number_id = coalesce(c.number_id, v.number_id),"
    " last_message_at = to_timestamp(v.at), last_message_preview = left(v.body, 200),"
    " last_campaign_id = :campaign_id, updated_at = now()"
    " FROM unnest(CAST(string_to_array(:ids, ',') AS uuid[]),"
    "  CAST(string_to_array(:numbers, ',') AS uuid[]), " + texts("bodies") + ","
    "  CAST(string_to_array(:ats, ',') AS float8[])) AS v(id, number_id, body, at)"
    " WHERE c.id = v.id"
)
_OPEN_THREADS = text(
    "INSERT INTO conversations (tenant_id, contact_id)"
    " SELECT :tenant_id, unnest(CAST(string_to_array(:contacts, ',') AS uuid[]))"
    " ON CONFLICT (tenant_id, contact_id) DO NOTHING"
)
_QUEUE_ROWS = text(
    "UPDATE campaign_contacts AS cc SET status = 'queued', message_id = v.message_id,"
    " updated_at = now()"
    " FROM unnest(CAST(string_to_array(:contacts, ',') AS uuid[]),"
    "  CAST(string_to_array(:messages, ',') AS uuid[])) AS v(contact_id, message_id)"
    " WHERE cc.campaign_id = :campaign_id AND cc.contact_id = v.contact_id"
)
_SKIP_ROWS = text(
    "UPDATE campaign_contacts AS cc SET status = 'skipped', skip_reason = v.reason,"
    " updated_at = now()"
    " FROM unnest(CAST(string_to_array(:contacts, ',') AS uuid[]), string_to_array(:reasons, ','))"
    " AS v(contact_id, reason)"
    " WHERE cc.campaign_id = :campaign_id AND cc.contact_id = v.contact_id"
)


def _record_queued(
    s: Any,
    campaign_id: uuid.UUID,
    messages: list[dict[str, Any]],
    skipped: list[tuple[uuid.UUID, str]],
) -> None:
    if messages:
        s.execute(
            _INSERT_MESSAGES,
            {
                "tenant_id": messages[0]["tenant_id"],
                "campaign_id": campaign_id,
                "ids": joined(m["id"] for m in messages),
                "conversations": joined(m["conversation_id"] for m in messages),
                "contacts": joined(m["contact_id"] for m in messages),
                "numbers": joined(m["number_id"] for m in messages),
                "froms": joined(m["from_number"] for m in messages),
                "tos": joined(m["to_number"] for m in messages),
                "bodies": json_texts(m["body"] for m in messages),
                "segments": joined(m["segments"] for m in messages),
                "encodings": joined(m["encoding"] for m in messages),
                "providers": joined(m["provider"] for m in messages),
                "ats": joined_times(m["queued_at"] for m in messages),
            },
        )
        s.execute(
            _TOUCH_THREADS,
            {
                "campaign_id": campaign_id,
                "ids": joined(m["conversation_id"] for m in messages),
                "numbers": joined(m["number_id"] for m in messages),
                "bodies": json_texts(m["body"] for m in messages),
                "ats": joined_times(m["queued_at"] for m in messages),
            },
        )
        s.execute(
            _QUEUE_ROWS,
            {
                "campaign_id": campaign_id,
                "contacts": joined(m["contact_id"] for m in messages),
                "messages": joined(m["id"] for m in messages),
            },
        )
    if skipped:
        s.execute(
            _SKIP_ROWS,
            {
                "campaign_id": campaign_id,
                "contacts": joined(c for c, _ in skipped),
                "reasons": joined(r for _, r in skipped),
            },
        )


def _conversations(
    s: Any, tenant_id: uuid.UUID, contact_ids: list[uuid.UUID]
) -> dict[uuid.UUID, Any]:
    """Each contact's thread (opened if it has none): its id and sticky number only."""
    if not contact_ids:
        return {}
    ids = joined(contact_ids)
    s.execute(_OPEN_THREADS, {"tenant_id": tenant_id, "contacts": ids})
    found = s.execute(
        select(Conversation.contact_id, Conversation.id, Conversation.number_id).where(
            id_in("conversations.contact_id").bindparams(ids=ids)
        )
    )
    return {c.contact_id: c for c in found}
