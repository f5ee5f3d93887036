"""Request and response bodies of contacts, tags, segments and imports."""

from __future__ import annotations

import math
import re
import uuid
import zoneinfo
from collections.abc import Collection
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from shared.contacts.models import LEAD_STAGES
from shared.http.pagination import Page, PageQuery
from shared.schemas import Float64, JsonInt, NotNull, Timestamp

MAX_TAGS = 100
MAX_FIELDS = 100
MAX_FIELD_TEXT = 1000
FIELD_KEY = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]{0,63}")
_EMAIL = re.compile(r"[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+\.[^@\s.\x00-\x1f\x7f]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SPACES = re.compile(r"\s+")

FieldValue = str | bool | JsonInt | Float64


TAG_MAX_LENGTH = 100


def normalize_tag(raw: str) -> str:
    """Tags are trimmed, lower-cased, single-spaced, 1 to TAG_MAX_LENGTH characters."""
    tag = _SPACES.sub(" ", raw).strip().lower()
    if not tag:
        raise ValueError("A tag cannot be empty.")
    if len(tag) > TAG_MAX_LENGTH:
        raise ValueError(f"A tag has at most {TAG_MAX_LENGTH} characters.")
    if _CONTROL.search(tag):
        raise ValueError("A tag cannot contain control characters.")
    return tag


# A tag as a request gives it (the document shows these bounds); stored normalized.
Tag = Annotated[
    str,
    Field(
        min_length=1,
        max_length=TAG_MAX_LENGTH,
        description=(
            "Not only spaces or control characters; trimmed, lower-cased and "
            "single-spaced when stored."
        ),
    ),
    AfterValidator(normalize_tag),
]


def normalize_email(raw: str) -> str:
    email = raw.strip().lower()
    if len(email) > 320 or not _EMAIL.fullmatch(email):
        raise ValueError("Not a valid email address.")
    return email


def clean_name(raw: str) -> str:
    """Names on one line, single-spaced; at most 100 characters."""
    name = _SPACES.sub(" ", _CONTROL.sub(" ", raw)).strip()
    if len(name) > 100:
        raise ValueError("At most 100 characters.")
    return name


def valid_timezone(name: str) -> bool:
    if not name or len(name) > 64 or name.startswith(("/", ".")) or ".." in name:
        return False
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


# Custom fields: one validator for the API (ContactIn, ContactPatch) and the CSV import.


def check_field_value(value: Any) -> Any:
    if isinstance(value, str):
        if len(value) > MAX_FIELD_TEXT:
            raise ValueError(f"Text values have at most {MAX_FIELD_TEXT} characters.")
        if "\x00" in value:
            raise ValueError("NUL characters are not allowed.")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("Numbers must be finite.")
    return value


def check_field_keys(keys: Collection[str]) -> None:
    if len(keys) > MAX_FIELDS:
        raise ValueError(f"At most {MAX_FIELDS} custom fields (here {len(keys)}).")
    for key in keys:
        if not FIELD_KEY.fullmatch(key):
            raise ValueError(
                f"Custom field name {key!r}: 1-64 letters, digits, '_' or '-' "
                "(not starting with '-')."
            )


def check_fields(fields: dict[str, Any] | None) -> dict[str, Any] | None:
    if fields is None:
        return None
    check_field_keys(fields.keys())
    for value in fields.values():
        if value is not None:
            check_field_value(value)
    return fields


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _ContactFields(_In):
    first_name: str | None = Field(None, max_length=200)
    last_name: str | None = Field(None, max_length=200)
    email: str | None = Field(None, max_length=320, description="Stored lower-cased.")
    timezone: str | None = Field(
        None, description="IANA zone; derived from the number when not given."
    )

    @field_validator("first_name", "last_name")
    @classmethod
    def _name(cls, v: str | None) -> str | None:
        return (clean_name(v) or None) if v is not None else None

    @field_validator("email")
    @classmethod
    def _email(cls, v: str | None) -> str | None:
        return normalize_email(v) if v else None

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str | None) -> str | None:
        if v is not None and not valid_timezone(v):
            raise ValueError("Not an IANA time zone (e.g. America/New_York).")
        return v


