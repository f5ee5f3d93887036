"""contact-import-worker: the target of the `contact-imports` queue; runs one import job.

Resumable: each committed block advances the job, so a retry (or the continuation it
queues after its time budget) goes on from the last committed block.
"""

from __future__ import annotations

import uuid
from typing import Any

from shared.contacts.imports import TIME_BUDGET_SECONDS, run_job
from shared.queue.entry import task_handler


def run(payload: dict[str, Any]) -> None:
    run_job(
        uuid.UUID(payload["tenant_id"]),
        uuid.UUID(payload["job_id"]),
        time_budget=TIME_BUDGET_SECONDS,
    )


handler = task_handler(run)
