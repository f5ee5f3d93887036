"""Request and response bodies of the messaging routes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from shared.http.pagination import PageQuery
from shared.schemas import NotNull, Timestamp
from shared.urls import PublicMediaUrl


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class TwilioConfigIn(BaseModel):
    account_sid: str = Field(pattern=r"^AC[0-9a-fA-F]{32}$")
    auth_token: str = Field(
        pattern=r"^[0-9a-fA-F]{32}$", description="32 hexadecimal characters, as Twilio shows it."
    )
    messaging_service_sid: str | None = Field(None, pattern=r"^MG[0-9a-fA-F]{32}$")


class TwilioConfigOut(BaseModel):
    account_sid: str
    auth_token: str = Field(description="Masked: only the last four characters are shown.")
    messaging_service_sid: str | None
    validated_at: datetime | None
    inbound_webhook_url: str = Field(
        description="Paste into Twilio as the number's or Messaging Service's incoming URL."
    )
    status_webhook_url: str = Field(description="Twilio's status callback URL.")


class NumberOut(_Out):
    id: uuid.UUID
    phone_number: str
    provider: str
    friendly_name: str | None
    number_type: str
    status: str
    status_reason: str | None
    mps: float
    capabilities: dict[str, bool]
    created_at: datetime


class NumberList(BaseModel):
    data: list[NumberOut]
    next_cursor: str | None = None


class NumberQuery(PageQuery):
    status: Literal["active", "paused", "failing", "released"] | None = None


class ImportResult(BaseModel):
    imported: int
    already_present: int
    skipped: list[str] = Field(description="Numbers not imported (not SMS-capable, or taken).")
    data: list[NumberOut]


class AvailableQuery(BaseModel):
    country: str = Field("US", pattern=r"^[A-Za-z]{2}$")
    area_code: str | None = Field(None, pattern=r"^[0-9]{3}$")
    contains: str | None = Field(None, pattern=r"^[0-9*]{1,10}$")
    limit: int = Field(20, ge=1, le=50)


class AvailableNumberOut(BaseModel):
    phone_number: str
    friendly_name: str
    region: str | None
    locality: str | None
    capabilities: dict[str, bool]


class AvailableList(BaseModel):
    data: list[AvailableNumberOut]


class PurchaseIn(BaseModel):
    phone_number: str = Field(pattern=r"^\+[1-9][0-9]{7,14}$")


class NumberPatch(BaseModel):
    status: NotNull[Literal["active", "paused"]] = None
    mps: NotNull[Annotated[float, Field(gt=0, le=1000)]] = None


class PoolIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(None, max_length=2000)
    sticky: bool = True


class PoolPatch(BaseModel):
    name: NotNull[Annotated[str, Field(min_length=1, max_length=200)]] = None
    description: str | None = Field(None, max_length=2000)
    sticky: NotNull[bool] = None


class PoolOut(BaseModel):
    id: uuid.UUID
    name: str
    description: str | None
    sticky: bool
    number_ids: list[uuid.UUID]
    capacity_mps: float = Field(description="Sum of the active numbers' rates.")
    created_at: datetime


class PoolList(BaseModel):
    data: list[PoolOut]


class PoolNumbersIn(BaseModel):
    number_ids: list[uuid.UUID] = Field(max_length=5000)


class SendIn(BaseModel):
    to: str = Field(min_length=3, max_length=32)
    body: str = Field(min_length=1, max_length=1600)
    from_number_id: uuid.UUID | None = None
    pool_id: uuid.UUID | None = None
    media_urls: list[PublicMediaUrl] | None = Field(None, max_length=10)

    @model_validator(mode="after")
    def _one_sender(self) -> SendIn:
        if self.from_number_id and self.pool_id:
            raise ValueError("give from_number_id or pool_id, not both")
        return self


class MessageOut(_Out):
    id: uuid.UUID
    direction: str
    status: str
    from_number: str
    to_number: str
    body: str | None
    segments: int
    encoding: str
    contact_id: uuid.UUID | None
    conversation_id: uuid.UUID | None
    campaign_id: uuid.UUID | None
    number_id: uuid.UUID | None
    sender_type: str
    provider: str
    provider_sid: str | None
    error_code: int | None
    error_message: str | None
    media_urls: list[str] = Field(
        default_factory=list, description="Media of an MMS (inbound: as the provider hosts it)."
    )
    created_at: datetime
    queued_at: datetime | None
    due_at: datetime | None = Field(
        None,
        description="Set when the message waited for its campaign's quiet hours to end in "
        "the contact's time zone: when it is due to go out (kept once it went).",
    )
    sending_at: datetime | None
    sent_at: datetime | None
    delivered_at: datetime | None
    failed_at: datetime | None
    received_at: datetime | None

    @field_validator("media_urls", mode="before")
    @classmethod
    def _urls(cls, value: object) -> object:
        if value is None:
            return []
        if isinstance(value, dict):
            return list(value.get("urls") or [])
        return value


class MessageList(BaseModel):
    data: list[MessageOut]
    next_cursor: str | None = None


class MessageQuery(PageQuery):
    status: str | None = None
    direction: Literal["inbound", "outbound"] | None = None
    number_id: uuid.UUID | None = None
    contact_id: uuid.UUID | None = None
    campaign_id: uuid.UUID | None = None
    created_after: Timestamp | None = None
    created_before: Timestamp | None = None


class SimulatedInboundIn(BaseModel):
    from_: str = Field(alias="from", min_length=3, max_length=32)
    to: str = Field(min_length=3, max_length=32)
    body: str = Field(max_length=1600)

    model_config = ConfigDict(populate_by_name=True)
