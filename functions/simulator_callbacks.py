"""simulator-callbacks: posts the simulator's signed status callbacks to our webhook."""

from __future__ import annotations

from typing import Any

from shared.messaging.simulation import post_callback
from shared.queue.entry import task_handler


def run(payload: dict[str, Any]) -> None:
    post_callback(payload["url"], payload["params"])


handler = task_handler(run)
