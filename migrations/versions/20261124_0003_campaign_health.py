"""campaign health: why a campaign paused (auto-pause on failure rate)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 17:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("campaigns", sa.Column("pause_reason", sa.String(length=200), nullable=True))


def downgrade() -> None:
    op.drop_column("campaigns", "pause_reason")
