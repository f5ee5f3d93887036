"""Bodies of the dashboard and onboarding routes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, field_validator

Range = Literal["24h", "7d", "30d"]


class ActivityQuery(BaseModel):
    range: Range = Field("7d", description="24h (hourly points), 7d or 30d (daily points).")
    tz: str = Field(
        "UTC",
        max_length=64,
        description="IANA time zone of the buckets (days start at local midnight).",
    )

    @field_validator("tz")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"Unknown time zone {value!r}.") from exc
        return value


class ActivityCounts(BaseModel):
    sent: int = Field(description="Outbound messages accepted by the provider.")
    delivered: int
    failed: int = Field(description="Failed or undelivered.")
    replies: int = Field(description="Inbound messages.")
    opt_outs: int


class ActivityPoint(ActivityCounts):
    start: datetime = Field(description="Start of the bucket (UTC).")


class ActivityOut(BaseModel):
    range: Range
    bucket: Literal["hour", "day"]
    since: datetime
    points: list[ActivityPoint]
    totals: ActivityCounts
    delivery_rate: float | None = Field(
        description="Delivered / (delivered + failed) over the range; null with no outcome yet."
    )
    segments: int = Field(description="Segments sent over the range.")
    estimated_spend_minor: int = Field(
        description="Segments x the plan's price per segment (on the free plan, the first "
        "paid plan's): the plans' prices, GET /v1/billing."
    )
    currency: str = "USD"


class CampaignProgress(BaseModel):
    id: uuid.UUID
    name: str
    status: Literal["scheduled", "running", "paused"]
    send_at: datetime | None
    launched_at: datetime | None
    pause_reason: str | None
    audience: int = Field(description="Recipients frozen at launch (0 until launched).")
    done: int = Field(description="Recipients settled: sent, skipped, failed or cancelled.")


class CampaignProgressList(BaseModel):
    data: list[CampaignProgress]


OnboardingStepKey = Literal["provider", "number", "contacts", "campaign"]


class OnboardingStep(BaseModel):
    key: OnboardingStepKey
    done: bool


class OnboardingOut(BaseModel):
    provider: Literal["twilio", "simulator"] | None = Field(
        description="Twilio once connected; the simulator while it stands in; else null."
    )
    steps: list[OnboardingStep] = Field(
        description="In order: a provider, a number, contacts, a launched campaign."
    )
    complete: bool
