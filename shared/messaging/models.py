"""Provider accounts, numbers (DIDs), pools, messages, and webhook idempotency."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Float,
    ForeignKey,
    Index,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import Base, TenantOwned, created_at, updated_at, uuid_pk
from shared.db.types import one_of

NUMBER_TYPES = ("long_code", "toll_free", "short_code")
NUMBER_STATUSES = ("active", "paused", "failing", "released")
MESSAGE_STATUSES = (
    "queued",
    "scheduled",
    "sending",
    "sent",
    "delivered",
    "undelivered",
    "failed",
    "suppressed",
    "received",
)
SENDER_TYPES = ("campaign", "agent", "ai", "api", "system", "contact")
# The indexed full-text document of a message body ('simple': no stemming, any language).
BODY_TSVECTOR = "to_tsvector('simple'::regconfig, COALESCE(body, ''::text))"


class TwilioConfig(TenantOwned, Base):
    """A workspace's Twilio account; the auth token is envelope-encrypted."""

    __tablename__ = "twilio_configs"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    account_sid: Mapped[str] = mapped_column(String(64), index=True)
    auth_token_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    auth_token_wrapped_key: Mapped[bytes] = mapped_column(LargeBinary)
    master_key_id: Mapped[str] = mapped_column(String(300))
    auth_token_last4: Mapped[str] = mapped_column(String(4))
    messaging_service_sid: Mapped[str | None] = mapped_column(String(64))
    validated_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()


class PhoneNumber(TenantOwned, Base):
    """twilio_numbers: a DID of the workspace, with its own send rate (MPS)."""

    __tablename__ = "twilio_numbers"
    __table_args__ = (
        one_of("number_type", NUMBER_TYPES),
        one_of("status", NUMBER_STATUSES),
        # A live number belongs to exactly one workspace: inbound routing depends on it.
        Index(
            "uq_twilio_numbers_live_phone",
            "phone_number",
            unique=True,
            postgresql_where=text("status <> 'released'"),
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    phone_number: Mapped[str] = mapped_column(String(20))
    provider: Mapped[str] = mapped_column(String(16), server_default="twilio")
    provider_sid: Mapped[str | None] = mapped_column(String(64))
    friendly_name: Mapped[str | None] = mapped_column(String(200))
    number_type: Mapped[str] = mapped_column(String(16), server_default="long_code")
    capabilities: Mapped[dict[str, Any]] = mapped_column(server_default=text("'{}'::jsonb"))
    status: Mapped[str] = mapped_column(String(16), server_default="active")
    status_reason: Mapped[str | None] = mapped_column(String(200))
    mps: Mapped[float] = mapped_column(Float, server_default="1")
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()


class NumberPool(TenantOwned, Base):
    __tablename__ = "number_pools"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    sticky: Mapped[bool] = mapped_column(server_default=text("true"))
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()


class NumberPoolMember(TenantOwned, Base):
    """A number in a pool; a number may be in several pools."""

    __tablename__ = "number_pool_numbers"

    pool_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("number_pools.id", ondelete="CASCADE"), primary_key=True
    )
    number_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("twilio_numbers.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = created_at()


class Message(TenantOwned, Base):
    """One SMS in or out. Outbound: queued → sending → sent → delivered|undelivered|failed."""

    __tablename__ = "messages"
    __table_args__ = (
        one_of("direction", ("inbound", "outbound")),
        one_of("status", MESSAGE_STATUSES),
        one_of("sender_type", SENDER_TYPES),
        Index("uq_messages_provider_sid", "provider_sid", unique=True),
        Index("ix_messages_conversation_time", "conversation_id", "created_at", "id"),
        Index("ix_messages_tenant_time", "tenant_id", "created_at", "id"),
        Index("ix_messages_campaign_status", "campaign_id", "status"),
        # Inbox search (`q`): full text over bodies; queries must spell this expression
        # exactly (shared.conversations.service.BODY_TSVECTOR) for the planner to use it.
        Index("ix_messages_body_search", text(BODY_TSVECTOR), postgresql_using="gin"),
        Index(
            "ix_messages_stuck_sending",
            "sending_at",
            postgresql_where=text("status = 'sending'"),
        ),
        Index("uq_messages_idempotency", "tenant_id", "idempotency_key", unique=True),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    conversation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="SET NULL")
    )
    contact_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), index=True
    )
    campaign_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("campaigns.id", ondelete="SET NULL")
    )
    number_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("twilio_numbers.id", ondelete="SET NULL"), index=True
    )
    direction: Mapped[str] = mapped_column(String(8))
    sender_type: Mapped[str] = mapped_column(String(10))
    sent_by_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    from_number: Mapped[str] = mapped_column(String(20))
    to_number: Mapped[str] = mapped_column(String(20))
    body: Mapped[str | None] = mapped_column(Text)
    media_urls: Mapped[dict[str, Any] | None]
    segments: Mapped[int] = mapped_column(SmallInteger, server_default="1")
    encoding: Mapped[str] = mapped_column(String(8), server_default="GSM-7")
    status: Mapped[str] = mapped_column(String(12))
    priority: Mapped[int] = mapped_column(SmallInteger, server_default="0")
    provider: Mapped[str] = mapped_column(String(16), server_default="twilio")
    provider_sid: Mapped[str | None] = mapped_column(String(64))
    error_code: Mapped[int | None]
    error_message: Mapped[str | None] = mapped_column(Text)
    price_minor: Mapped[int | None] = mapped_column(BigInteger)
    price_currency: Mapped[str | None] = mapped_column(String(3))
    idempotency_key: Mapped[str | None] = mapped_column(String(255))
    attempts: Mapped[int] = mapped_column(SmallInteger, server_default="0")
    queued_at: Mapped[datetime | None]
    # Set when the message waits for the end of quiet hours: when it is due to go out.
    due_at: Mapped[datetime | None]
    sending_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    received_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()


class ProcessedProviderEvent(Base):
    """Webhook idempotency: one row per provider event already applied.

    Global (not tenant-scoped): the tenant is often unknown until the event is parsed.
    """

    __tablename__ = "processed_provider_events"
    __table_args__ = (UniqueConstraint("provider", "event_id"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    provider: Mapped[str] = mapped_column(String(16))
    event_id: Mapped[str] = mapped_column(String(128))
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE")
    )
    received_at: Mapped[datetime] = created_at()
