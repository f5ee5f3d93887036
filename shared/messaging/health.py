"""Sender health: a DID whose recent error rate crosses a threshold is paused, and so is a
campaign whose failure rate does. Outcomes are counted in Redis in short windows."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

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


@dataclass(frozen=True)
class FinalOutcome:
    number_id: uuid.UUID | None
    campaign_id: uuid.UUID | None
    failed: bool
    error_code: int | None


_count_script: Any = None


def record_outcome(
    tenant_id: uuid.UUID,
    number_id: uuid.UUID | None,
    campaign_id: uuid.UUID | None,
    *,
    failed: bool,
    error_code: int | None,
) -> list[str]:
    """Count one final outcome; pause what crossed its threshold. Returns what was paused."""
    return record_outcomes(tenant_id, [FinalOutcome(number_id, campaign_id, failed, error_code)])


def record_outcomes(tenant_id: uuid.UUID, outcomes: Sequence[FinalOutcome]) -> list[str]:
    """Count final outcomes (one Redis round trip for all of them) and pause the numbers and
    campaigns that crossed their thresholds. Returns what was paused."""
    global _count_script
    redis = get_redis()
    if _count_script is None:
        _count_script = redis.register_script(_COUNT)
    pipe = redis.pipeline(transaction=False)
    for o in outcomes:
        if o.number_id is not None:
            did_error = o.failed and o.error_code in DID_ERRORS
            _count_script(
                keys=[f"health:did:{o.number_id}"],
                args=[int(did_error), WINDOW_SECONDS],
                client=pipe,
            )
        if o.campaign_id is not None:
            _count_script(
                keys=[f"health:campaign:{o.campaign_id}"],
                args=[int(o.failed), WINDOW_SECONDS],
                client=pipe,
            )
    counts = iter(pipe.execute() if len(pipe) else [])
    paused: list[str] = []
    for o in outcomes:
        if o.number_id is not None:
            total, failures = (int(v) for v in next(counts))
            if total >= DID_MIN_SAMPLE and failures / total >= DID_MAX_ERROR_RATE:
                reason = f"{failures} of the last {total} messages failed (e.g. {o.error_code})"
                paused += _pause_number(tenant_id, o.number_id, reason)
        if o.campaign_id is not None:
            total, failures = (int(v) for v in next(counts))
            if total >= CAMPAIGN_MIN_SAMPLE and failures / total >= CAMPAIGN_MAX_FAILURE_RATE:
                reason = f"failure rate {failures}/{total} over the threshold"
                paused += _pause_campaign(tenant_id, o.campaign_id, reason)
    return paused


def _pause_number(tenant_id: uuid.UUID, number_id: uuid.UUID, reason: str) -> list[str]:
    from shared.queue import publish

    with tenant_session(tenant_id) as s:
        changed = s.execute(
            update(PhoneNumber)
            .where(PhoneNumber.id == number_id, PhoneNumber.status == "active")
            .values(status="failing", status_reason=reason)
        ).rowcount  # type: ignore[attr-defined]
        if changed:
            forget_pools(pools_of(s, number_id))
    if not changed:
        return []
    log.warning("number %s paused: %s", number_id, reason)
    publish("number.paused", NumberPaused(tenant_id=tenant_id, number_id=number_id, reason=reason))
    return [f"number:{number_id}"]


def _pause_campaign(tenant_id: uuid.UUID, campaign_id: uuid.UUID, reason: str) -> list[str]:
    from shared.queue import publish

    with tenant_session(tenant_id) as s:
        changed = s.execute(
            update(Campaign)
            .where(Campaign.id == campaign_id, Campaign.status == "running")
            .values(status="paused", pause_reason=reason)
        ).rowcount  # type: ignore[attr-defined]
    if not changed:
        return []
    log.warning("campaign %s paused: %s", campaign_id, reason)
    publish(
        "campaign.paused",
        CampaignPaused(tenant_id=tenant_id, campaign_id=campaign_id, reason=reason),
    )
    return [f"campaign:{campaign_id}"]
