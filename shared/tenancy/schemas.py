"""Request and response bodies of the identity routes."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    field_validator,
    model_validator,
)

from shared.schemas import NotNull, SecretBearing

Role = Literal["owner", "admin", "member"]

PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_BYTES = 72  # bcrypt reads at most 72 bytes; longer passwords would be cut
# A password being chosen: its length rule is in the document; the rest (common
# passwords, bytes, the email as password) is checked by `passwords.password_problem`.
NewPassword = Annotated[
    str,
    Field(
        min_length=PASSWORD_MIN_LENGTH,
        max_length=PASSWORD_MAX_BYTES,
        description=(
            f"At least {PASSWORD_MIN_LENGTH} characters and at most {PASSWORD_MAX_BYTES} "
            "bytes; not a common password, nor the email's name."
        ),
    ),
]


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class SignupIn(BaseModel):
    email: EmailStr
    password: NewPassword
    name: str = Field(min_length=1, max_length=200)
    workspace_name: str = Field(min_length=1, max_length=200)


class LoginIn(BaseModel):
    email: str = Field(min_length=1, max_length=320)
    password: str = Field(min_length=1, max_length=200)


class RefreshIn(BaseModel):
    refresh_token: str | None = Field(
        None,
        min_length=1,
        max_length=200,
        description="Omit it to use the console's session cookie (`session=cookie`).",
    )


class EmailIn(BaseModel):
    email: str = Field(min_length=1, max_length=320)


class TokenIn(BaseModel):
    token: str = Field(min_length=1, max_length=200)


class PasswordResetIn(BaseModel):
    token: str = Field(min_length=1, max_length=200)
    password: NewPassword


class WorkspaceIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)


class UserOut(_Out):
    id: uuid.UUID
    email: str
    name: str
    email_verified: bool
    created_at: datetime


class WorkspaceOut(_Out):
    id: uuid.UUID
    name: str
    plan: str
    created_at: datetime


_SMART_ENCODING = (
    "Replace characters that have a GSM-7 look-alike (smart quotes, dashes, ellipsis, "
    "no-break and other spaces: Twilio's Smart Encoding table) when that makes the whole "
    "message GSM-7, so it costs fewer segments. Applies to every message the workspace "
    "sends (campaigns unless they set their own, API sends, inbox, AI and keyword replies)."
)


_CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
HELP_REPLY_MAX = 320
DEFAULT_QUIET_HOURS = {"start": "08:00", "end": "21:00"}


class QuietHoursWindow(BaseModel):
    """Campaign messages go out between `start` and `end` in each contact's local time."""

    start: str = Field("08:00", examples=["08:00"])
    end: str = Field("21:00", examples=["21:00"])

    @field_validator("start", "end")
    @classmethod
    def _clock(cls, value: str) -> str:
        if not _CLOCK.match(value):
            raise ValueError("use HH:MM, 24-hour clock")
        return value

    @model_validator(mode="after")
    def _not_empty(self) -> QuietHoursWindow:
        if self.start == self.end:
            raise ValueError("start and end must differ")
        return self


def _zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError("not a known IANA time zone") from exc
    return value


def _help_reply(value: str) -> str:
    # Sent through str.format(name=...): any other brace would break the keyword reply.
    if "{" in value.replace("{name}", "") or "}" in value.replace("{name}", ""):
        raise ValueError("the only placeholder allowed is {name} (the workspace's name)")
    return value


_TIMEZONE = "The workspace's IANA time zone (reports, the AI's active hours by default)."
_QUIET = "The send window new campaigns start with (each can set its own, or none)."
_HELP = (
    "The answer to HELP / INFO; `{name}` is replaced by the workspace's name. "
    "null: the default text."
)


class WorkspaceSettingsOut(BaseModel):
    name: str
    timezone: str = Field(description=_TIMEZONE)
    quiet_hours: QuietHoursWindow = Field(description=_QUIET)
    help_reply: str | None = Field(description=_HELP)
    default_help_reply: str = Field(description="The text sent when `help_reply` is null.")
    smart_encoding: bool = Field(description=_SMART_ENCODING)


class WorkspaceSettingsPatch(BaseModel):
    name: NotNull[Annotated[str, Field(min_length=1, max_length=200)]] = None
    timezone: NotNull[Annotated[str, AfterValidator(_zone), Field(max_length=64)]] = Field(
        None, description=_TIMEZONE
    )
    quiet_hours: NotNull[QuietHoursWindow] = Field(None, description=_QUIET)
    help_reply: (
        Annotated[str, AfterValidator(_help_reply), Field(min_length=1, max_length=HELP_REPLY_MAX)]
        | None
    ) = Field(None, description=_HELP)
    smart_encoding: bool | None = Field(None, strict=True, description=_SMART_ENCODING)


class ProfilePatch(BaseModel):
    name: str = Field(min_length=1, max_length=200)


class PasswordChangeIn(BaseModel):
    current_password: str = Field(min_length=1, max_length=200)
    new_password: NewPassword


class MembershipOut(BaseModel):
    workspace: WorkspaceOut
    role: Role


class TokenPair(SecretBearing):
    access_token: str
    refresh_token: str | None = Field(
        description="Null when the session is kept in a cookie (`session=cookie`)."
    )
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - a scheme, not a secret
    expires_in: int = Field(description="Seconds until the access token expires.")


class SessionOut(TokenPair):
    user: UserOut
    workspace: WorkspaceOut
    role: Role


class MeOut(BaseModel):
    user: UserOut | None = Field(description="Null when authenticated with an API key.")
    workspace: WorkspaceOut
    role: Role
    api_key_id: uuid.UUID | None = None
    memberships: list[MembershipOut]


class WorkspaceList(BaseModel):
    data: list[MembershipOut]


class Accepted(BaseModel):
    status: Literal["accepted"] = "accepted"
    detail: str


class MemberOut(BaseModel):
    user_id: uuid.UUID
    email: str
    name: str
    role: Role
    joined_at: datetime


class MemberList(BaseModel):
    data: list[MemberOut]


class InvitationIn(BaseModel):
    email: EmailStr
    role: Role = "member"


class InvitationOut(_Out):
    id: uuid.UUID
    email: str
    role: Role
    expires_at: datetime
    created_at: datetime


class InvitationList(BaseModel):
    data: list[InvitationOut] = Field(description="Pending: neither accepted nor revoked.")


class RoleIn(BaseModel):
    role: Role


class ApiKeyIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    role: Role = "member"


class ApiKeyOut(_Out):
    id: uuid.UUID
    name: str
    prefix: str
    role: Role
    created_at: datetime
    last_used_at: datetime | None


class ApiKeyCreated(ApiKeyOut, SecretBearing):
    secret: str = Field(description="The full key. Shown once; store it now.")


class ApiKeyList(BaseModel):
    data: list[ApiKeyOut]
