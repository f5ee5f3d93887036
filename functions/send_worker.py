"""send-worker: the target of the `sends` queue; delivers one queued message."""

from __future__ import annotations

import uuid
from typing import Any

from shared.messaging.delivery import deliver, send_when_allowed
from shared.queue.entry import task_handler


def run(payload: dict[str, Any]) -> None:
    """A message whose slot was reserved is sent; any other first reserves one."""
    tenant_id, message_id = uuid.UUID(payload["tenant_id"]), uuid.UUID(payload["message_id"])
    if payload.get("reserved"):
        deliver(tenant_id, message_id)
    else:
        send_when_allowed(tenant_id, message_id, bulk=bool(payload.get("bulk")))


handler = task_handler(run)
