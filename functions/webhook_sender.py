"""webhook-sender: the target of the `webhooks` queue; one signed attempt of a delivery."""

from __future__ import annotations

import uuid
from typing import Any

from shared.queue.entry import task_handler
from shared.webhooks.delivery import attempt


def run(payload: dict[str, Any]) -> None:
    attempt(uuid.UUID(payload["tenant_id"]), uuid.UUID(payload["delivery_id"]), int(payload["seq"]))


handler = task_handler(run)
