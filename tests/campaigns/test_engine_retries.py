"""A batch's retry for rate slots is never lost to its own dedup key."""

from __future__ import annotations

import time
import uuid

from shared.cache import get_redis
from shared.campaigns.engine import _reserve_and_dispatch
from shared.campaigns.events import CampaignBatch, PlannedSend
from shared.messaging import throttle
from shared.messaging.delivery import Sender
from shared.providers.simulator import SimulatorProvider
from tests.conversations.helpers import RecordingBackend


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
