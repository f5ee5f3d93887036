"""reconciler: the target of the maintenance queue (and of a per-minute scheduler job)."""

from __future__ import annotations

from typing import Any

from shared.messaging.reconcile import reconcile_all
from shared.queue.entry import task_handler


def run(payload: dict[str, Any]) -> None:
    reconcile_all()


handler = task_handler(run)
