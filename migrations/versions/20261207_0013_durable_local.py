"""durable local queue, campaign run epochs, dead-lettered mail

Revision ID: 0013
Revises: 0016
Create Date: 2026-12-07 01:40:00+00:00

- queue_jobs / queue_keys: the local queue's jobs and deduplication keys, in the database
  so `smsctl dev` loses nothing across a restart (system role only);
- campaigns.run_epoch: batches of an older run (before a pause) drop themselves;
- email_outbox: tenant_id (whose admins see and resend it), next_attempt_at, failed_at.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from shared.config import get_settings
from shared.db import rls

revision: str = "0013"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    ts = sa.DateTime(timezone=True)
    op.create_table(
        "queue_jobs",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("kind", sa.String(length=5), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("consumer", sa.Integer(), server_default="0", nullable=False),
        sa.Column("label", sa.String(length=300), server_default="", nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("due_at", ts, server_default=sa.text("now()"), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("leased_until", ts, nullable=True),
        sa.Column("leased_by", sa.String(length=100), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("dead_at", ts, nullable=True),
        sa.Column("created_at", ts, server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_queue_jobs")),
    )
    op.create_index(
        "ix_queue_jobs_due", "queue_jobs", ["due_at"], postgresql_where=sa.text("dead_at IS NULL")
    )
    op.create_table(
        "queue_keys",
        sa.Column("key", sa.String(length=500), nullable=False),
        sa.Column("expires_at", ts, nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_queue_keys")),
    )
    op.create_index("ix_queue_keys_expires", "queue_keys", ["expires_at"])
    op.add_column(
        "campaigns", sa.Column("run_epoch", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column("email_outbox", sa.Column("tenant_id", sa.UUID(), nullable=True))
    op.add_column("email_outbox", sa.Column("next_attempt_at", ts, nullable=True))
    op.add_column("email_outbox", sa.Column("failed_at", ts, nullable=True))
    op.create_foreign_key(
        op.f("fk_email_outbox_tenant_id_tenants"),
        "email_outbox",
        "tenants",
        ["tenant_id"],
        ["id"],
        ondelete="CASCADE",
    )
    op.create_index(op.f("ix_email_outbox_tenant_id"), "email_outbox", ["tenant_id"])
    settings = get_settings()
    for table in ("queue_jobs", "queue_keys"):
        for statement in rls.system_only(table, settings.db_system_role):
            op.execute(statement)
    op.execute(f"GRANT USAGE, SELECT ON SEQUENCE queue_jobs_id_seq TO {settings.db_system_role}")
    # email_outbox now names a workspace: row-level security as on every such table. The
    # app role still has no grant on it (the outbox is reached by the system role only).
    app, system = settings.db_app_role, settings.db_system_role
    for statement in (
        "ALTER TABLE email_outbox ENABLE ROW LEVEL SECURITY",
        "ALTER TABLE email_outbox FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY tenant_isolation ON email_outbox TO {app}"
        " USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant())",
        f"CREATE POLICY system_access ON email_outbox TO {system} USING (true) WITH CHECK (true)",
    ):
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP POLICY IF EXISTS system_access ON email_outbox")
    op.execute("DROP POLICY IF EXISTS tenant_isolation ON email_outbox")
    op.execute("ALTER TABLE email_outbox NO FORCE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE email_outbox DISABLE ROW LEVEL SECURITY")
    op.drop_index(op.f("ix_email_outbox_tenant_id"), table_name="email_outbox")
    op.drop_constraint(
        op.f("fk_email_outbox_tenant_id_tenants"), "email_outbox", type_="foreignkey"
    )
    op.drop_column("email_outbox", "failed_at")
    op.drop_column("email_outbox", "next_attempt_at")
    op.drop_column("email_outbox", "tenant_id")
    op.drop_column("campaigns", "run_epoch")
    op.drop_index("ix_queue_keys_expires", table_name="queue_keys")
    op.drop_table("queue_keys")
    op.drop_index("ix_queue_jobs_due", table_name="queue_jobs")
    op.drop_table("queue_jobs")
