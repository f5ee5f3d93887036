"""contacts: import attribution and progress, cheaper custom-field index, activity index

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 18:00:00+00:00

- contacts.last_import_id: the import that last wrote a contact, so an import skips numbers
  it already wrote (in-file duplicates across chunks, and resumed chunks);
- ix_contacts_fields becomes a jsonb_path_ops GIN index (serves `@>`, cheaper to maintain);
- ix_contacts_last_message: partial index for segments on recent activity;
- import_jobs.source_bytes / encoding: progress and the detected text encoding;
- ix_contacts_tenant_id and ix_contact_tags_tenant_id go: composite indexes lead with
  tenant_id already, and each index costs every row an import writes;
- the RLS helpers app_current_tenant() / app_current_user() become PARALLEL SAFE (they only
  read settings, which parallel workers inherit). As PARALLEL UNSAFE (the default), every
  query under RLS was planned without parallel workers: a segment count over a million
  contacts scanned on one core.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_HELPERS = ("app_current_tenant()", "app_current_user()")


def upgrade() -> None:
    for helper in _HELPERS:
        op.execute(f"ALTER FUNCTION {helper} PARALLEL SAFE")
    op.drop_index("ix_contacts_tenant_id", table_name="contacts")
    op.drop_index("ix_contact_tags_tenant_id", table_name="contact_tags")
    op.add_column("contacts", sa.Column("last_import_id", sa.UUID(), nullable=True))
    op.drop_index("ix_contacts_fields", table_name="contacts")
    op.create_index(
        "ix_contacts_fields",
        "contacts",
        ["fields"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"fields": "jsonb_path_ops"},
    )
    op.create_index(
        "ix_contacts_last_message",
        "contacts",
        ["tenant_id", "last_message_at"],
        unique=False,
        postgresql_where=sa.text("last_message_at IS NOT NULL"),
    )
    op.add_column("import_jobs", sa.Column("source_bytes", sa.BigInteger(), nullable=True))
    op.add_column("import_jobs", sa.Column("encoding", sa.String(length=16), nullable=True))


def downgrade() -> None:
    for helper in _HELPERS:
        op.execute(f"ALTER FUNCTION {helper} PARALLEL UNSAFE")
    op.drop_column("import_jobs", "encoding")
    op.drop_column("import_jobs", "source_bytes")
    op.drop_index(
        "ix_contacts_last_message",
        table_name="contacts",
        postgresql_where=sa.text("last_message_at IS NOT NULL"),
    )
    op.drop_index("ix_contacts_fields", table_name="contacts", postgresql_using="gin")
    op.create_index(
        "ix_contacts_fields", "contacts", ["fields"], unique=False, postgresql_using="gin"
    )
    op.drop_column("contacts", "last_import_id")
    op.create_index("ix_contact_tags_tenant_id", "contact_tags", ["tenant_id"], unique=False)
    op.create_index("ix_contacts_tenant_id", "contacts", ["tenant_id"], unique=False)
