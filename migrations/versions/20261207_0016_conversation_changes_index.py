"""conversations: index by (tenant_id, updated_at) for the inbox's "changes since" poll

Revision ID: 0016
Revises: 0012
Create Date: 2026-12-07 01:40:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # id too: the feed orders by (updated_at, id), so the index gives the order, no sort.
    op.create_index("ix_conversations_changes", "conversations", ["tenant_id", "updated_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_conversations_changes", table_name="conversations")
