"""conversations: the inbox (list, counts, state, read markers, the thread, replies)."""

from __future__ import annotations

import hashlib
import uuid

from werkzeug.wrappers import Response

from shared.conversations import schemas, service
from shared.http.function import HttpFunction, Request
from shared.http.problems import field_error
from shared.messaging.schemas import MessageOut

app = HttpFunction("conversations")


@app.operation
def list_conversations(req: Request, query: schemas.ConversationQuery) -> schemas.ConversationList:
    """`unread` is per user. An API key has no user: for it, `unread=true` lists the
    conversations no member has read since their last inbound message; `assignee=me` is
    422 `validation-error` (code `user_required`)."""
    return service.list_conversations(req.require_principal(), query)


@app.operation
def conversation_counts(req: Request, query: schemas.CountsQuery) -> schemas.ConversationCounts:
    return service.counts(req.require_principal(), query)


@app.operation
def conversation_changes(
    req: Request, query: schemas.ChangesQuery
) -> schemas.ChangesOut | Response:
    """For live inboxes: poll with the previous answer's `cursor` as `since` and its ETag
    as `If-None-Match`; 304 (no body) while nothing changed. Each poll is one range scan
    of an index on (workspace, updated_at)."""
    out = service.changes(req.require_principal(), query)
    body = out.model_dump_json()
    etag = '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    wanted = req.headers.get("If-None-Match", "")
    if etag in (tag.strip() for tag in wanted.split(",")):
        return Response(status=304, headers=headers)
    return Response(body, status=200, mimetype="application/json", headers=headers)


@app.operation
def get_conversation(req: Request, conversation_id: uuid.UUID) -> schemas.ConversationOut:
    return service.get(req.require_principal(), conversation_id)


@app.operation
def update_conversation(
    req: Request, conversation_id: uuid.UUID, body: schemas.ConversationPatch
) -> schemas.ConversationOut:
    """A snooze reopens the conversation at `snoozed_until`, or earlier if the contact
    replies; the assignee must be a member of the workspace."""
    return service.update(req.require_principal(), conversation_id, body)


@app.operation
def mark_conversation_read(req: Request, conversation_id: uuid.UUID) -> schemas.ConversationOut:
    """Per user: an API key gets 422."""
    return service.mark_read(req.require_principal(), conversation_id)


@app.operation
def mark_conversation_unread(req: Request, conversation_id: uuid.UUID) -> schemas.ConversationOut:
    """Per user: forgets the caller's read marker. An API key gets 422."""
    return service.mark_unread(req.require_principal(), conversation_id)


@app.operation
def get_conversation_lead(req: Request, conversation_id: uuid.UUID) -> schemas.LeadOut:
    return service.lead(req.require_principal(), conversation_id)


@app.operation
def set_conversation_lead(
    req: Request, conversation_id: uuid.UUID, body: schemas.LeadIn
) -> schemas.LeadOut:
    """The agent qualifies the lead: stage and fields (merged; null removes one), recorded
    in the history with source `agent`, on the contact too."""
    return service.set_lead(req.require_principal(), conversation_id, body)


@app.operation
def preview_reply(
    req: Request, conversation_id: uuid.UUID, body: schemas.ReplyIn
) -> schemas.ReplyPreviewOut:
    """Nothing is sent: the text a reply would send, its encoding and segments."""
    return service.preview_reply(req.require_principal(), conversation_id, body)


@app.operation
def conversation_messages(
    req: Request, conversation_id: uuid.UUID, query: schemas.ThreadQuery
) -> schemas.ThreadPage:
    return service.thread(req.require_principal(), conversation_id, query)


@app.operation
def reply_in_conversation(
    req: Request, conversation_id: uuid.UUID, body: schemas.ReplyIn
) -> MessageOut | Response:
    """409 `contact-opted-out` for an opted-out contact (nothing is sent). With an
    Idempotency-Key, a retry returns the first message (200) instead of sending again."""
    key = req.headers.get("Idempotency-Key")
    if key is not None and not 1 <= len(key) <= 255:
        raise field_error("header.Idempotency-Key", "Use 1 to 255 characters.")
    message, created = service.reply(req.require_principal(), conversation_id, body, key)
    if created:
        return message
    return Response(message.model_dump_json(), status=200, mimetype="application/json")


handler = app
