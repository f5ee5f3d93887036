"""Metered usage (SMS segments, AI tokens) recorded once per source for Stripe billing."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import Base, TenantOwned, created_at, uuid_pk
from shared.db.types import one_of

USAGE_KINDS = (
    "sms_outbound_segments",
    "sms_inbound_segments",
    "ai_input_tokens",
    "ai_output_tokens",
    "ai_cache_read_tokens",
    "ai_cache_write_tokens",
)


class UsageRecord(TenantOwned, Base):
    __tablename__ = "usage_records"
    __table_args__ = (
        one_of("kind", USAGE_KINDS),
        # A source (message, AI call) is counted once even when its event is redelivered.
        UniqueConstraint("tenant_id", "kind", "source_id"),
        Index("ix_usage_records_period", "tenant_id", "kind", "occurred_at"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    kind: Mapped[str] = mapped_column(String(32))
    quantity: Mapped[int] = mapped_column(BigInteger)
    source_id: Mapped[str] = mapped_column(String(128))
    model: Mapped[str | None] = mapped_column(String(100))
    cost_minor: Mapped[int | None] = mapped_column(BigInteger)
    occurred_at: Mapped[datetime] = created_at()
    reported_at: Mapped[datetime | None]
