"""The campaign side of the send path (see `shared.messaging.hooks`): messaging does not
import campaigns; campaigns plug in here.

- a campaign's messages are claimed only while it runs (pause stops them at the claim);
- a campaign's rate cap is a bucket its sends share;
- audience rows follow their messages' outcomes, in the transaction that records them.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from shared.campaigns.models import Campaign
from shared.messaging import hooks, throttle
from shared.messaging.models import Message


def running_gate() -> ColumnElement[bool]:
    running = select(Campaign.id).where(
        Campaign.id == Message.campaign_id, Campaign.status == "running"
    )
    return Message.campaign_id.is_(None) | running.exists()


def campaign_cap(s: Session, campaign_id: uuid.UUID) -> throttle.Bucket | None:
    cap = s.scalar(select(Campaign.rate_cap_mps).where(Campaign.id == campaign_id))
    return throttle.campaign_bucket(campaign_id, cap) if cap else None


def settle(s: Session, rows: Sequence[hooks.Settled]) -> None:
    """Audience rows take their message's outcome (`sending` and the like: not yet)."""
    from shared.campaigns.service import ROW_STATUS_OF, settle_audience_rows  # not at start

    settle_audience_rows(
        s,
        [
            (r.campaign_id, r.message_id, ROW_STATUS_OF[r.status])
            for r in rows
            if r.status in ROW_STATUS_OF
        ],
    )


def install() -> None:
    hooks.install(claim_gate=running_gate, campaign_cap=campaign_cap, on_settled=settle)
