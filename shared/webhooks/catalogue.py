"""The public event catalogue: what developers can subscribe to, and how each public event
comes from an internal one.

Adding a public event type is one `declare(...)`: its name, what it means, the model of its
`data` (the object as the API shows it), the internal event it comes from and how to read
the object. The catalogue route, the OpenAPI `webhooks` section and the fan-out all read
this list. (A new internal topic must also be consumed by `webhook-fanout` in
shared/registry.py; tests/webhooks/test_catalogue.py names any that is missing.)
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from shared.billing.events import BillingUpdated, UsageWarning
from shared.campaigns.events import CampaignCompleted, CampaignLaunched, CampaignPaused
from shared.campaigns.schemas import CampaignOut
from shared.contacts.events import ImportFinished
from shared.contacts.schemas import ContactOut, ImportOut
from shared.conversations.events import ConversationUpdated, LeadQualified
from shared.conversations.schemas import ConversationOut
from shared.messaging.events import (
    ContactOptedIn,
    ContactOptedOut,
    MessageReceived,
    MessageStatusChanged,
    NumberHealthChanged,
)
from shared.messaging.schemas import MessageOut, NumberOut
from shared.queue.events import Event
from shared.tenancy.principal import Principal
from shared.webhooks.events import EndpointDisabled
from shared.webhooks.schemas import (
    Ping,
    WebhookEndpointOut,
    WebhookEventType,
    WebhookEventTypeList,
)

Loader = Callable[[uuid.UUID, Any], BaseModel]


@dataclass(frozen=True)
class PublicEvent:
    name: str  # the public event type, e.g. message.delivered
    description: str
    data: type[BaseModel]
    source: type[Event] | None  # None: not from an internal event (ping)
    load: Loader | None = None  # (tenant id, internal event) -> data
    when: Callable[[Any], bool] = field(default=lambda _e: True)

    @cached_property
    def payload_model(self) -> type[BaseModel]:
        """The whole body: {type, timestamp, data}."""
        title = "".join(p.capitalize() for p in self.name.replace("_", ".").split(".")) + "Event"
        kind: Any = Literal[self.name]
        model: type[BaseModel] = create_model(
            title,
            __config__=ConfigDict(title=title),
            __doc__=self.description,
            type=(kind, Field(description="The event type.")),
            timestamp=(datetime, Field(description="When it happened (UTC).")),
            data=(self.data, Field(description="The object, as the API shows it.")),
        )
        return model


CATALOGUE: dict[str, PublicEvent] = {}


def declare(
    type_: str,
    description: str,
    data: type[BaseModel],
    source: type[Event] | None,
    load: Loader | None = None,
    when: Callable[[Any], bool] | None = None,
) -> PublicEvent:
    if type_ in CATALOGUE:
        raise ValueError(f"event type {type_} declared twice")
    event = PublicEvent(type_, description, data, source, load, when or (lambda _e: True))
    CATALOGUE[type_] = event
    return event


def _as_workspace(tenant_id: uuid.UUID) -> Principal:
    """Reads the object with the workspace's own API (no user: per-user fields are null)."""
    return Principal(tenant_id=tenant_id, role="owner")


def _message(tenant_id: uuid.UUID, e: Any) -> BaseModel:
    from shared.messaging.sending import get_message

    return get_message(_as_workspace(tenant_id), e.message_id)


def _contact(tenant_id: uuid.UUID, e: Any) -> BaseModel:
    from shared.contacts.service import get_contact

    return get_contact(_as_workspace(tenant_id), e.contact_id)


def _conversation(tenant_id: uuid.UUID, e: Any) -> BaseModel:
    from shared.conversations.service import get

    return get(_as_workspace(tenant_id), e.conversation_id)


def _campaign(tenant_id: uuid.UUID, e: Any) -> BaseModel:
    from shared.campaigns.service import get

    return get(_as_workspace(tenant_id), e.campaign_id)


def _number(tenant_id: uuid.UUID, e: Any) -> BaseModel:
    from shared.messaging.numbers import get_number

    return get_number(_as_workspace(tenant_id), e.number_id)


def _import(tenant_id: uuid.UUID, e: Any) -> BaseModel:
    from shared.contacts.imports import get_job_summary

    return get_job_summary(tenant_id, e.import_id)


class QualifiedLead(BaseModel):
    contact: ContactOut
    conversation: ConversationOut
    qualification: dict[str, Any] = Field(description="What the AI learned (criteria -> value).")


def _lead(tenant_id: uuid.UUID, e: Any) -> BaseModel:
    from shared.conversations.models import Conversation
    from shared.db.session import tenant_session

    with tenant_session(tenant_id) as s:
        row = s.get(Conversation, e.conversation_id)
        qualification = dict(row.qualification or {}) if row is not None else {}
    return QualifiedLead(
        contact=_contact(tenant_id, e),
        conversation=_conversation(tenant_id, e),
        qualification=qualification,
    )


class DisabledEndpoint(BaseModel):
    endpoint: WebhookEndpointOut
    reason: str


def _disabled(tenant_id: uuid.UUID, e: Any) -> BaseModel:
    from shared.webhooks.service import endpoint_out

    return DisabledEndpoint(endpoint=endpoint_out(tenant_id, e.endpoint_id), reason=e.reason)


_FAILED = ("failed", "undelivered")

