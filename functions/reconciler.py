"""reconciler: the target of the maintenance queue (and of a per-minute scheduler job):
messages stuck in `sending`, campaigns that stopped moving, outbox mail whose task was lost."""

from __future__ import annotations

from typing import Any

from shared.campaigns.service import redrive_stalled
from shared.messaging.reconcile import reconcile_all
from shared.notifications.outbox import sweep_pending
from shared.queue.entry import task_handler


def run(payload: dict[str, Any]) -> None:
    reconcile_all()
    redrive_stalled()  # campaigns whose batches were lost
    sweep_pending()  # mail whose task was lost


handler = task_handler(run)
