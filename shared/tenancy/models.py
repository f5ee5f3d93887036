"""Workspaces (tenants), users, memberships, sessions and API keys."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, func, text
from sqlalchemy.orm import Mapped, mapped_column

from shared.billing.plans import PLAN_NAMES
from shared.db.base import Base, TenantOwned, created_at, updated_at, uuid_pk
from shared.db.types import one_of

ROLES = ("owner", "admin", "member")
PLANS = PLAN_NAMES


class Tenant(Base):
    """A workspace. Its own row is visible to its members and inside its own sessions."""

    __tablename__ = "tenants"
    __table_args__ = (one_of("plan", PLANS),)

    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(200))
    settings: Mapped[dict[str, Any]] = mapped_column(server_default=text("'{}'::jsonb"))
    # Send GSM-7 look-alikes of smart quotes, dashes and the like (see templates.segments).
    smart_encoding: Mapped[bool] = mapped_column(server_default=text("false"))
    plan: Mapped[str] = mapped_column(String(20), server_default="free")
    stripe_customer_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    stripe_subscription_id: Mapped[str | None] = mapped_column(String(64))
    subscription_status: Mapped[str | None] = mapped_column(String(32))
    # The subscription as last read from Stripe (shared.billing.subscriptions); `plan` is
    # the plan whose limits apply (free once a subscription is canceled).
    current_period_start: Mapped[datetime | None]
    current_period_end: Mapped[datetime | None]
    cancel_at_period_end: Mapped[bool] = mapped_column(server_default=text("false"))
    trial_end: Mapped[datetime | None]
    past_due_since: Mapped[datetime | None]
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()


class User(Base):
    """A person; global identity, belongs to workspaces through memberships."""

    __tablename__ = "users"
    __table_args__ = (Index("uq_users_email_lower", func.lower(text("email")), unique=True),)

    id: Mapped[uuid.UUID] = uuid_pk()
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(100))
    email_verified_at: Mapped[datetime | None]
    last_tenant_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("tenants.id", ondelete="SET NULL")
    )
    password_changed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()


class Membership(TenantOwned, Base):
    """user_tenants: a user's role in a workspace. Visible to the workspace and to the user."""

    __tablename__ = "user_tenants"
    __table_args__ = (one_of("role", ROLES),)
    __rls_user_column__ = "user_id"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = created_at()


class RefreshToken(TenantOwned, Base):
    """Opaque, rotated refresh tokens, stored hashed; a family is one login's chain."""

    __tablename__ = "refresh_tokens"
    __rls_user_column__ = "user_id"

    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    family_id: Mapped[uuid.UUID] = mapped_column(index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    user_agent: Mapped[str | None] = mapped_column(String(300))
    ip: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = created_at()


class ApiKey(TenantOwned, Base):
    """A workspace API key: shown once, stored hashed, looked up by its public prefix."""

    __tablename__ = "api_keys"
    __table_args__ = (one_of("role", ROLES),)

    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(32), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = created_at()


class Invitation(TenantOwned, Base):
    __tablename__ = "invitations"
    __table_args__ = (one_of("role", ROLES),)

    id: Mapped[uuid.UUID] = uuid_pk()
    email: Mapped[str] = mapped_column(String(320))
    role: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = created_at()


class EmailToken(Base):
    """Single-use tokens for email verification and password reset, stored hashed."""

    __tablename__ = "email_tokens"
    __table_args__ = (one_of("purpose", ("verify_email", "reset_password")),)

    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = created_at()


class IdempotencyRecord(TenantOwned, Base):
    """The stored answer to a POST carrying an Idempotency-Key, replayed on retry."""

    __tablename__ = "idempotency_keys"

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    request_fingerprint: Mapped[str] = mapped_column(String(64))
    response_status: Mapped[int | None]
    response_body: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime] = created_at()
