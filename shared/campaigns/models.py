"""Campaigns and their frozen audiences."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import Base, TenantOwned, created_at, updated_at, uuid_pk
from shared.db.types import one_of

CAMPAIGN_STATUSES = ("draft", "scheduled", "running", "paused", "completed", "cancelled")
CAMPAIGN_CONTACT_STATUSES = ("pending", "queued", "sent", "skipped", "failed", "cancelled")


class Campaign(TenantOwned, Base):
    __tablename__ = "campaigns"
    __table_args__ = (
        one_of("status", CAMPAIGN_STATUSES),
        Index("ix_campaigns_tenant_created", "tenant_id", "created_at", "id"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(200))
    body: Mapped[str | None] = mapped_column(Text)
    template_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("templates.id", ondelete="RESTRICT")
    )
    template_version: Mapped[int | None] = mapped_column(Integer)
    audience: Mapped[dict[str, Any]]
    pool_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("number_pools.id", ondelete="RESTRICT")
    )
    send_at: Mapped[datetime | None]
    quiet_hours: Mapped[dict[str, Any] | None]
    rate_cap_mps: Mapped[float | None] = mapped_column(Float)
    smart_encoding: Mapped[bool | None]  # null: the workspace's default
    status: Mapped[str] = mapped_column(String(10), server_default="draft")
    audience_size: Mapped[int | None] = mapped_column(Integer)
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    launched_at: Mapped[datetime | None]
    paused_at: Mapped[datetime | None]
    pause_reason: Mapped[str | None] = mapped_column(String(200))
    completed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    # Bumped at each launch and resume: batches of an older run drop themselves, so a
    # campaign's work in flight is one run's whatever its pause/resume history.
    run_epoch: Mapped[int] = mapped_column(Integer, server_default="0")
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()


class CampaignContact(TenantOwned, Base):
    """One recipient of a launched campaign; `seq` orders the fan-out's pages."""

    __tablename__ = "campaign_contacts"
    __table_args__ = (
        one_of("status", CAMPAIGN_CONTACT_STATUSES),
        Index("ix_campaign_contacts_seq", "campaign_id", "seq", unique=True),
        Index("ix_campaign_contacts_status", "campaign_id", "status"),
        # Settling a row when its message is accepted looks it up by message.
        Index("ix_campaign_contacts_message", "campaign_id", "message_id"),
    )

    campaign_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    contact_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    seq: Mapped[int] = mapped_column(BigInteger)
    phone: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10), server_default="pending")
    message_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("messages.id", ondelete="SET NULL")
    )
    skip_reason: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = updated_at()
