"""Request and response bodies of the identity routes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from shared.schemas import SecretBearing

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


class WorkspaceSettingsOut(_Out):
    smart_encoding: bool = Field(description=_SMART_ENCODING)


class WorkspaceSettingsPatch(BaseModel):
    smart_encoding: bool | None = Field(None, strict=True, description=_SMART_ENCODING)


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
