"""Outgoing webhooks: endpoints developers register, one delivery per (event, endpoint),
and every attempt of a delivery."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import Base, TenantOwned, created_at, updated_at, uuid_pk
from shared.db.types import one_of


class WebhookEndpoint(TenantOwned, Base):
    __tablename__ = "webhook_endpoints"

    id: Mapped[uuid.UUID] = uuid_pk()
    url: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    # Public event types, or ["*"] for every one.
    event_types: Mapped[list[str]] = mapped_column(JSONB, server_default=text("'[]'::jsonb"))
    # The signing secret, sealed (shared.crypto); after a rotation the previous one keeps
    # signing too until previous_secret_expires_at.
    secret_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    secret_wrapped_key: Mapped[bytes] = mapped_column(LargeBinary)
    secret_key_id: Mapped[str] = mapped_column(String(300), server_default="")
    previous_secret_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)
    previous_secret_wrapped_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    previous_secret_key_id: Mapped[str | None] = mapped_column(String(300))
    previous_secret_expires_at: Mapped[datetime | None]
    enabled: Mapped[bool] = mapped_column(server_default=text("true"))
    consecutive_failures: Mapped[int] = mapped_column(Integer, server_default="0")
    # First failed attempt since the last success: past the failure window, disabled.
    failing_since: Mapped[datetime | None]
    disabled_reason: Mapped[str | None] = mapped_column(String(200))
    disabled_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()


class WebhookDelivery(TenantOwned, Base):
    """One event for one endpoint. Its id is derived from (event, endpoint), so a redelivered
    internal event finds it again, and it is the receiver's `webhook-id`."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("endpoint_id", "event_id"),
        one_of("status", ("pending", "succeeded", "failed")),
        Index("ix_webhook_deliveries_endpoint_time", "endpoint_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    endpoint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE")
    )
    event_id: Mapped[uuid.UUID]
    event_type: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(10), server_default="pending")
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    # Which scheduled task may make the next attempt: a task carrying another number is a
    # stale duplicate (a replay or a retry superseded it).
    seq: Mapped[int] = mapped_column(Integer, server_default="0")
    next_attempt_at: Mapped[datetime | None]
    last_status_code: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at()
    delivered_at: Mapped[datetime | None]


class WebhookAttempt(TenantOwned, Base):
    """One HTTP request of a delivery, as the delivery log shows it."""

    __tablename__ = "webhook_attempts"
    __table_args__ = (Index("ix_webhook_attempts_delivery", "delivery_id", "started_at"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    delivery_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE")
    )
    started_at: Mapped[datetime]
    status_code: Mapped[int | None]
    latency_ms: Mapped[int | None]
    response_body: Mapped[str | None] = mapped_column(Text)  # the first 2 KB
    error: Mapped[str | None] = mapped_column(Text)
    next_retry_at: Mapped[datetime | None]
