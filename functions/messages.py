"""messages: send one message now; list and inspect messages."""

from __future__ import annotations

import uuid

from werkzeug.wrappers import Response

from shared.http.function import HttpFunction, Request
from shared.http.problems import field_error
from shared.messaging import schemas, sending

app = HttpFunction("messages")


@app.operation
def send_message(req: Request, body: schemas.SendIn) -> schemas.MessageOut | Response:
    """Refused with 409 for an opted-out contact (nothing is sent). With an Idempotency-Key,
    a retry returns the first message (200) instead of sending again."""
    key = req.headers.get("Idempotency-Key")
    if key is not None and not 1 <= len(key) <= 255:
        raise field_error("header.Idempotency-Key", "Use 1 to 255 characters.")
    message, created = sending.send_message(req.require_principal(), body, key)
    if created:
        return message
    return Response(message.model_dump_json(), status=200, mimetype="application/json")


@app.operation
def list_messages(req: Request, query: schemas.MessageQuery) -> schemas.MessageList:
    return sending.list_messages(req.require_principal(), query)


@app.operation
def get_message(req: Request, message_id: uuid.UUID) -> schemas.MessageOut:
    return sending.get_message(req.require_principal(), message_id)


handler = app
