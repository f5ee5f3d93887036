"""consent_events: index by (tenant_id, occurred_at) for the dashboard's opt-outs over time

Revision ID: 0012
Revises: 0007
Create Date: 2026-12-06 22:30:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_consent_events_tenant_time", "consent_events", ["tenant_id", "occurred_at"])


def downgrade() -> None:
    op.drop_index("ix_consent_events_tenant_time", table_name="consent_events")
