"""HTTP entry points of event and task functions (Pub/Sub push, Cloud Tasks, local pushes).

The platform authenticates these callers (the functions are private: only the invoker
service account may call them), so here we only parse and run. A handler that raises
answers 500, which makes Pub/Sub and Cloud Tasks redeliver with backoff.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable
from typing import Any

from werkzeug.wrappers import Request, Response

from shared.queue.events import Envelope

log = logging.getLogger("queue.entry")


def task_handler(run: Callable[[dict[str, Any]], None]) -> Callable[[Request], Response]:
    def handler(request: Request) -> Response:
        try:
            payload = json.loads(request.get_data() or b"{}")
        except json.JSONDecodeError:
            return Response("malformed task payload", status=400)  # not retryable
        try:
            run(payload)
        except Exception:
            log.exception("task failed; it will be retried")
            return Response("failed", status=500)
        return Response(status=204)

    return handler


def event_handler(consume: Callable[[Envelope], None]) -> Callable[[Request], Response]:
    """Accepts a Pub/Sub push body ({"message": {"data": base64}}) or a bare envelope."""

    def handler(request: Request) -> Response:
        try:
            body = json.loads(request.get_data() or b"{}")
            if "message" in body:
                body = json.loads(base64.b64decode(body["message"]["data"]))
            envelope = Envelope.model_validate(body)
        except (ValueError, KeyError, TypeError):
            # A poison message: acknowledge (2xx would drop it); 400 sends it to dead letter.
            return Response("malformed event", status=400)
        try:
            consume(envelope)
        except Exception:
            log.exception("event consumer failed; it will be redelivered")
            return Response("failed", status=500)
        return Response(status=204)

    return handler
