"""Request and response bodies of the inbox routes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from shared.http.pagination import DEFAULT_LIMIT, MAX_LIMIT, PageQuery
from shared.messaging.schemas import MessageOut
from shared.schemas import AwareTimestamp, NotNull, Version
from shared.urls import PublicMediaUrl

Status = Literal["open", "closed", "snoozed"]
AiMode = Literal["inherit", "off", "suggest", "auto"]
LeadStage = Literal["new", "engaged", "qualified", "unqualified", "handoff"]
MAX_SNOOZE = timedelta(days=365)


class ConversationQuery(PageQuery):
    status: Status | None = None
    assignee: Literal["me", "none"] | uuid.UUID | None = Field(
        None,
        description="`me` (the calling user), `none` (unassigned) or a user id. "
        "`me` needs a user: an API key gets 422.",
    )
    unread: bool | None = Field(
        None,
        description="Unread for the calling user: an inbound message newer than their last "
        "read. With an API key (no user): unread by the whole workspace, an inbound message "
        "newer than every member's last read (nobody has seen it yet).",
    )
    campaign_id: uuid.UUID | None = Field(
        None, description="Conversations that received a message of this campaign."
    )
    lead_stage: LeadStage | None = None
    q: str | None = Field(
        None,
        min_length=1,
        max_length=200,
        description="Full text over message bodies and contact names (every word must match; "
        "words match as prefixes), or digits of the contact's phone number.",
    )


class ConversationContact(BaseModel):
    id: uuid.UUID
    phone: str
    first_name: str | None
    last_name: str | None
    opted_out: bool


class ConversationOut(BaseModel):
    id: uuid.UUID
    contact: ConversationContact
    number_id: uuid.UUID | None = Field(description="Our number the contact talks to (sticky).")
    status: Status
    assignee_id: uuid.UUID | None
    snoozed_until: datetime | None
    ai_mode: str
    needs_human: bool
    needs_human_reason: str | None = Field(
        None, description="Why the AI handed the conversation to a human."
    )
    lead_stage: str
    last_campaign_id: uuid.UUID | None
    last_message_at: datetime | None
    last_inbound_at: datetime | None
    last_message_preview: str | None
    unread: bool = Field(description="For the calling user; for an API key, by every member.")
    last_read_at: datetime | None = Field(
        description="The calling user's last read; for an API key, the latest by any member."
    )
    created_at: datetime
    updated_at: datetime


class ConversationList(BaseModel):
    data: list[ConversationOut]
    next_cursor: str | None = Field(None, description="Pass as `cursor` to get the next page.")


class ConversationPatch(BaseModel):
    """Change state. `snoozed_until` alone snoozes; `status: snoozed` needs it; opening or
    closing clears it. `assignee_id: null` unassigns."""

    model_config = ConfigDict(extra="forbid")

    status: NotNull[Status] = None
    assignee_id: uuid.UUID | None = Field(None, description="A member of the workspace, or null.")
    snoozed_until: AwareTimestamp | None = Field(
        None, description="When a snoozed conversation reopens (future, within a year)."
    )
    ai_mode: NotNull[AiMode] = None

    @field_validator("snoozed_until")
    @classmethod
    def _future(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        now = datetime.now(UTC)
        if value <= now:
            raise ValueError("must be in the future")
        if value > now + MAX_SNOOZE:
            raise ValueError("must be within a year")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> ConversationPatch:
        given = self.model_fields_set
        if not given:
            raise ValueError("give at least one of status, assignee_id, snoozed_until, ai_mode")
        if self.status == "snoozed" and self.snoozed_until is None:
            raise ValueError("status snoozed needs snoozed_until")
        if self.status in ("open", "closed") and self.snoozed_until is not None:
            raise ValueError("snoozed_until goes only with status snoozed")
        return self


class ConversationCounts(BaseModel):
    """Over open conversations; `mine` is null for an API key (no user)."""

    open: int
    unread: int = Field(description="Unread by the caller; for an API key, by every member.")
    mine: int | None
    unassigned: int


class ThreadQuery(BaseModel):
    before: str | None = Field(None, description="`before_cursor` of a page: older messages.")
    after: str | None = Field(None, description="`after_cursor` of a page: newer messages.")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Page size.")

    @model_validator(mode="after")
    def _one_direction(self) -> ThreadQuery:
        if self.before and self.after:
            raise ValueError("give before or after, not both")
        return self


class ThreadPage(BaseModel):
    """Messages in chronological order. Without a cursor: the newest page. `before_cursor`
    (first message) pages older, `after_cursor` (last message) pages newer; with `after`
    and nothing newer yet, `after_cursor` echoes the cursor so a client can poll with it."""

    data: list[MessageOut]
    before_cursor: str | None
    after_cursor: str | None
    has_older: bool
    has_newer: bool


class ReplyIn(BaseModel):
    """A reply: a body, or a template rendered for the contact (its current version unless
    `template_version` pins one)."""

    model_config = ConfigDict(extra="forbid")

    body: str | None = Field(None, min_length=1, max_length=1600)
    template_id: uuid.UUID | None = None
    template_version: Version | None = None
    media_urls: list[PublicMediaUrl] | None = Field(None, max_length=10)

    @model_validator(mode="after")
    def _one_source(self) -> ReplyIn:
        if (self.body is None) == (self.template_id is None):
            raise ValueError("give body or template_id (exactly one)")
        if self.template_version is not None and self.template_id is None:
            raise ValueError("template_version needs template_id")
        return self
