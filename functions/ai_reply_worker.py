"""ai-reply-worker: the target of the `ai-replies` queue; answers one burst with Claude."""

from __future__ import annotations

import logging
from typing import Any

from pydantic import ValidationError

from shared.ai.engine import ReplyTask, run_reply
from shared.queue.entry import task_handler

log = logging.getLogger("ai.worker")


def run(payload: dict[str, Any]) -> None:
    """A malformed payload is dropped (a retry cannot fix it); failures of Claude are
    retried by the engine itself through the queue, so this rarely raises."""
    try:
        task = ReplyTask.model_validate(payload)
    except ValidationError:
        log.error("dropping a malformed ai-replies task: %r", payload)
        return
    outcome = run_reply(task)
    log.info("ai reply %s: %s", task.conversation_id, outcome)


handler = task_handler(run)
