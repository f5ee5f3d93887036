"""ai: the AI engine's configuration and token usage; drafts and on-demand suggestions."""

from __future__ import annotations

import uuid

from shared.ai import schemas, service
from shared.http.function import HttpFunction, Request
from shared.messaging.schemas import MessageOut

app = HttpFunction("ai")


@app.operation
def get_ai_config(req: Request) -> schemas.AiConfigOut:
    """The defaults (AI off) until the workspace saves a configuration."""
    return service.get_config(req.require_principal())


@app.operation
def put_ai_config(req: Request, body: schemas.AiConfigIn) -> schemas.AiConfigOut:
    """Replaces the whole configuration; omitted fields take their defaults. Turning the AI
    on (`enabled` with mode `suggest` or `auto`) without ANTHROPIC_API_KEY on the platform is
    refused: 409 `ai-not-configured` (`api_key_configured` in the answer tells)."""
    return service.put_config(req.require_principal(), body)


@app.operation
def try_ai_reply(req: Request, body: schemas.AiTryIn) -> schemas.AiTryOut:
    """Claude's draft for a sample inbound message, with the configuration in the body (the
    form being edited) or the saved one: nothing is stored or sent. 409 without
    ANTHROPIC_API_KEY, 503 when Claude cannot answer, 502 for an unusable answer."""
    return service.try_reply(req.require_principal(), body)


@app.operation
def ai_usage(req: Request, query: schemas.UsageQuery) -> schemas.UsageOut:
    return service.usage(req.require_principal(), query)


@app.operation
def get_ai_draft(req: Request, conversation_id: uuid.UUID) -> schemas.DraftOut:
    return service.get_draft(req.require_principal(), conversation_id)


@app.operation
def send_ai_draft(
    req: Request, conversation_id: uuid.UUID, body: schemas.DraftSendIn | None
) -> MessageOut:
    """409 for an opted-out contact (nothing is sent); the draft is gone once sent."""
    return service.send_draft(req.require_principal(), conversation_id, body)


@app.operation
def discard_ai_draft(req: Request, conversation_id: uuid.UUID) -> None:
    service.discard_draft(req.require_principal(), conversation_id)


@app.operation
def suggest_ai_reply(req: Request, conversation_id: uuid.UUID) -> schemas.DraftOut:
    """Calls Claude now: 503 when it cannot answer, 502 for an unusable answer (nothing is
    saved either way), 409 for an opted-out contact or without ANTHROPIC_API_KEY."""
    return service.suggest(req.require_principal(), conversation_id)


handler = app
