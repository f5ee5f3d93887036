"""honest state: when a deferred message is due, and why a conversation needs a human

Revision ID: 0009
Revises: 0005
Create Date: 2026-11-25 10:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("messages", sa.Column("due_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "conversations", sa.Column("needs_human_reason", sa.String(length=200), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("conversations", "needs_human_reason")
    op.drop_column("messages", "due_at")
