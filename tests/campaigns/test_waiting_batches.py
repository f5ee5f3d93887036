"""Batches waiting for room in the senders: one line in Redis, oldest first, taken under a
lease by a sender with room; each lined batch's fallback task runs it if nobody took it."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import select

from shared.cache import get_redis
from shared.campaigns import engine, waiting_batches
from shared.campaigns.events import CampaignBatch
from shared.campaigns.models import Campaign, CampaignContact
from shared.campaigns.service import start
from shared.db.session import system_session, tenant_session
from tests.campaigns.helpers import (
    add_contacts,
    create_campaign,
    sends_by_recipient,
    wait_status,
    workspace_with_pool,
)
from tests.campaigns.test_reliability import assert_exactly_once
from tests.fakes.twilio import FakeTwilio


@pytest.fixture
def empty_line() -> Iterator[None]:
    get_redis().delete(waiting_batches.LINE_KEY)
    yield
    get_redis().delete(waiting_batches.LINE_KEY)


def _batch(seq_from: int, **extra: object) -> CampaignBatch:
    return CampaignBatch(
        tenant_id=uuid.UUID(int=1),
        campaign_id=uuid.UUID(int=2),
        seq_from=seq_from,
        seq_to=seq_from + 9,
        **extra,  # type: ignore[arg-type]
    )


@pytest.mark.usefixtures("empty_line")
def test_the_oldest_batch_is_taken_first_and_leased() -> None:
    first, second = _batch(1), _batch(11)
    waiting_batches.join(first)
    time.sleep(0.01)
    waiting_batches.join(second)
    waiting_batches.join(first)  # joining again keeps its place
    assert waiting_batches.place(first) == (True, 2)

    assert waiting_batches.take() == first
    assert waiting_batches.take() == second
    assert waiting_batches.take() is None  # both leased
    assert waiting_batches.claim(first) == "leased"  # its fallback leaves it to the taker

    waiting_batches.finish(first)
    assert waiting_batches.place(first) == (False, 1)
    assert waiting_batches.claim(first) == "absent"


@pytest.mark.usefixtures("empty_line")
def test_a_batch_lined_again_by_its_taker_is_free_and_stays() -> None:
    batch = _batch(1)
    waiting_batches.join(batch)
    assert waiting_batches.take() == batch
    waiting_batches.join(batch)  # its run found the senders busy again
    waiting_batches.finish(batch)  # so the run's end does not take it off the line
    assert waiting_batches.take() == batch


@pytest.mark.usefixtures("empty_line")
def test_a_lease_that_ends_frees_the_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    """A taker that died: the next taker, or the fallback, gets the batch."""
    monkeypatch.setattr(waiting_batches, "LEASE_SECONDS", 0.2)
    batch = _batch(1)
    waiting_batches.join(batch)
    assert waiting_batches.take() == batch
    assert waiting_batches.claim(batch) == "leased"
    time.sleep(0.3)
    assert waiting_batches.claim(batch.model_copy(update={"lined": True, "deferrals": 3})) == (
        "taken"
    )


@pytest.mark.usefixtures("empty_line")
def test_a_sender_with_room_takes_the_waiting_batches(
    api: httpx.Client, fake_twilio: FakeTwilio
) -> None:
    """A batch's task, once its own sends are out, runs the batches waiting in line; their
    fallbacks then find them taken and send nothing again."""
    setup = workspace_with_pool(api, fake_twilio, dids=2, mps=50)
    contacts = add_contacts(api, setup, 6, ["vip"])
    campaign_id = uuid.UUID(create_campaign(api, setup)["id"])
    with system_session() as s:
        tenant_id = s.scalar(select(Campaign.tenant_id).where(Campaign.id == campaign_id))
    assert tenant_id is not None
    with tenant_session(tenant_id) as s:
        campaign = s.get_one(Campaign, campaign_id)
        start(s, campaign)
        epoch = campaign.run_epoch
        seqs = s.scalars(
            select(CampaignContact.seq)
            .where(CampaignContact.campaign_id == campaign_id)
            .order_by(CampaignContact.seq)
        ).all()
    batches = [
        CampaignBatch(
            tenant_id=tenant_id,
            campaign_id=campaign_id,
            seq_from=seqs[i],
            seq_to=seqs[i + 1],
            epoch=epoch,
        )
        for i in range(0, 6, 2)
    ]
    waiting_batches.join(batches[1])
    waiting_batches.join(batches[2])

    engine.run_batch(batches[0])

    phones = {c["phone"] for c in contacts}
    assert len(sends_by_recipient(fake_twilio, phones)) == 6  # all three batches, one task
    assert waiting_batches.length() == 0
    for taken in batches[1:]:
        engine.run_batch(taken.model_copy(update={"lined": True, "deferrals": 1}))
    wait_status(api, setup, str(campaign_id), "completed")
    assert_exactly_once(fake_twilio, contacts)