class ContactIn(_ContactFields):
    phone: str = Field(
        min_length=1,
        max_length=40,
        description="Any common format; stored as E.164 (workspace default region).",
    )
    fields: dict[str, FieldValue] = Field(
        default_factory=dict, description="Custom fields: text, number, boolean or date text."
    )
    tags: list[Tag] = Field(default_factory=list, max_length=MAX_TAGS)

    @field_validator("fields")
    @classmethod
    def _fields(cls, v: dict[str, Any]) -> dict[str, Any]:
        check_fields(v)
        return v

    @field_validator("tags")
    @classmethod
    def _tags(cls, v: list[str]) -> list[str]:
        return list(dict.fromkeys(v))


class ContactPatch(_ContactFields):
    """Only the fields sent change; `fields` merges (a null value removes that field)."""

    phone: NotNull[Annotated[str, Field(min_length=1, max_length=40)]] = None
    fields: dict[str, FieldValue | None] | None = None

    @field_validator("fields")
    @classmethod
    def _fields(cls, v: dict[str, Any] | None) -> dict[str, Any] | None:
        return check_fields(v)


class ContactOut(BaseModel):
    id: uuid.UUID
    phone: str
    first_name: str | None
    last_name: str | None
    email: str | None
    timezone: str | None
    fields: dict[str, Any]
    tags: list[str]
    opted_out: bool = Field(description="Read-only: changed by keywords or opt-out/opt-in.")
    opted_out_at: datetime | None
    lead_stage: str
    last_message_at: datetime | None
    created_at: datetime
    updated_at: datetime


class ContactPage(Page[ContactOut]):
    pass


class ContactQuery(PageQuery):
    q: str | None = Field(
        None, max_length=200, description="Text in the name, email or phone (ignores case)."
    )
    tag: Tag | None = Field(None, description="Only contacts with this tag.")
    segment_id: uuid.UUID | None = Field(None, description="Only contacts in this segment.")
    opted_out: bool | None = Field(None, description="Only opted-out (true) or reachable.")
    created_after: Timestamp | None = Field(None, description="Created after this instant.")


class ConsentIn(_In):
    reason: str | None = Field(None, max_length=500, description="Recorded with the event.")


class TagsIn(_In):
    tags: list[Tag] = Field(min_length=1, max_length=MAX_TAGS)

    @field_validator("tags")
    @classmethod
    def _tags(cls, v: list[str]) -> list[str]:
        return list(dict.fromkeys(v))


class TagOut(BaseModel):
    tag: str
    contacts: int


class TagList(BaseModel):
    data: list[TagOut]


class BulkIn(_In):
    """Exactly one target (`contact_ids` or `segment_id`) and at least one action."""

    contact_ids: list[uuid.UUID] | None = Field(None, min_length=1, max_length=10_000)
    segment_id: uuid.UUID | None = None
    add_tags: list[Tag] = Field(default_factory=list, max_length=MAX_TAGS)
    remove_tags: list[Tag] = Field(default_factory=list, max_length=MAX_TAGS)
    delete: bool = Field(False, description="Erase the contacts (their opt-outs are kept).")

    @field_validator("add_tags", "remove_tags")
    @classmethod
    def _tags(cls, v: list[str]) -> list[str]:
        return list(dict.fromkeys(v))

    @model_validator(mode="after")
    def _one_target_one_action(self) -> BulkIn:
        if (self.contact_ids is None) == (self.segment_id is None):
            raise ValueError("Give exactly one of contact_ids or segment_id.")
        if not (self.add_tags or self.remove_tags or self.delete):
            raise ValueError("Give at least one action: add_tags, remove_tags or delete.")
        return self


class BulkOut(BaseModel):
    matched: int = Field(description="Contacts the target selected.")
    tags_added: int
    tags_removed: int
    deleted: int


FILTER_DESCRIPTION = (
    'A filter tree: {"all": [...]} or {"any": [...]} of groups and conditions '
    '{"field", "op", "value"}. Fields: first_name, last_name, email, phone, timezone, '
    "fields.KEY, tag, opted_out, created_at, last_message_at, lead_stage, "
    "conversation_status. Operators, values and their meaning: /docs/segments."
)


class SegmentIn(_In):
    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(None, max_length=2000)
    filter: dict[str, Any] = Field(description=FILTER_DESCRIPTION)


