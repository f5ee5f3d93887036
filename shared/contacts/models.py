"""Contacts, tags, segments, consent (opt-out) events and CSV import jobs."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import Base, TenantOwned, created_at, updated_at, uuid_pk
from shared.db.types import one_of

LEAD_STAGES = ("new", "engaged", "qualified", "unqualified", "handoff")


class Contact(TenantOwned, Base):
    """A person the workspace texts. Phone is E.164 and unique per workspace.

    Erasure (delete) blanks the personal data and sets `erased_at` but keeps the row with
    its phone and opt-out state, so an opted-out number is never texted again.
    """

    __tablename__ = "contacts"
    __table_args__ = (
        UniqueConstraint("tenant_id", "phone"),
        Index("ix_contacts_tenant_created", "tenant_id", "created_at", "id"),
        # jsonb_path_ops: serves `fields @> {...}` (segment equality on custom fields) and
        # costs imports about half of the default opclass.
        Index(
            "ix_contacts_fields",
            "fields",
            postgresql_using="gin",
            postgresql_ops={"fields": "jsonb_path_ops"},
        ),
        # Segments on recent activity; partial, so imports (no messages yet) never touch it.
        Index(
            "ix_contacts_last_message",
            "tenant_id",
            "last_message_at",
            postgresql_where=text("last_message_at IS NOT NULL"),
        ),
        one_of("lead_stage", LEAD_STAGES),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    # No index of its own: (tenant_id, phone) and (tenant_id, created_at, id) lead with it,
    # and every index is paid for on each of the millions of rows an import writes.
    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False
    )
    phone: Mapped[str] = mapped_column(String(20))
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(320))
    timezone: Mapped[str | None] = mapped_column(String(64))
    fields: Mapped[dict[str, Any]] = mapped_column(server_default=text("'{}'::jsonb"))
    opted_out: Mapped[bool] = mapped_column(server_default=text("false"))
    opted_out_at: Mapped[datetime | None]
    lead_stage: Mapped[str] = mapped_column(String(12), server_default="new")
    last_message_at: Mapped[datetime | None]
    erased_at: Mapped[datetime | None]
    # The import that last created or updated this contact: an import skips numbers it has
    # already written (first occurrence in the file wins, also across chunks and resumes).
    last_import_id: Mapped[uuid.UUID | None]
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()


class Recipient(Protocol):
    """What sending to a contact reads of it: a `Contact`, or a campaign batch's row of
    just these columns (loading ORM objects was a sixth of a sender's CPU)."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def phone(self) -> str: ...
    @property
    def first_name(self) -> str | None: ...
    @property
    def last_name(self) -> str | None: ...
    @property
    def email(self) -> str | None: ...
    @property
    def timezone(self) -> str | None: ...
    @property
    def fields(self) -> dict[str, Any]: ...


class ContactTag(TenantOwned, Base):
    __tablename__ = "contact_tags"
    __table_args__ = (Index("ix_contact_tags_tenant_tag", "tenant_id", "tag"),)

    # Indexed by (tenant_id, tag) only (see Contact.tenant_id).
    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False
    )
    contact_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(100), primary_key=True)
    created_at: Mapped[datetime] = created_at()


class Segment(TenantOwned, Base):
    """A saved filter tree over contacts, compiled to one parameterized query."""

    __tablename__ = "segments"

    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    filter: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()


class ConsentEvent(TenantOwned, Base):
    """Every opt-out and opt-in, with its source: the compliance audit trail."""

    __tablename__ = "consent_events"
    __table_args__ = (
        one_of("kind", ("opt_out", "opt_in")),
        one_of("source", ("keyword", "api", "provider_error", "import", "agent")),
        Index("ix_consent_events_phone", "tenant_id", "phone", "occurred_at"),
        # The dashboard's opt-outs over time.
        Index("ix_consent_events_tenant_time", "tenant_id", "occurred_at"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    contact_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), index=True
    )
    phone: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(8))
    source: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("messages.id", ondelete="SET NULL")
    )
    campaign_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("campaigns.id", ondelete="SET NULL")
    )
    keyword: Mapped[str | None] = mapped_column(String(20))
    occurred_at: Mapped[datetime] = created_at()


class ImportJob(TenantOwned, Base):
    """A CSV import, committed in chunks so a crash resumes from the last chunk."""

    __tablename__ = "import_jobs"
    __table_args__ = (one_of("status", ("queued", "running", "completed", "failed", "cancelled")),)

    id: Mapped[uuid.UUID] = uuid_pk()
    status: Mapped[str] = mapped_column(String(10), server_default="queued")
    source_uri: Mapped[str] = mapped_column(Text)
    filename: Mapped[str | None] = mapped_column(String(300))
    options: Mapped[dict[str, Any]] = mapped_column(server_default=text("'{}'::jsonb"))
    mapping: Mapped[dict[str, Any] | None]
    rows_read: Mapped[int] = mapped_column(Integer, server_default="0")
    rows_created: Mapped[int] = mapped_column(Integer, server_default="0")
    rows_updated: Mapped[int] = mapped_column(Integer, server_default="0")
    rows_skipped: Mapped[int] = mapped_column(Integer, server_default="0")
    rows_failed: Mapped[int] = mapped_column(Integer, server_default="0")
    chunks_done: Mapped[int] = mapped_column(Integer, server_default="0")
    byte_offset: Mapped[int] = mapped_column(BigInteger, server_default="0")
    error: Mapped[str | None] = mapped_column(Text)
    source_bytes: Mapped[int | None] = mapped_column(BigInteger)
    encoding: Mapped[str | None] = mapped_column(String(16))
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = created_at()
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class ImportRowError(TenantOwned, Base):
    __tablename__ = "import_errors"
    __table_args__ = (Index("ix_import_errors_job_row", "job_id", "row_number"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    job_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("import_jobs.id", ondelete="CASCADE"))
    row_number: Mapped[int] = mapped_column(BigInteger)
    column_name: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
