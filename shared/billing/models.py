"""Billing data: metered usage, its batches on their way to Stripe, and billing events.

- `UsageRecord`: one row per source (a message, an AI call) and kind, written in the same
  transaction as the state that causes it; counted once (unique per source).
- `MeterBatch`: usage records summed into one Stripe meter event. The batch (and with it
  the event's `identifier`) is committed before any call to Stripe, so every retry of the
  push sends the same identifier and Stripe counts it once.
- `BillingEvent`: the outbox and history of `billing.updated` / `billing.usage_warning`:
  written with the change that causes it, published after the commit (again until
  published); `dedupe_key` makes a Stripe event or a usage threshold count once.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import Base, TenantOwned, created_at, uuid_pk
from shared.db.types import one_of

USAGE_KINDS = (
    "sms_outbound_segments",
    "sms_inbound_segments",
    "mms_outbound_messages",
    "ai_input_tokens",
    "ai_output_tokens",
    "ai_cache_read_tokens",
    "ai_cache_write_tokens",
)
BATCH_STATUSES = ("pending", "pushed", "rejected")


class UsageRecord(TenantOwned, Base):
    __tablename__ = "usage_records"
    __table_args__ = (
        one_of("kind", USAGE_KINDS),
        # A source (message, AI call) is counted once even when its event is redelivered.
        UniqueConstraint("tenant_id", "kind", "source_id"),
        Index("ix_usage_records_period", "tenant_id", "kind", "occurred_at"),
        # What the meter push has not settled yet (small: it is settled every minute).
        Index(
            "ix_usage_records_unreported",
            "tenant_id",
            postgresql_where=text("reported_at IS NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    # No index of its own: the unique constraint and the period index lead with it (one
    # index less to write per message sent).
    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False
    )
    kind: Mapped[str] = mapped_column(String(32))
    quantity: Mapped[int] = mapped_column(BigInteger)  # negative: a correction
    source_id: Mapped[str] = mapped_column(String(128))
    model: Mapped[str | None] = mapped_column(String(100))
    cost_minor: Mapped[int | None] = mapped_column(BigInteger)
    occurred_at: Mapped[datetime] = created_at()
    # Settled by the meter push: carried by `meter_batch_id` to Stripe, or (no batch) not
    # billed through Stripe (no paid subscription then, or a kind that is never billed).
    reported_at: Mapped[datetime | None]
    meter_batch_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("billing_meter_batches.id"))


class MeterBatch(TenantOwned, Base):
    __tablename__ = "billing_meter_batches"
    __table_args__ = (
        one_of("status", BATCH_STATUSES),
        Index(
            "ix_billing_meter_batches_pending",
            "tenant_id",
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    meter: Mapped[str] = mapped_column(String(64))  # the meter's event_name
    quantity: Mapped[int] = mapped_column(BigInteger)
    identifier: Mapped[str] = mapped_column(String(100), unique=True)
    stripe_customer_id: Mapped[str] = mapped_column(String(64))
    event_time: Mapped[datetime]  # the meter event's timestamp: when the usage happened
    status: Mapped[str] = mapped_column(String(16), server_default="pending")
    attempts: Mapped[int] = mapped_column(server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at()
    pushed_at: Mapped[datetime | None]


class BillingEvent(TenantOwned, Base):
    __tablename__ = "billing_events"
    __table_args__ = (
        UniqueConstraint("tenant_id", "dedupe_key"),
        Index(
            "ix_billing_events_unpublished",
            "created_at",
            postgresql_where=text("published_at IS NULL"),
        ),
        Index("ix_billing_events_tenant_time", "tenant_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    type: Mapped[str] = mapped_column(String(40))  # the topic
    dedupe_key: Mapped[str] = mapped_column(String(200))
    data: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = created_at()
    published_at: Mapped[datetime | None]
