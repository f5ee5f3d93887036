"""email-sender: the target of the `email` queue; sends one outbox email."""

from __future__ import annotations

import uuid
from typing import Any

from shared.notifications.outbox import send_email
from shared.queue.entry import task_handler


def run(payload: dict[str, Any]) -> None:
    send_email(uuid.UUID(payload["email_id"]))


handler = task_handler(run)
