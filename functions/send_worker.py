"""send-worker: the target of the `sends` queue; delivers one queued message."""

from __future__ import annotations

import uuid
from typing import Any

from shared.messaging.sending import deliver
from shared.queue.entry import task_handler


def run(payload: dict[str, Any]) -> None:
    deliver(uuid.UUID(payload["tenant_id"]), uuid.UUID(payload["message_id"]))


handler = task_handler(run)