class SegmentPatch(_In):
    name: NotNull[Annotated[str, Field(min_length=1, max_length=200)]] = None
    description: str | None = Field(None, max_length=2000)
    filter: NotNull[dict[str, Any]] = Field(None, description=FILTER_DESCRIPTION)


class SegmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    description: str | None
    filter: dict[str, Any]
    created_at: datetime
    updated_at: datetime


class SegmentPage(Page[SegmentOut]):
    pass


class SegmentCount(BaseModel):
    count: int


class FilterCountIn(_In):
    """A filter not saved yet (a segment being built): how many contacts it matches now."""

    filter: dict[str, Any] = Field(description=FILTER_DESCRIPTION)


ConsentKind = Literal["opt_out", "opt_in"]
ConsentSource = Literal["keyword", "api", "provider_error", "import", "agent"]


class ConsentEventOut(BaseModel):
    """One opt-out or opt-in: of a contact (its page) or of the workspace (the consent log)."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    contact_id: uuid.UUID | None
    phone: str
    kind: ConsentKind
    source: ConsentSource = Field(
        description="keyword (the contact texted it), api, agent, import, or provider_error "
        "(the carrier reported the number unsubscribed)."
    )
    reason: str | None
    keyword: str | None = Field(description="The word the contact texted, for `keyword`.")
    campaign_id: uuid.UUID | None
    message_id: uuid.UUID | None
    occurred_at: datetime


class ConsentEventPage(Page[ConsentEventOut]):
    pass


# --- imports ----------------------------------------------------------------------------

IMPORT_TARGETS = (
    "phone",
    "first_name",
    "last_name",
    "full_name",
    "email",
    "timezone",
    "tags",
    "ignore",
)


class ImportOptions(_In):
    default_region: str | None = Field(
        None,
        min_length=2,
        max_length=2,
        description="Region for numbers without a country code (default: the workspace's).",
    )
    tags: list[Tag] = Field(
        default_factory=list, max_length=MAX_TAGS, description="Added to every imported contact."
    )
    on_duplicate: Literal["update", "skip"] = Field(
        "update",
        description="A number already in the workspace: update that contact, or skip the row.",
    )
    mapping: dict[str, str] | None = Field(
        None,
        description=(
            "CSV header -> phone, first_name, last_name, full_name, email, timezone, tags, "
            "ignore, or fields.KEY. Headers not named are detected from their names."
        ),
    )

    @field_validator("default_region")
    @classmethod
    def _region(cls, v: str | None) -> str | None:
        from shared.contacts.phones import valid_region

        if v is None:
            return None
        if not valid_region(v):
            raise ValueError("Not a known region code (ISO 3166 alpha-2, e.g. US, GB).")
        return v.upper()

    @field_validator("tags")
    @classmethod
    def _tags(cls, v: list[str]) -> list[str]:
        return list(dict.fromkeys(v))

    @field_validator("mapping")
    @classmethod
    def _mapping(cls, v: dict[str, str] | None) -> dict[str, str] | None:
        if v is None:
            return None
        for header, target in v.items():
            custom = target.startswith("fields.") and FIELD_KEY.fullmatch(target[7:])
            if target not in IMPORT_TARGETS and not custom:
                raise ValueError(
                    f"Column {header!r}: unknown target {target!r}; use one of "
                    f"{', '.join(IMPORT_TARGETS)} or fields.KEY."
                )
        return v


class ImportFromUri(ImportOptions):
    source_uri: str = Field(max_length=1000, description="A gs://bucket/object URI.")


class ImportOut(BaseModel):
    id: uuid.UUID
    status: str = Field(description="queued, running, completed, failed or cancelled")
    filename: str | None
    options: dict[str, Any]
    mapping: dict[str, str] | None = Field(description="Column -> target, once detected.")
    encoding: str | None
    rows_read: int
    rows_created: int
    rows_updated: int
    rows_skipped: int = Field(description="Duplicates (in the file, or existing with skip).")
    rows_failed: int = Field(description="Rows with errors; see errors_url.")
    chunks_done: int
    bytes_total: int | None
    bytes_done: int
    error: str | None = Field(description="Why the whole import failed, if it did.")
    errors_url: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class ImportPage(Page[ImportOut]):
    pass


LEAD_STAGE_VALUES = LEAD_STAGES
