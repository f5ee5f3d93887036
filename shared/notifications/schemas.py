"""The outbox as the workspace's admins see it: mail about the workspace or its people."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.http.pagination import PageQuery

EmailStatus = Literal["pending", "sent", "failed"]


class EmailOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    to_address: str
    subject: str
    status: EmailStatus = Field(
        description="`failed`: dead-lettered after every attempt failed (see `last_error`)."
    )
    attempts: int
    last_error: str | None = Field(description="Why the last attempt failed.")
    next_attempt_at: datetime | None = Field(description="When a pending mail is tried next.")
    failed_at: datetime | None
    created_at: datetime
    sent_at: datetime | None


class EmailList(BaseModel):
    data: list[EmailOut]
    next_cursor: str | None = None


class EmailQuery(PageQuery):
    status: EmailStatus | None = None
