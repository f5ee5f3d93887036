"""A batch's retry for rate slots is never lost to its own dedup key."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest

from shared.cache import get_redis
from shared.campaigns.engine import _reserve_and_dispatch
from shared.campaigns.events import CampaignBatch, PlannedSend
from shared.messaging import throttle
from shared.messaging.delivery import Sender
from shared.providers.simulator import SimulatorProvider
from tests.conversations.helpers import RecordingBackend
from tests.fakes.twilio import FakeTwilio


def test_a_retry_refused_at_the_same_slot_is_scheduled_again(
    recording_queue: RecordingBackend,
) -> None:
    tenant_id, number_id = uuid.uuid4(), uuid.uuid4()
    sender = Sender(
        tenant_id=tenant_id,
        provider=SimulatorProvider(str(tenant_id)),
        messaging_service_sid=None,
        status_url="http://127.0.0.1:1/webhooks/twilio/status",
        shared_buckets=(),
    )
    planned = [
        PlannedSend(
            message_id=uuid.uuid4(),
            number_id=number_id,
            mps=1.0,
            segments=1,
            phone="+14155550100",
            timezone=None,
        )
    ]
    # The DID is booked a minute ahead: every reservation is refused with the same slot
    # until one is granted (as when a retry runs a few ms before its time).
    bucket = throttle.did_bucket(number_id, 1.0)
    get_redis().set(bucket.key, int(time.time() * 1000) + 60_000, px=120_000)
    try:
        first = CampaignBatch(tenant_id=tenant_id, campaign_id=uuid.uuid4(), seq_from=1, seq_to=1)
        assert _reserve_and_dispatch(first, planned, sender, None, claim_first=False) == 1
        (_, payload, at, key) = recording_queue.scheduled[-1]
        retry = CampaignBatch.model_validate(payload)
        assert retry.retries == 1
        assert _reserve_and_dispatch(retry, planned, sender, None, claim_first=False) == 1
        (_, again, at_again, key_again) = recording_queue.scheduled[-1]
    finally:
        get_redis().delete(bucket.key)
    assert at_again == at  # the same slot, so the same time
    assert key_again != key  # but its own task: the first key would have been taken
    assert CampaignBatch.model_validate(again).retries == 2
    assert [p.message_id for p in CampaignBatch.model_validate(again).waiting] == [
        planned[0].message_id
    ]


def test_the_fan_out_schedules_batches_at_the_pools_pace(
    api: httpx.Client, fake_twilio: FakeTwilio, recording_queue: RecordingBackend
) -> None:
    """About a second of the pool's capacity a batch, one batch a second: batches arrive
    when there is room for them. (Scheduling the first ones at once was tried: a pause
    then let the sends they had claimed a second ahead go.)"""
    from shared.campaigns import engine
    from tests.campaigns.helpers import (
        add_contacts,
        create_campaign,
        wait_status,
        workspace_with_pool,
    )

    setup = workspace_with_pool(api, fake_twilio, dids=1, mps=4)
    add_contacts(api, setup, 12, ["vip"])
    campaign = create_campaign(api, setup)
    launched = api.post(f"/v1/campaigns/{campaign['id']}/launch", headers=setup.headers)
    assert launched.status_code == 200
    wait_status(api, setup, campaign["id"], "completed", timeout=60)
    fanned = sorted(
        at
        for queue, payload, at, key in recording_queue.scheduled
        if queue == engine.BATCH_QUEUE
        and payload["campaign_id"] == campaign["id"]
        and key
        and "-busy-" not in key
        and "-retry-" not in key
        and at is not None
    )
    assert len(fanned) == 4  # 12 contacts, 3 a batch (about a second at 4 MPS)
    spacing = 3 / (4 * (1 - throttle.HEADROOM))
    offsets = [(at - fanned[0]).total_seconds() for at in fanned]
    assert offsets == pytest.approx([0.0, spacing, 2 * spacing, 3 * spacing], abs=0.01)
