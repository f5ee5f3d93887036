"""outgoing webhooks: secret rotation, failure window, task generations, attempt log

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-06 22:30:00+00:00

- webhook_endpoints: the sealed secret's master key id, the previous secret (it keeps
  signing for 24 h after a rotation), failing_since (5 days of failures disable an
  endpoint) and disabled_at;
- webhook_deliveries.seq: the generation of the task allowed to make the next attempt;
- webhook_attempts: every HTTP request of a delivery (status, latency, first 2 KB).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared.config import get_settings
from shared.db import rls

revision: str = "0011"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    ts = sa.DateTime(timezone=True)
    op.add_column(
        "webhook_endpoints",
        sa.Column("secret_key_id", sa.String(length=300), server_default="", nullable=False),
    )
    op.add_column(
        "webhook_endpoints",
        sa.Column("previous_secret_ciphertext", sa.LargeBinary(), nullable=True),
    )
    op.add_column(
        "webhook_endpoints",
        sa.Column("previous_secret_wrapped_key", sa.LargeBinary(), nullable=True),
    )
    op.add_column(
        "webhook_endpoints",
        sa.Column("previous_secret_key_id", sa.String(length=300), nullable=True),
    )
    op.add_column("webhook_endpoints", sa.Column("previous_secret_expires_at", ts, nullable=True))
    op.add_column("webhook_endpoints", sa.Column("failing_since", ts, nullable=True))
    op.add_column("webhook_endpoints", sa.Column("disabled_at", ts, nullable=True))
    op.add_column(
        "webhook_deliveries", sa.Column("seq", sa.Integer(), server_default="0", nullable=False)
    )
    op.create_table(
        "webhook_attempts",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("delivery_id", sa.UUID(), nullable=False),
        sa.Column("started_at", ts, nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("latency_ms", sa.Integer(), nullable=True),
        sa.Column("response_body", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("next_retry_at", ts, nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["webhook_deliveries.id"],
            name=op.f("fk_webhook_attempts_delivery_id_webhook_deliveries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_webhook_attempts_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_attempts")),
    )
    op.create_index(
        "ix_webhook_attempts_delivery", "webhook_attempts", ["delivery_id", "started_at"]
    )
    op.create_index(op.f("ix_webhook_attempts_tenant_id"), "webhook_attempts", ["tenant_id"])
    settings = get_settings()
    for statement in rls.enable_tenant_rls(
        "webhook_attempts", settings.db_app_role, settings.db_system_role
    ):
        op.execute(statement)


def downgrade() -> None:
    op.drop_index(op.f("ix_webhook_attempts_tenant_id"), table_name="webhook_attempts")
    op.drop_index("ix_webhook_attempts_delivery", table_name="webhook_attempts")
    op.drop_table("webhook_attempts")
    op.drop_column("webhook_deliveries", "seq")
    for column in (
        "disabled_at",
        "failing_since",
        "previous_secret_expires_at",
        "previous_secret_key_id",
        "previous_secret_wrapped_key",
        "previous_secret_ciphertext",
        "secret_key_id",
    ):
        op.drop_column("webhook_endpoints", column)
