"""billing: subscription state, meter batches, billing events, MMS usage

- tenants: the subscription's period, cancel_at_period_end, trial end and the time it went
  past due (the grace period counts from it), as last read from Stripe;
- usage_records: `mms_outbound_messages` kind, the meter batch that carried a record to
  Stripe, a partial index of what the meter push has not settled, and no index on
  tenant_id alone (the unique constraint and the period index lead with it);
- billing_meter_batches: usage summed into one Stripe meter event, with its identifier;
- billing_events: outbox and history of billing.updated / billing.usage_warning.

Revision ID: 0010
Revises: 0011
Create Date: 2026-11-25 09:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from shared.config import get_settings
from shared.db import rls

revision: str = "0010"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS_BEFORE = (
    "sms_outbound_segments",
    "sms_inbound_segments",
    "ai_input_tokens",
    "ai_output_tokens",
    "ai_cache_read_tokens",
    "ai_cache_write_tokens",
)
KINDS_AFTER = (*KINDS_BEFORE[:2], "mms_outbound_messages", *KINDS_BEFORE[2:])
NEW_TABLES = ("billing_meter_batches", "billing_events")


def _kind_check(kinds: tuple[str, ...]) -> None:
    op.drop_constraint(op.f("ck_usage_records_kind_valid"), "usage_records", type_="check")
    quoted = ", ".join(f"'{k}'" for k in kinds)
    op.create_check_constraint(
        op.f("ck_usage_records_kind_valid"), "usage_records", f"kind IN ({quoted})"
    )


def upgrade() -> None:
    for column in ("current_period_start", "current_period_end", "trial_end", "past_due_since"):
        op.add_column("tenants", sa.Column(column, sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "tenants",
        sa.Column(
            "cancel_at_period_end", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
    )

    op.create_table(
        "billing_meter_batches",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("meter", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("identifier", sa.String(length=100), nullable=False),
        sa.Column("stripe_customer_id", sa.String(length=64), nullable=False),
        sa.Column("event_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="pending", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("pushed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'pushed', 'rejected')",
            name=op.f("ck_billing_meter_batches_status_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_billing_meter_batches_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_meter_batches")),
        sa.UniqueConstraint("identifier", name=op.f("uq_billing_meter_batches_identifier")),
    )
    op.create_index(
        op.f("ix_billing_meter_batches_tenant_id"), "billing_meter_batches", ["tenant_id"]
    )
    op.create_index(
        "ix_billing_meter_batches_pending",
        "billing_meter_batches",
        ["tenant_id"],
        postgresql_where=sa.text("status = 'pending'"),
    )

    op.create_table(
        "billing_events",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column("data", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_billing_events_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_events")),
        sa.UniqueConstraint(
            "tenant_id", "dedupe_key", name=op.f("uq_billing_events_tenant_id_dedupe_key")
        ),
    )
    op.create_index(op.f("ix_billing_events_tenant_id"), "billing_events", ["tenant_id"])
    op.create_index("ix_billing_events_tenant_time", "billing_events", ["tenant_id", "created_at"])
    op.create_index(
        "ix_billing_events_unpublished",
        "billing_events",
        ["created_at"],
        postgresql_where=sa.text("published_at IS NULL"),
    )

    # Redundant with the unique constraint and ix_usage_records_period (both lead with it).
    op.drop_index(op.f("ix_usage_records_tenant_id"), table_name="usage_records")
    op.add_column("usage_records", sa.Column("meter_batch_id", sa.UUID(), nullable=True))
    op.create_foreign_key(
        op.f("fk_usage_records_meter_batch_id_billing_meter_batches"),
        "usage_records",
        "billing_meter_batches",
        ["meter_batch_id"],
        ["id"],
    )
    op.create_index(
        "ix_usage_records_unreported",
        "usage_records",
        ["tenant_id"],
        postgresql_where=sa.text("reported_at IS NULL"),
    )
    _kind_check(KINDS_AFTER)

    settings = get_settings()
    for table in NEW_TABLES:
        for statement in rls.enable_tenant_rls(
            table, settings.db_app_role, settings.db_system_role
        ):
            op.execute(statement)


def downgrade() -> None:
    op.execute("DELETE FROM usage_records WHERE kind = 'mms_outbound_messages'")
    _kind_check(KINDS_BEFORE)
    op.drop_index("ix_usage_records_unreported", table_name="usage_records")
    op.drop_constraint(
        op.f("fk_usage_records_meter_batch_id_billing_meter_batches"),
        "usage_records",
        type_="foreignkey",
    )
    op.drop_column("usage_records", "meter_batch_id")
    op.create_index(
        op.f("ix_usage_records_tenant_id"), "usage_records", ["tenant_id"], unique=False
    )
    op.drop_index("ix_billing_events_unpublished", table_name="billing_events")
    op.drop_index("ix_billing_events_tenant_time", table_name="billing_events")
    op.drop_index(op.f("ix_billing_events_tenant_id"), table_name="billing_events")
    op.drop_table("billing_events")
    op.drop_index("ix_billing_meter_batches_pending", table_name="billing_meter_batches")
    op.drop_index(op.f("ix_billing_meter_batches_tenant_id"), table_name="billing_meter_batches")
    op.drop_table("billing_meter_batches")
    for column in (
        "cancel_at_period_end",
        "past_due_since",
        "trial_end",
        "current_period_end",
        "current_period_start",
    ):
        op.drop_column("tenants", column)
