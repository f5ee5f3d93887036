"""Bodies of the AI routes, and `Qualification`: the structured output of one Claude call."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from shared.contacts.models import LEAD_STAGES
from shared.schemas import Day

Mode = Literal["off", "suggest", "auto"]
LeadStage = Literal["new", "engaged", "qualified", "unqualified", "handoff"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
CriterionType = Literal["string", "number", "integer", "boolean", "scale", "enum"]

MAX_REPLY_CHARS = 320
_CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_MODEL_ID = r"^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,99}$"

assert set(get_args(LeadStage)) == set(LEAD_STAGES)


class Criterion(BaseModel):
    """One qualification field the model fills in when the conversation reveals it."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$", examples=["budget"])
    type: CriterionType = "string"
    description: str = Field("", max_length=500)
    options: list[str] | None = Field(
        None, min_length=1, max_length=20, description="The allowed values of an `enum`."
    )
    min: int = Field(1, ge=-1000, le=1000, description="Lowest value of a `scale`.")
    max: int = Field(5, ge=-1000, le=1000, description="Highest value of a `scale`.")

    @model_validator(mode="after")
    def _consistent(self) -> Criterion:
        if self.type == "enum" and not self.options:
            raise ValueError("an enum criterion needs `options`")
        if self.type != "enum" and self.options is not None:
            raise ValueError("`options` is only for enum criteria")
        if self.type == "scale" and self.min >= self.max:
            raise ValueError("a scale needs min < max")
        return self


class HandoffRules(BaseModel):
    """When the AI stops and a human takes the conversation."""

    keywords: list[str] = Field(
        default_factory=list,
        max_length=50,
        description="Any of these words or phrases in an inbound message (case-insensitive).",
    )
    negative_sentiment: bool = Field(True, description="The contact is upset or angry.")
    qualified_lead: bool = Field(True, description="The lead reached the `qualified` stage.")
    human_request: bool = Field(True, description="The contact asks for a person.")

    @field_validator("keywords")
    @classmethod
    def _keywords(cls, value: list[str]) -> list[str]:
        cleaned = [k.strip() for k in value]
        if any(not 1 <= len(k) <= 50 for k in cleaned):
            raise ValueError("each keyword has 1 to 50 characters")
        return cleaned


class ActiveWindow(BaseModel):
    """Days and local clock times; `end` before `start` runs past midnight."""

    days: list[Weekday] = Field(min_length=1, max_length=7)
    start: str = Field("09:00", examples=["09:00"])
    end: str = Field("18:00", examples=["18:00"])

    @field_validator("start", "end")
    @classmethod
    def _clock(cls, value: str) -> str:
        if not _CLOCK.match(value):
            raise ValueError("use HH:MM, 24-hour clock")
        return value

    @model_validator(mode="after")
    def _not_empty(self) -> ActiveWindow:
        if self.start == self.end:
            raise ValueError("start and end must differ")
        return self


class ActiveHours(BaseModel):
    timezone: str = Field(examples=["America/New_York"])
    windows: list[ActiveWindow] = Field(min_length=1, max_length=21)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("not a known IANA time zone") from exc
        return value


