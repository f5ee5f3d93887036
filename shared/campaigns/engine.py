"""The campaign pipeline: fan-out into batches, and the batch sender.

fan_out (on campaign.launched) publishes `campaign.batch` events over the frozen
audience's seq range. send_batch takes the batch's pending rows (row locks, SKIP LOCKED, so
two copies of a batch never take the same contact), checks suppression at send time,
renders, picks each contact's DID (sticky, round-robin), records the messages as `queued`
in one transaction, then hands each to the throttled send path: sent within the next
second, or scheduled for its slot. Redelivered batches and tasks change nothing: rows
already queued are only re-dispatched, and a message is claimed once.
"""

from __future__ import annotations

import logging
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from shared.campaigns.events import CampaignBatch
from shared.campaigns.models import Campaign, CampaignContact
from shared.campaigns.quiet_hours import next_allowed, zone_of
from shared.campaigns.service import body_of, finish_if_done, render_context
from shared.contacts.models import Contact
from shared.conversations.models import Conversation
from shared.db.session import tenant_session
from shared.messaging import rotation, sending
from shared.messaging.models import PhoneNumber
from shared.templates.render import compile_template
from shared.tenancy.models import Tenant

log = logging.getLogger("campaigns")
BATCH_SIZE = 200
_pool: ThreadPoolExecutor | None = None


def _executor() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=16, thread_name_prefix="campaign-send")
    return _pool


def fan_out(tenant_id: uuid.UUID, campaign_id: uuid.UUID, batch_size: int = BATCH_SIZE) -> int:
    from shared.queue import publish

    with tenant_session(tenant_id) as s:
        campaign = s.get(Campaign, campaign_id)
        if campaign is None or campaign.status != "running":
            return 0
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
    batches = 0
    for i in range(0, len(seqs), batch_size):
        chunk = seqs[i : i + batch_size]
        publish(
            "campaign.batch",
            CampaignBatch(
                tenant_id=tenant_id, campaign_id=campaign_id, seq_from=chunk[0], seq_to=chunk[-1]
            ),
        )
        batches += 1
    return batches


def send_batch(
    tenant_id: uuid.UUID, campaign_id: uuid.UUID, seq_from: int, seq_to: int
) -> dict[str, int]:
    from shared.queue import schedule

    counts = {"queued": 0, "skipped": 0, "deferred": 0, "redispatched": 0}
    ready: list[uuid.UUID] = []
    deferred: list[tuple[uuid.UUID, datetime]] = []
    with tenant_session(tenant_id) as s:
        campaign = s.get(Campaign, campaign_id)
        if campaign is None or campaign.status != "running" or campaign.pool_id is None:
            return counts
        tenant = s.get_one(Tenant, tenant_id)
        dids = rotation.pool_dids(s, campaign.pool_id)
        compiled = compile_template(body_of(s, campaign))
        quiet = campaign.quiet_hours
        rows = s.execute(
            select(CampaignContact, Contact)
            .join(Contact, Contact.id == CampaignContact.contact_id)
            .where(
                CampaignContact.campaign_id == campaign_id,
                CampaignContact.seq.between(seq_from, seq_to),
                CampaignContact.status.in_(("pending", "queued")),
            )
            .order_by(CampaignContact.seq)
            .with_for_update(of=CampaignContact, skip_locked=True)
        ).all()
        pending = [(cc, c) for cc, c in rows if cc.status == "pending"]
        for cc, _ in rows:
            if cc.status == "queued" and cc.message_id:
                ready.append(cc.message_id)  # a redelivery or a resume: dispatch again
                counts["redispatched"] += 1
        conversations = _conversations(s, tenant_id, [c.id for _, c in pending])
        clock = datetime.now(UTC)
        created: list[tuple[CampaignContact, uuid.UUID]] = []
        for cc, contact in pending:
            if contact.opted_out or contact.erased_at is not None:
                cc.status = "skipped"
                cc.skip_reason = "opted_out" if contact.opted_out else "erased"
                counts["skipped"] += 1
                continue
            conversation = conversations[contact.id]
            did = rotation.pick(campaign.pool_id, dids, conversation.number_id)
            if did is None:
                break  # the pool emptied under us: the rest stays pending for a resume
            number = s.get_one(PhoneNumber, did.id)  # the session's identity map caches it
            message = sending.new_outbound(
                s,
                tenant_id,
                contact,
                conversation,
                number,
                compiled.render(render_context(contact, tenant, campaign)),
                sender_type="campaign",
                campaign_id=campaign_id,
                priority=0,
            )
            conversation.last_campaign_id = campaign_id
            created.append((cc, message.id))
            counts["queued"] += 1
            due = clock
            if quiet:
                due = next_allowed(
                    clock, zone_of(contact.phone, contact.timezone), quiet["start"], quiet["end"]
                )
            if due > clock:
                deferred.append((message.id, due))
                counts["deferred"] += 1
            else:
                ready.append(message.id)
        # Messages first, then the rows that point at them (one flush for the batch).
        s.flush()
        for cc, message_id in created:
            cc.status = "queued"
            cc.message_id = message_id
        if not rows:
            finish_if_done(s, campaign_id)
    for message_id, due in deferred:
        schedule(
            sending.SEND_QUEUE,
            {"tenant_id": str(tenant_id), "message_id": str(message_id), "bulk": True},
            at=due,
            key=f"send-{message_id}-quiet",
        )
    futures = [
        _executor().submit(sending.send_when_allowed, tenant_id, m, bulk=True) for m in ready
    ]
    for future in futures:
        future.result()
    return counts


def _conversations(
    s: Any, tenant_id: uuid.UUID, contact_ids: list[uuid.UUID]
) -> dict[uuid.UUID, Conversation]:
    if not contact_ids:
        return {}
    s.execute(
        insert(Conversation)
        .values([{"tenant_id": tenant_id, "contact_id": c} for c in contact_ids])
        .on_conflict_do_nothing(index_elements=["tenant_id", "contact_id"])
    )
    found = s.scalars(select(Conversation).where(Conversation.contact_id.in_(contact_ids)))
    return {c.contact_id: c for c in found}