declare(
    "message.sent",
    "The provider accepted an outbound message and sent it on to the carrier.",
    MessageOut,
    MessageStatusChanged,
    _message,
    lambda e: e.status == "sent",
)
declare(
    "message.delivered",
    "The carrier confirmed delivery of an outbound message to the handset.",
    MessageOut,
    MessageStatusChanged,
    _message,
    lambda e: e.status == "delivered",
)
declare(
    "message.failed",
    "An outbound message failed or was undelivered (`error_code` says why).",
    MessageOut,
    MessageStatusChanged,
    _message,
    lambda e: e.status in _FAILED,
)
declare(
    "message.received",
    "A contact sent a message to one of the workspace's numbers.",
    MessageOut,
    MessageReceived,
    _message,
)
declare(
    "contact.opted_out",
    "A contact opted out (STOP keyword, the API, or a carrier's opt-out error).",
    ContactOut,
    ContactOptedOut,
    _contact,
)
declare(
    "contact.opted_in",
    "A contact opted back in (START keyword or the API).",
    ContactOut,
    ContactOptedIn,
    _contact,
)
declare(
    "conversation.updated",
    "A conversation's status, assignee, snooze or AI mode changed.",
    ConversationOut,
    ConversationUpdated,
    _conversation,
    lambda e: set(e.changes) != {"read"},  # a read marker is one user's, not news
)
declare(
    "campaign.launched",
    "A campaign started sending (at launch, or at its scheduled time).",
    CampaignOut,
    CampaignLaunched,
    _campaign,
    lambda e: not e.resumed,
)
declare(
    "campaign.resumed",
    "A paused campaign was resumed.",
    CampaignOut,
    CampaignLaunched,
    _campaign,
    lambda e: e.resumed,
)
declare(
    "campaign.paused",
    "A campaign was paused, by a user or by itself (its failure rate; `pause_reason`).",
    CampaignOut,
    CampaignPaused,
    _campaign,
)
declare(
    "campaign.completed",
    "Every contact of a campaign's audience was sent to, skipped or failed.",
    CampaignOut,
    CampaignCompleted,
    _campaign,
)
declare(
    "number.health_changed",
    "A number stopped sending because it failed too often (`status: failing`, with"
    " `status_reason`), or was put back to work (`status: active`).",
    NumberOut,
    NumberHealthChanged,
    _number,
)
declare(
    "lead.qualified",
    "The AI qualified a lead in a conversation.",
    QualifiedLead,
    LeadQualified,
    _lead,
)
declare(
    "import.completed",
    "A contact import finished (counts of created, updated, skipped and failed rows).",
    ImportOut,
    ImportFinished,
    _import,
    lambda e: e.status == "completed",
)
declare(
    "import.failed",
    "A contact import failed as a whole (`error` says why).",
    ImportOut,
    ImportFinished,
    _import,
    lambda e: e.status == "failed",
)
declare(
    "billing.updated",
    "The workspace's plan or subscription changed (checkout, renewal, payment failure, "
    "cancellation), as read from Stripe.",
    BillingUpdated,
    BillingUpdated,
    lambda _tenant_id, e: e,
)
declare(
    "billing.usage_warning",
    "Usage crossed 80% or 100% of what the plan includes this period (once each).",
    UsageWarning,
    UsageWarning,
    lambda _tenant_id, e: e,
)
declare(
    "endpoint.disabled",
    "A webhook endpoint of the workspace was disabled after failing (410 Gone, or 5 days).",
    DisabledEndpoint,
    EndpointDisabled,
    _disabled,
)
PING = declare(
    "ping",
    "A test event, sent by POST /v1/webhook-endpoints/{id}/test only.",
    Ping,
    None,
)


def for_internal(event: Event) -> list[PublicEvent]:
    """The public events an internal event becomes (often one, sometimes none)."""
    return [
        p
        for p in CATALOGUE.values()
        if p.source is not None and p.source.event_type == event.event_type and p.when(event)
    ]


def source_topics() -> set[str]:
    return {p.source.event_type for p in CATALOGUE.values() if p.source is not None}


def subscribable() -> set[str]:
    return {t for t, p in CATALOGUE.items() if p.source is not None}


def event_types() -> WebhookEventTypeList:
    """The catalogue as the API shows it: each type with the JSON Schema of its body."""
    return WebhookEventTypeList(
        data=[
            WebhookEventType(
                type=p.name,
                description=p.description,
                schema_=p.payload_model.model_json_schema(mode="serialization"),
            )
            for p in CATALOGUE.values()
        ]
    )


SIGNATURE_HEADERS: list[dict[str, Any]] = [
    {
        "name": "webhook-id",
        "in": "header",
        "required": True,
        "description": "Stable per event and endpoint (msg_...): the receiver's idempotency key.",
        "schema": {"type": "string"},
    },
    {
        "name": "webhook-timestamp",
        "in": "header",
        "required": True,
        "description": "Unix seconds of this attempt (signed; refuse ones far from now).",
        "schema": {"type": "string"},
    },
    {
        "name": "webhook-signature",
        "in": "header",
        "required": True,
        "description": (
            "Space-separated `v1,<base64 HMAC-SHA256 of id.timestamp.body>`: two while a "
            "rotated secret still signs (Standard Webhooks)."
        ),
        "schema": {"type": "string"},
    },
]


def openapi_webhooks(schema_ref: Callable[[type[BaseModel]], dict[str, Any]]) -> dict[str, Any]:
    """The OpenAPI 3.1 `webhooks` section, from the same models as the catalogue route."""
    return {
        p.name: {
            "post": {
                "operationId": "webhook_" + p.name.replace(".", "_"),
                "summary": p.description,
                "tags": ["webhook-events"],
                "parameters": SIGNATURE_HEADERS,
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": schema_ref(p.payload_model)}},
                },
                "responses": {
                    "2XX": {
                        "description": "Received. Any other answer (or none in 15 s) is retried."
                    },
                    "410": {"description": "Gone: the endpoint is disabled at once."},
                },
            }
        }
        for p in CATALOGUE.values()
    }
