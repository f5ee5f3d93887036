"""Events the inbox publishes (consumed later by outbound webhooks and the AI engine)."""

from __future__ import annotations

import uuid

from shared.queue.events import Event


class ConversationUpdated(Event):
    """A conversation's state changed: `changes` names what (status, assignee_id,
    snoozed_until, ai_mode, read)."""

    event_type = "conversation.updated"
    tenant_id: uuid.UUID
    conversation_id: uuid.UUID
    changes: list[str]


class LeadQualified(Event):
    """A conversation's lead stage became `qualified`."""

    event_type = "lead.qualified"
    tenant_id: uuid.UUID
    conversation_id: uuid.UUID
    contact_id: uuid.UUID