class AiConfigIn(BaseModel):
    """The whole configuration (PUT replaces it; omitted fields take their defaults)."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = False
    mode: Mode = "off"
    model: str | None = Field(None, pattern=_MODEL_ID, description="null: the default model.")
    qualification_model: str | None = Field(
        None, pattern=_MODEL_ID, description="null: the default small, fast model."
    )
    persona: str | None = Field(None, max_length=2000)
    instructions: str | None = Field(None, max_length=4000)
    business_facts: str | None = Field(
        None, max_length=8000, description="The only facts the AI may rely on."
    )
    criteria: list[Criterion] = Field(default_factory=list, max_length=20)
    handoff_rules: HandoffRules = Field(default_factory=HandoffRules)
    active_hours: ActiveHours | None = Field(None, description="null: at any hour.")
    reply_delay_min_seconds: int = Field(20, ge=0, le=3600)
    reply_delay_max_seconds: int = Field(60, ge=0, le=3600)
    max_consecutive_replies: int = Field(5, ge=1, le=100)

    @model_validator(mode="after")
    def _consistent(self) -> AiConfigIn:
        if self.reply_delay_min_seconds > self.reply_delay_max_seconds:
            raise ValueError("reply_delay_min_seconds must not exceed reply_delay_max_seconds")
        names = [c.name for c in self.criteria]
        if len(names) != len(set(names)):
            raise ValueError("criteria names must be unique")
        return self


class AiConfigOut(AiConfigIn):
    model_config = ConfigDict(extra="ignore")

    effective_model: str
    effective_qualification_model: str
    api_key_configured: bool = Field(description="Whether ANTHROPIC_API_KEY is set.")
    updated_at: datetime | None = None


class AiTryIn(BaseModel):
    """A sample inbound message, answered with a configuration (unsaved, or the saved one)."""

    model_config = ConfigDict(extra="forbid")

    message: str = Field(min_length=1, max_length=1600, description="What a contact writes.")
    config: AiConfigIn | None = Field(
        None, description="The configuration to try (the form being edited); null: the saved one."
    )

    @field_validator("message")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("write a message")
        return value


class AiTryOut(BaseModel):
    """The draft Claude would write; nothing is stored or sent."""

    reply: str
    lead_stage: LeadStage
    fields: dict[str, Any]
    confidence: float
    handoff: bool
    handoff_reason: str | None
    model: str


class Qualification(BaseModel):
    """What one Claude call returns through the `record_reply` tool."""

    model_config = ConfigDict(extra="forbid")

    reply: str = Field(max_length=MAX_REPLY_CHARS)
    lead_stage: LeadStage
    fields: dict[str, Any]
    confidence: float = Field(ge=0, le=1)
    handoff: bool
    handoff_reason: str | None = Field(None, max_length=500)


class DraftOut(BaseModel):
    id: uuid.UUID
    conversation_id: uuid.UUID
    body: str
    model: str | None
    answered_message_id: uuid.UUID | None = Field(
        None, description="The latest inbound message the draft answers."
    )
    qualification: dict[str, Any]
    created_at: datetime


class DraftSendIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: str | None = Field(
        None, min_length=1, max_length=1600, description="Edited text; null sends the draft."
    )


USAGE_DEFAULT_DAYS = 30
USAGE_MAX_DAYS = 366
USAGE_FIRST_DAY = date(2000, 1, 1)
USAGE_LAST_DAY = date(2999, 12, 31)


class UsageQuery(BaseModel):
    """A range of UTC days; the one place its defaults and limits are written."""

    from_: Day | None = Field(
        None,
        alias="from",
        description=(
            f"First day (UTC), from {USAGE_FIRST_DAY} to {USAGE_LAST_DAY}; default "
            f"{USAGE_DEFAULT_DAYS} days before `to`. At most {USAGE_MAX_DAYS} days before `to`."
        ),
    )
    to: Day | None = Field(
        None,
        description=(
            f"Last day (UTC), included, from {USAGE_FIRST_DAY} to {USAGE_LAST_DAY}; default today."
        ),
    )

    @field_validator("from_", "to")
    @classmethod
    def _plausible(cls, value: date | None) -> date | None:
        if value is not None and not USAGE_FIRST_DAY <= value <= USAGE_LAST_DAY:
            raise ValueError(f"use a date between {USAGE_FIRST_DAY} and {USAGE_LAST_DAY}")
        return value

    @model_validator(mode="after")
    def _range(self) -> UsageQuery:
        self.to = self.to or datetime.now(UTC).date()
        self.from_ = self.from_ or self.to - timedelta(days=USAGE_DEFAULT_DAYS)
        if self.from_ > self.to:
            raise ValueError("`from` must not be after `to`")
        if (self.to - self.from_).days > USAGE_MAX_DAYS:
            raise ValueError(f"ask for at most {USAGE_MAX_DAYS} days")
        return self

    @property
    def days(self) -> tuple[date, date]:
        assert self.from_ is not None  # set by _range
        assert self.to is not None
        return self.from_, self.to


class UsageTotals(BaseModel):
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0


class UsageDay(UsageTotals):
    day: date


class UsageOut(BaseModel):
    start: date
    end: date
    totals: UsageTotals
    days: list[UsageDay]
