"""Request and response bodies of the template routes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from shared.http.pagination import PageQuery
from shared.schemas import NotNull, Version
from shared.templates.segments import Encoding

MAX_BODY = 1600  # ten concatenated GSM-7 segments and then some; what a send accepts


def _clean_name(value: str | None) -> str | None:
    if value is None:
        return None
    name = " ".join(value.split())
    if not name:
        raise ValueError("cannot be blank")
    return name


class TemplateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    body: str = Field(
        min_length=1,
        max_length=MAX_BODY,
        description="{{first_name|there}}, {{fields.KEY}}...: variables and fallbacks in "
        "/docs/template-variables.",
    )

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return _clean_name(value) or value


class TemplatePatch(BaseModel):
    """A new `body` makes a new version; a rename alone does not."""

    model_config = ConfigDict(extra="forbid")

    name: NotNull[Annotated[str, Field(min_length=1, max_length=200)]] = None
    body: NotNull[Annotated[str, Field(min_length=1, max_length=MAX_BODY)]] = None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return _clean_name(value)

    @model_validator(mode="after")
    def _something(self) -> TemplatePatch:
        if self.name is None and self.body is None:
            raise ValueError("give name or body")
        return self


class TemplateOut(BaseModel):
    id: uuid.UUID
    name: str
    current_version: int
    body: str = Field(description="The body of the current version.")
    variables: list[str] = Field(description="Variables of the body, in order of first use.")
    unknown_variables: list[str] = Field(description="Variables that always render a fallback.")
    warnings: list[str] = Field(description="Unknown variables and unbalanced braces.")
    created_at: datetime
    updated_at: datetime


class TemplateList(BaseModel):
    data: list[TemplateOut]
    next_cursor: str | None = Field(None, description="Pass as `cursor` to get the next page.")


class TemplateQuery(PageQuery):
    pass


class TemplateVersionOut(BaseModel):
    version: int
    body: str
    variables: list[str]
    unknown_variables: list[str]
    created_by: uuid.UUID | None
    created_at: datetime


class TemplateVersionList(BaseModel):
    data: list[TemplateVersionOut] = Field(description="Every version, oldest first.")


class TemplatePreviewIn(BaseModel):
    """Render for one contact of the workspace, or for sample values such as
    `{"first_name": "Ann", "contact": {"fields": {"city": "Paris"}}}` (the workspace name
    is filled in unless given). Neither: only the workspace is known."""

    model_config = ConfigDict(extra="forbid")

    contact_id: uuid.UUID | None = None
    values: dict[str, Any] | None = None
    version: Version | None = Field(None, description="Default: the current version.")
    smart_encoding: bool | None = Field(
        None,
        strict=True,
        description="Preview with smart encoding on or off (as a campaign that sets its own "
        "would send it); null: the workspace's default.",
    )

    @model_validator(mode="after")
    def _one_source(self) -> TemplatePreviewIn:
        if self.contact_id is not None and self.values is not None:
            raise ValueError("give contact_id or values, not both")
        return self


class DraftPreviewIn(BaseModel):
    """An unsaved body, rendered like a saved version would be: for one contact, for
    sample values, or for the workspace alone (see `TemplatePreviewIn`)."""

    model_config = ConfigDict(extra="forbid")

    body: str = Field(min_length=1, max_length=MAX_BODY)
    contact_id: uuid.UUID | None = None
    values: dict[str, Any] | None = None
    smart_encoding: bool | None = Field(
        None, strict=True, description="null: the workspace's default."
    )

    @model_validator(mode="after")
    def _one_source(self) -> DraftPreviewIn:
        if self.contact_id is not None and self.values is not None:
            raise ValueError("give contact_id or values, not both")
        return self


class DraftPreviewOut(BaseModel):
    text: str = Field(description="The text that will be sent (after smart encoding, if on).")
    rendered: str | None = Field(
        None, description="The rendered text before smart encoding, when that changed it."
    )
    characters: int = Field(description="Characters (Unicode code points) of the text.")
    encoding: Encoding
    segments: int
    unicode_chars: list[str] = Field(description="Characters that forced UCS-2.")
    gsm_suggestion: str | None = Field(
        description="The text with smart quotes/dashes replaced, when that alone makes it GSM-7."
    )
    body_gsm_suggestion: str | None = Field(
        None,
        description="With `gsm_suggestion`: the template body itself with the same "
        "replacements, variables kept (what an editor offers to switch to).",
    )
    unknown_variables: list[str]
    warnings: list[str]


class TemplatePreviewOut(DraftPreviewOut):
    version: int
