"""The inbox: one conversation per contact, read markers, lead qualification history."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from shared.contacts.models import LEAD_STAGES
from shared.db.base import Base, TenantOwned, created_at, updated_at, uuid_pk
from shared.db.types import one_of

AI_MODES = ("inherit", "off", "suggest", "auto")


class Conversation(TenantOwned, Base):
    __tablename__ = "conversations"
    __table_args__ = (
        UniqueConstraint("tenant_id", "contact_id"),
        one_of("status", ("open", "closed", "snoozed")),
        one_of("ai_mode", AI_MODES),
        one_of("lead_stage", LEAD_STAGES),
        Index("ix_conversations_activity", "tenant_id", "last_message_at", "id"),
        # The inbox's "changes since" poll: one range scan per poll (service.changes).
        Index("ix_conversations_changes", "tenant_id", "updated_at", "id"),
        Index(
            "ix_conversations_snoozed",
            "snoozed_until",
            postgresql_where=text("status = 'snoozed'"),
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    contact_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    number_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("twilio_numbers.id", ondelete="SET NULL")
    )
    status: Mapped[str] = mapped_column(String(8), server_default="open")
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    snoozed_until: Mapped[datetime | None]
    ai_mode: Mapped[str] = mapped_column(String(8), server_default="inherit")
    needs_human: Mapped[bool] = mapped_column(server_default=text("false"))
    needs_human_reason: Mapped[str | None] = mapped_column(String(200))
    consecutive_ai_replies: Mapped[int] = mapped_column(Integer, server_default="0")
    lead_stage: Mapped[str] = mapped_column(String(12), server_default="new")
    qualification: Mapped[dict[str, Any]] = mapped_column(server_default=text("'{}'::jsonb"))
    last_campaign_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("campaigns.id", ondelete="SET NULL")
    )
    last_message_at: Mapped[datetime | None]
    last_inbound_at: Mapped[datetime | None]
    last_message_preview: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()


class ConversationRead(TenantOwned, Base):
    """How far each user has read each conversation (per-user unread counts)."""

    __tablename__ = "conversation_reads"

    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    last_read_at: Mapped[datetime]


class LeadQualification(TenantOwned, Base):
    """History of qualification results (AI or agent) on a conversation."""

    __tablename__ = "lead_qualifications"
    __table_args__ = (one_of("stage", LEAD_STAGES),)

    id: Mapped[uuid.UUID] = uuid_pk()
    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    stage: Mapped[str] = mapped_column(String(12))
    fields: Mapped[dict[str, Any]]
    confidence: Mapped[float | None] = mapped_column(Float)
    handoff: Mapped[bool] = mapped_column(server_default=text("false"))
    source: Mapped[str] = mapped_column(String(8))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at()
