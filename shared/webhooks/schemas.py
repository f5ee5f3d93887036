"""Request and response bodies of the webhook routes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from shared.http.pagination import Page, PageQuery

ALL_EVENTS = "*"


class WebhookEndpointIn(BaseModel):
    url: str = Field(
        max_length=2000,
        description="Where events are POSTed: https (http only in the local environment).",
        examples=["https://example.com/webhooks/sms"],
    )
    description: str | None = Field(None, max_length=500)
    event_types: list[str] = Field(
        default_factory=lambda: [ALL_EVENTS],
        min_length=1,
        max_length=100,
        description='Event types from GET /v1/webhook-events, or ["*"] for every one.',
    )
    enabled: bool = True

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        return _valid_url(v)


class WebhookEndpointPatch(BaseModel):
    url: str | None = Field(None, max_length=2000)
    description: str | None = Field(None, max_length=500)
    event_types: list[str] | None = Field(None, min_length=1, max_length=100)
    enabled: bool | None = Field(
        None, description="Enabling an endpoint that was disabled clears its failure record."
    )

    @field_validator("url")
    @classmethod
    def _url(cls, v: str | None) -> str | None:
        return None if v is None else _valid_url(v)


def _valid_url(v: str) -> str:
    from shared.net import split_url

    split_url(v.strip())  # ValueError says what is wrong
    return v.strip()


class WebhookEndpointOut(BaseModel):
    id: uuid.UUID
    url: str
    description: str | None
    event_types: list[str]
    enabled: bool
    disabled_reason: str | None = Field(description="Why it was disabled, if it was.")
    disabled_at: datetime | None
    failing_since: datetime | None = Field(
        description="First failed attempt since the last success (5 days of failures disable)."
    )
    secret_rotating_until: datetime | None = Field(
        description="After a rotation, the previous secret also signs until then."
    )
    created_at: datetime
    updated_at: datetime


class WebhookEndpointCreated(WebhookEndpointOut):
    secret: str = Field(description="The signing secret (`whsec_...`): shown this once only.")


class WebhookSecretOut(BaseModel):
    secret: str = Field(description="The new signing secret: shown this once only.")
    previous_secret_expires_at: datetime = Field(
        description="Until then both secrets sign (two signatures in webhook-signature)."
    )


class WebhookEndpointList(BaseModel):
    data: list[WebhookEndpointOut]


class WebhookAttemptOut(BaseModel):
    id: uuid.UUID
    started_at: datetime
    status_code: int | None = Field(description="The receiver's HTTP status; null: no answer.")
    latency_ms: int | None
    response_body: str | None = Field(description="The first 2 KB of the answer.")
    error: str | None = Field(description="Why it failed: timeout, refused address, ...")
    next_retry_at: datetime | None = Field(description="When the next attempt is due, if any.")


DeliveryStatus = Literal["pending", "succeeded", "failed"]


class WebhookDeliveryOut(BaseModel):
    id: uuid.UUID = Field(description="Also the `webhook-id` header (as msg_<hex>).")
    webhook_id: str = Field(description="The `webhook-id` header: the receiver's idempotency key.")
    endpoint_id: uuid.UUID
    event_id: uuid.UUID
    event_type: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None
    payload: dict[str, Any] = Field(description="The body sent: {type, timestamp, data}.")
    attempt_log: list[WebhookAttemptOut] = Field(description="Every attempt, newest first.")


class WebhookDeliveryPage(Page[WebhookDeliveryOut]):
    pass


class WebhookDeliveryQuery(PageQuery):
    status: DeliveryStatus | None = None
    event_type: str | None = Field(None, max_length=64)


class WebhookEventType(BaseModel):
    type: str
    description: str
    schema_: dict[str, Any] = Field(
        alias="schema", description="JSON Schema of the whole body: {type, timestamp, data}."
    )

    model_config = {"populate_by_name": True, "serialize_by_alias": True}


class WebhookEventTypeList(BaseModel):
    data: list[WebhookEventType]


class Ping(BaseModel):
    """The body of a test event (POST /v1/webhook-endpoints/{id}/test)."""

    endpoint_id: uuid.UUID
    message: str
