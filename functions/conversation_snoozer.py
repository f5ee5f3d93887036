"""conversation-snoozer: the target of the `snoozes` queue; reopens a snoozed conversation."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from shared.conversations.service import wake
from shared.queue.entry import task_handler


def run(payload: dict[str, Any]) -> None:
    wake(
        uuid.UUID(payload["tenant_id"]),
        uuid.UUID(payload["conversation_id"]),
        datetime.fromisoformat(payload["until"]),
    )


handler = task_handler(run)
