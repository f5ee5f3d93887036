"""Events the messaging core publishes (consumed by webhooks, the inbox and the AI engine)."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import Field

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


class NumberHealthChanged(Event):
    """A number's health changed: it failed too often and stopped sending (`failing`), or a
    user put it back to work (`active`). Meant for developers (outgoing webhooks)."""

    event_type = "number.health_changed"
    tenant_id: uuid.UUID
    number_id: uuid.UUID
    phone_number: str
    status: Literal["failing", "active"]
    reason: str | None = Field(description="Why, in words (the number's `status_reason`).")
    error_code: int | None = Field(
        None, description="The most frequent provider error among the recent failures."
    )
    failures: int | None = Field(None, description="Failed messages in the health window.")
    total: int | None = Field(None, description="Final outcomes in the health window.")
