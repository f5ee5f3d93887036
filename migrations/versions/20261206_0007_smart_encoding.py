"""smart encoding: a workspace default and a per-campaign override

`tenants.smart_encoding` (off by default) replaces characters that have a GSM-7 look-alike
when the body is rendered for sending; `campaigns.smart_encoding` overrides it for one
campaign (null: the workspace's default).

Revision ID: 0007
Revises: 0010
Create Date: 2026-12-06 22:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "tenants",
        sa.Column("smart_encoding", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column("campaigns", sa.Column("smart_encoding", sa.Boolean(), nullable=True))


def downgrade() -> None:
    op.drop_column("campaigns", "smart_encoding")
    op.drop_column("tenants", "smart_encoding")
