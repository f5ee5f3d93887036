"""campaign-launcher: the target of the campaign-launch queue (scheduled launches)."""

from __future__ import annotations

import uuid
from typing import Any

from shared.campaigns.service import launch_scheduled
from shared.queue.entry import task_handler


def run(payload: dict[str, Any]) -> None:
    launch_scheduled(uuid.UUID(payload["tenant_id"]), uuid.UUID(payload["campaign_id"]))


handler = task_handler(run)
