"""billing-reconciler: the hourly billing sweep (pending usage, drift against Stripe)."""

from __future__ import annotations

from typing import Any

from shared.billing.reconcile import sweep
from shared.queue.entry import task_handler


def run(payload: dict[str, Any]) -> None:
    sweep()


handler = task_handler(run)
