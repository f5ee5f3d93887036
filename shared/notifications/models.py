"""Outgoing email goes through an outbox table, sent by a worker (retryable, auditable)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import Base, created_at, uuid_pk
from shared.db.types import one_of


class EmailOutbox(Base):
    __tablename__ = "email_outbox"
    __table_args__ = (
        one_of("status", ("pending", "sent", "failed")),
        Index("ix_email_outbox_pending", "created_at", postgresql_where="status = 'pending'"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), server_default="pending")
    attempts: Mapped[int] = mapped_column(server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
    # The workspace the mail is about, when there is one (its admins may see and resend it).
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), index=True
    )
    next_attempt_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = created_at()
    sent_at: Mapped[datetime | None]
