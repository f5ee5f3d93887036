"""inbox: full-text search over message bodies

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 19:00:00+00:00

- ix_messages_body_search: GIN over to_tsvector('simple', body), for the inbox's `q`
  filter (`GET /v1/conversations?q=`). The 'simple' configuration neither stems nor drops
  stop words, so it works the same for every language a workspace texts in.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BODY_TSVECTOR = "to_tsvector('simple'::regconfig, COALESCE(body, ''::text))"


def upgrade() -> None:
    op.create_index(
        "ix_messages_body_search",
        "messages",
        [sa.text(BODY_TSVECTOR)],
        unique=False,
        postgresql_using="gin",
    )


def downgrade() -> None:
    op.drop_index("ix_messages_body_search", table_name="messages", postgresql_using="gin")
