"""Request and response bodies of the inbox routes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

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
    has_inbound: bool | None = Field(
        None,
        description="true: conversations with at least one inbound message (the inbox's work "
        "queue; a campaign message nobody answered stays out); false: only those without "
        "(campaign-only threads). Omitted: both.",
    )
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
    erased: bool = Field(False, description="Erased (GDPR): nothing can be sent to it.")


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
    """Change state. `snoozed_until` alone snoozes until then; `status: snoozed` without it
    snoozes until the contact replies (any reply reopens a snoozed conversation); opening
    or closing clears it. `assignee_id: null` unassigns."""

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
        if self.status in ("open", "closed") and self.snoozed_until is not None:
            raise ValueError("snoozed_until goes only with status snoozed")
        return self


class CountsQuery(BaseModel):
    has_inbound: bool | None = Field(
        None,
        description="Count only conversations with (true) or without (false) an inbound "
        "message, as the list's filter of the same name.",
    )


class ConversationCounts(BaseModel):
    """`open`, `unread`, `mine`, `unassigned` and `by_lead_stage` are over open
    conversations; `mine` is null for an API key (no user)."""

    open: int
    unread: int = Field(description="Unread by the caller; for an API key, by every member.")
    mine: int | None
    unassigned: int
    snoozed: int = 0
    closed: int = 0
    by_lead_stage: dict[str, int] = Field(
        default_factory=dict, description="Open conversations per lead stage (zeros omitted)."
    )


class ChangesQuery(BaseModel):
    since: str | None = Field(
        None,
        max_length=200,
        description="The `cursor` of the previous answer. Omitted: only the current cursor.",
    )


class ChangedConversation(BaseModel):
    id: uuid.UUID
    updated_at: datetime


class ChangesOut(BaseModel):
    """Conversations changed since the cursor (with an overlap window, so a transaction
    that committed late is not missed: the same rows come back until something newer
    changes, and so does the ETag). `truncated`: more changed than listed; refetch."""

    cursor: str
    changed: list[ChangedConversation]
    truncated: bool


FieldValue = Annotated[str, Field(max_length=500)] | bool


class LeadIn(BaseModel):
    """The agent's qualification: the stage and the fields (merged over the current ones;
    a null value removes a field). Recorded in the history with source `agent`."""

    model_config = ConfigDict(extra="forbid")

    stage: LeadStage
    fields: dict[str, FieldValue | None] = Field(
        default_factory=dict, description="Text or yes/no values; null removes the field."
    )
    note: str | None = Field(None, max_length=1000)

    @field_validator("fields")
    @classmethod
    def _small(cls, value: dict[str, FieldValue | None]) -> dict[str, FieldValue | None]:
        if len(value) > 50:
            raise ValueError("at most 50 fields")
        for key in value:
            if not 1 <= len(key) <= 64:
                raise ValueError("field names have 1 to 64 characters")
        return value


class LeadEntry(BaseModel):
    stage: str
    fields: dict[str, Any]
    confidence: float | None
    handoff: bool
    source: str = Field(description="`ai` or `agent`.")
    note: str | None
    created_at: datetime


class LeadOut(BaseModel):
    stage: str
    fields: dict[str, Any]
    history: list[LeadEntry] = Field(description="Newest first (at most 50).")


class ReplyPreviewOut(BaseModel):
    """What a reply would send: the text (rendered for the contact, smart-encoded if the
    workspace has it on), its encoding and segments."""

    text: str
    characters: int
    encoding: str
    segments: int
    per_segment: int
    remaining: int
    unicode_chars: list[str]
    gsm_suggestion: str | None


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
