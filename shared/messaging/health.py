"""Sender health: a DID whose recent error rate crosses a threshold is paused, and so is a
campaign whose failure rate does. Outcomes are counted in Redis in short windows."""

from __future__ import annotations

import logging
import uuid

from sqlalchemy import update

from shared.cache import get_redis
from shared.campaigns.events import CampaignPaused
from shared.campaigns.models import Campaign
from shared.db.session import tenant_session
from shared.messaging.models import PhoneNumber
from shared.messaging.rotation import forget_pools, pools_of
from shared.queue.events import Event

log = logging.getLogger("health")

WINDOW_SECONDS = 900
DID_MIN_SAMPLE = 20
DID_MAX_ERROR_RATE = 0.3
CAMPAIGN_MIN_SAMPLE = 50
CAMPAIGN_MAX_FAILURE_RATE = 0.25
# Errors that say the number itself is in trouble (filtering, unreachable, blocked).
DID_ERRORS = frozenset({30003, 30005, 30006, 30007, 30008, 30032, 30034})

_COUNT = """
local total = redis.call('HINCRBY', KEYS[1], 'total', 1)
local bad = redis.call('HINCRBY', KEYS[1], 'bad', tonumber(ARGV[1]))
if total == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return {total, bad}
"""


class NumberPaused(Event):
    event_type = "number.paused"
    tenant_id: uuid.UUID
    number_id: uuid.UUID
    reason: str


def _count(key: str, bad: bool) -> tuple[int, int]:
    total, failures = get_redis().eval(_COUNT, 1, key, int(bad), WINDOW_SECONDS)
    return int(total), int(failures)


def record_outcome(
    tenant_id: uuid.UUID,
    number_id: uuid.UUID | None,
    campaign_id: uuid.UUID | None,
    *,
    failed: bool,
    error_code: int | None,
) -> list[str]:
    """Count one final outcome; pause what crossed its threshold. Returns what was paused."""
    from shared.queue import publish

    paused: list[str] = []
    if number_id is not None:
        total, bad = _count(f"health:did:{number_id}", failed and error_code in DID_ERRORS)
        if total >= DID_MIN_SAMPLE and bad / total >= DID_MAX_ERROR_RATE:
            reason = f"{bad} of the last {total} messages failed (e.g. {error_code})"
            with tenant_session(tenant_id) as s:
                changed = s.execute(
                    update(PhoneNumber)
                    .where(PhoneNumber.id == number_id, PhoneNumber.status == "active")
                    .values(status="failing", status_reason=reason)
                ).rowcount  # type: ignore[attr-defined]
                if changed:
                    forget_pools(pools_of(s, number_id))
            if changed:
                log.warning("number %s paused: %s", number_id, reason)
                publish(
                    "number.paused",
                    NumberPaused(tenant_id=tenant_id, number_id=number_id, reason=reason),
                )
                paused.append(f"number:{number_id}")
    if campaign_id is not None:
        total, bad = _count(f"health:campaign:{campaign_id}", failed)
        if total >= CAMPAIGN_MIN_SAMPLE and bad / total >= CAMPAIGN_MAX_FAILURE_RATE:
            reason = f"failure rate {bad}/{total} over the threshold"
            with tenant_session(tenant_id) as s:
                changed = s.execute(
                    update(Campaign)
                    .where(Campaign.id == campaign_id, Campaign.status == "running")
                    .values(status="paused", pause_reason=reason)
                ).rowcount  # type: ignore[attr-defined]
            if changed:
                log.warning("campaign %s paused: %s", campaign_id, reason)
                publish(
                    "campaign.paused",
                    CampaignPaused(tenant_id=tenant_id, campaign_id=campaign_id, reason=reason),
                )
                paused.append(f"campaign:{campaign_id}")
    return paused
