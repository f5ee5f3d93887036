"""campaign-sender: the target of the `campaign-batches` queue; sends one audience slice
(or, for a batch's retry, the messages of it that were waiting for a rate slot)."""

from __future__ import annotations

from typing import Any

from shared.campaigns.engine import send_batch, send_waiting
from shared.campaigns.events import CampaignBatch
from shared.queue.entry import task_handler


def run(payload: dict[str, Any]) -> None:
    batch = CampaignBatch.model_validate(payload)
    if batch.waiting:
        send_waiting(batch)
    else:
        send_batch(
            batch.tenant_id,
            batch.campaign_id,
            batch.seq_from,
            batch.seq_to,
            batch.deferrals,
            epoch=batch.epoch,
        )


handler = task_handler(run)
