"""Request and response bodies of the campaign routes."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from shared.http.pagination import PageQuery
from shared.schemas import NotNull, Timestamp, Version

_CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
Status = Literal["draft", "scheduled", "running", "paused", "completed", "cancelled"]


class Audience(BaseModel):
    """Union of the segments, tags and contacts, minus the exclusions."""

    segment_ids: list[uuid.UUID] = Field(default_factory=list, max_length=50)
    tags: list[str] = Field(default_factory=list, max_length=50)
    contact_ids: list[uuid.UUID] = Field(default_factory=list, max_length=10_000)
    exclude_segment_ids: list[uuid.UUID] = Field(default_factory=list, max_length=50)
    exclude_tags: list[str] = Field(default_factory=list, max_length=50)

    def is_empty(self) -> bool:
        return not (self.segment_ids or self.tags or self.contact_ids)


class QuietHours(BaseModel):
    """Sends happen between `start` and `end` in each contact's local time."""

    start: str = "08:00"
    end: str = "21:00"

    @field_validator("start", "end")
    @classmethod
    def _clock(cls, value: str) -> str:
        if not _CLOCK.match(value):
            raise ValueError("use HH:MM, 24-hour clock")
        return value


BODY_DESCRIPTION = (
    "A message template: {{first_name|there}}, {{fields.KEY}}... (variables, fallbacks: "
    "/docs/template-variables). A launch with an unknown variable without fallback is 422."
)
_SMART_ENCODING = (
    "Send GSM-7 look-alikes of smart quotes, dashes, ellipsis and special spaces when that "
    "makes a message GSM-7 (fewer segments). null: the workspace's default "
    "(`GET /v1/workspace/settings`)."
)


class CampaignIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    body: str | None = Field(None, min_length=1, max_length=1600, description=BODY_DESCRIPTION)
    template_id: uuid.UUID | None = None
    template_version: Version | None = None
    audience: Audience = Field(default_factory=Audience)
    pool_id: uuid.UUID | None = None
    send_at: Timestamp | None = None
    quiet_hours: QuietHours | None = Field(
        default_factory=QuietHours, description="null sends at any hour."
    )
    rate_cap_mps: float | None = Field(None, gt=0, le=10_000)
    smart_encoding: bool | None = Field(None, strict=True, description=_SMART_ENCODING)

    @model_validator(mode="after")
    def _one_content(self) -> CampaignIn:
        if self.body and self.template_id:
            raise ValueError("give body or template_id, not both")
        if self.template_version is not None and self.template_id is None:
            raise ValueError("template_version needs template_id")
        if self.send_at is not None and self.send_at.tzinfo is None:
            raise ValueError("send_at needs a time zone offset")
        return self


class CampaignPatch(BaseModel):
    name: NotNull[Annotated[str, Field(min_length=1, max_length=200)]] = None
    body: str | None = Field(None, min_length=1, max_length=1600, description=BODY_DESCRIPTION)
    template_id: uuid.UUID | None = None
    template_version: Version | None = None
    audience: NotNull[Audience] = None
    pool_id: uuid.UUID | None = None
    send_at: Timestamp | None = None
    quiet_hours: QuietHours | None = None
    rate_cap_mps: float | None = Field(None, gt=0, le=10_000)
    smart_encoding: bool | None = Field(None, strict=True, description=_SMART_ENCODING)


class AudienceCount(BaseModel):
    count: int = Field(
        description="Distinct phone numbers that would be sent to now (opted-out excluded)."
    )


class CampaignOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    status: Status
    body: str | None
    template_id: uuid.UUID | None
    template_version: int | None
    audience: Audience
    pool_id: uuid.UUID | None
    send_at: datetime | None
    quiet_hours: QuietHours | None
    rate_cap_mps: float | None
    smart_encoding: bool | None = Field(description=_SMART_ENCODING)
    audience_size: int | None
    launched_at: datetime | None
    paused_at: datetime | None
    pause_reason: str | None
    completed_at: datetime | None
    cancelled_at: datetime | None
    created_at: datetime
    updated_at: datetime


class CampaignList(BaseModel):
    data: list[CampaignOut]
    next_cursor: str | None = None


class CampaignQuery(PageQuery):
    status: Status | None = None


class LaunchOut(BaseModel):
    campaign: CampaignOut
    audience_size: int | None = Field(description="Frozen audience; null while scheduled.")


class CampaignStats(BaseModel):
    audience: int
    pending: int = Field(description="Contacts not reached by the send yet (no message).")
    queued: int = Field(description="Messages written and waiting to go (quiet hours included).")
    waiting_for_quiet_hours: int = Field(
        description="Of the queued messages, those held until their contacts' sending window "
        "opens (each message's `due_at`)."
    )
    next_due_at: datetime | None = Field(
        description="When the first message held by quiet hours is due; null when none is."
    )
    sending: int
    sent: int
    delivered: int
    undelivered: int
    failed: int
    failed_by_code: dict[str, int]
    skipped: int = Field(description="Left out at send time (opted out or erased meanwhile).")
    cancelled: int = Field(description="Contacts never sent to because the campaign was cancelled.")
    opted_out_during: int
    replies: int
    segments: int
    estimated_cost_minor: int
    actual_cost_minor: int
    throughput_per_second: float = Field(description="Messages handed over in the last 10 s / 10.")


class PreviewIn(BaseModel):
    contact_ids: list[uuid.UUID] = Field(default_factory=list, max_length=20)
    sample_size: int = Field(3, ge=1, le=20)


class PreviewSample(BaseModel):
    contact_id: uuid.UUID
    phone: str
    text: str = Field(description="The text that will be sent (after smart encoding, if on).")
    segments: int
    encoding: str
    unicode_chars: list[str]
    rendered: str | None = Field(
        None, description="The rendered text before smart encoding, when that changed it."
    )


class PreviewOut(BaseModel):
    samples: list[PreviewSample]
    smart_encoding: bool = Field(description="Whether the campaign's messages are smart-encoded.")
    audience_estimate: int
    unknown_variables: list[str] = Field(
        description="Names that are not template variables (/docs/template-variables)."
    )
    blocking_variables: list[str] = Field(
        description="Unknown variables without a fallback: the launch is refused (422) "
        "until each is fixed or given one, `{{name|fallback}}`."
    )
    estimated_segments: int
    estimated_cost_minor: int = Field(
        description="Estimated segments x the estimated price of a segment, in minor units."
    )
    pool_capacity_mps: float = Field(description="Sum of the pool's active numbers' rates.")
    effective_rate_mps: float = Field(
        description="Segments per second the campaign will send: the slowest of its pool, "
        "the plan's workspace rate, the provider account and the campaign's own cap."
    )
    rate_limited_by: Literal["pool", "plan", "provider_account", "campaign_cap"] = Field(
        description="Which of those sets the pace."
    )
    estimated_duration_seconds: float | None = Field(
        description="From now until the last message is out at that rate, each contact "
        "reached only inside the quiet-hours window in their time zone; null when nothing "
        "can send (an empty pool)."
    )
    estimated_finish_at: datetime | None
    deferred_by_quiet_hours: int = Field(
        description="Messages expected to wait for their contacts' sending window."
    )


class CampaignMessagesQuery(PageQuery):
    status: str | None = None
