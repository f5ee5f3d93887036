"""campaign_contacts: index by (campaign_id, message_id)

Settling an audience row when its message is accepted scanned the campaign's rows
(quadratic over a campaign, found by bench/pipeline.py).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 18:40:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_campaign_contacts_message", "campaign_contacts", ["campaign_id", "message_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_campaign_contacts_message", table_name="campaign_contacts")
