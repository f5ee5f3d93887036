"""AI reply engine configuration and drafts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import Base, TenantOwned, created_at, updated_at, uuid_pk
from shared.db.types import one_of


class AiConfig(TenantOwned, Base):
    __tablename__ = "ai_configs"
    __table_args__ = (UniqueConstraint("tenant_id"), one_of("mode", ("off", "suggest", "auto")))

    id: Mapped[uuid.UUID] = uuid_pk()
    enabled: Mapped[bool] = mapped_column(server_default=text("false"))
    mode: Mapped[str] = mapped_column(String(8), server_default="off")
    model: Mapped[str | None] = mapped_column(String(100))
    qualification_model: Mapped[str | None] = mapped_column(String(100))
    persona: Mapped[str | None] = mapped_column(Text)
    instructions: Mapped[str | None] = mapped_column(Text)
    business_facts: Mapped[str | None] = mapped_column(Text)
    criteria: Mapped[dict[str, Any]] = mapped_column(server_default=text("'[]'::jsonb"))
    handoff_rules: Mapped[dict[str, Any]] = mapped_column(server_default=text("'{}'::jsonb"))
    active_hours: Mapped[dict[str, Any] | None]
    reply_delay_min_seconds: Mapped[int] = mapped_column(Integer, server_default="20")
    reply_delay_max_seconds: Mapped[int] = mapped_column(Integer, server_default="60")
    max_consecutive_replies: Mapped[int] = mapped_column(Integer, server_default="5")
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()


class AiDraft(TenantOwned, Base):
    """A suggested reply waiting for an agent (suggest mode); one per conversation."""

    __tablename__ = "ai_drafts"
    __table_args__ = (UniqueConstraint("conversation_id"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE")
    )
    body: Mapped[str] = mapped_column(Text)
    qualification: Mapped[dict[str, Any]] = mapped_column(server_default=text("'{}'::jsonb"))
    model: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = created_at()
