"""campaign-sender: the target of the `campaign-batches` queue; sends one audience slice
(or, for a batch's retry, the messages of it that were waiting for a rate slot), then the
batches waiting in line for room while this instance has some."""

from __future__ import annotations

from typing import Any

from shared.campaigns.engine import run_batch
from shared.campaigns.events import CampaignBatch
from shared.queue.entry import task_handler


def run(payload: dict[str, Any]) -> None:
    run_batch(CampaignBatch.model_validate(payload))


handler = task_handler(run)
