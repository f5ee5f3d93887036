"""Events the messaging core publishes (consumed by webhooks, the inbox and the AI engine)."""

from __future__ import annotations

import uuid

from shared.queue.events import Event


class MessageReceived(Event):
    event_type = "message.received"
    tenant_id: uuid.UUID
    message_id: uuid.UUID
    conversation_id: uuid.UUID
    contact_id: uuid.UUID
    keyword: str | None = None


class MessageStatusChanged(Event):
    event_type = "message.status"
    tenant_id: uuid.UUID
    message_id: uuid.UUID
    status: str
    error_code: int | None = None


class ContactOptedOut(Event):
    event_type = "contact.opted_out"
    tenant_id: uuid.UUID
    contact_id: uuid.UUID
    source: str


class ContactOptedIn(Event):
    event_type = "contact.opted_in"
    tenant_id: uuid.UUID
    contact_id: uuid.UUID
    source: str
