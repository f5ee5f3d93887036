"""billing-meter: pushes one workspace's usage to Stripe Billing Meters (queue billing-meter)."""

from __future__ import annotations

import uuid
from typing import Any

from shared.billing.metering import push
from shared.queue.entry import task_handler


def run(payload: dict[str, Any]) -> None:
    """Fails (and is retried with backoff) while Stripe cannot take the usage."""
    push(uuid.UUID(payload["tenant_id"]))


handler = task_handler(run)
