"""Sender health: a DID whose recent error rate crosses a threshold is paused, and so is a
campaign whose failure rate does. Outcomes are counted in Redis in short windows, with the
failures per error code, so a pause names its most frequent error.

A pause is told, not only recorded: the workspace's owners and admins are emailed, and an
event is published for outgoing webhooks (`number.health_changed`, `campaign.paused`).
Resuming a sender resets its window (`reset_window`): it is judged on what comes next."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, update

from shared.cache import get_redis
from shared.campaigns.events import CampaignPaused
from shared.campaigns.models import Campaign
from shared.db.session import tenant_session
from shared.messaging.events import NumberHealthChanged
from shared.messaging.models import PhoneNumber
from shared.messaging.rotation import forget_pools, pools_of

log = logging.getLogger("health")

WINDOW_SECONDS = 900
DID_MIN_SAMPLE = 20
DID_MAX_ERROR_RATE = 0.3
CAMPAIGN_MIN_SAMPLE = 50
CAMPAIGN_MAX_FAILURE_RATE = 0.25
# Errors that say the number itself is in trouble (filtering, unreachable, blocked).
DID_ERRORS = frozenset({30003, 30005, 30006, 30007, 30008, 30032, 30034})

# Counts one outcome in a window (a hash: total, bad, and bad per error code); at or over
# the threshold (ARGV 4, 5) it also returns the most frequent error code and its count.
_COUNT = """
local failed = tonumber(ARGV[1])
local total = redis.call('HINCRBY', KEYS[1], 'total', 1)
local bad = redis.call('HINCRBY', KEYS[1], 'bad', failed)
if failed == 1 and ARGV[3] ~= '' then redis.call('HINCRBY', KEYS[1], 'code:' .. ARGV[3], 1) end
if total == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
local top, top_count = '', 0
if total >= tonumber(ARGV[4]) and bad / total >= tonumber(ARGV[5]) then
  local fields = redis.call('HGETALL', KEYS[1])
  for i = 1, #fields, 2 do
    local name, count = fields[i], tonumber(fields[i + 1])
    if string.sub(name, 1, 5) == 'code:' and count > top_count then
      top, top_count = string.sub(name, 6), count
    end
  end
end
return {total, bad, top, top_count}
"""


@dataclass(frozen=True)
class FinalOutcome:
    number_id: uuid.UUID | None
    campaign_id: uuid.UUID | None
    failed: bool
    error_code: int | None


@dataclass(frozen=True)
class Window:
    """One sender's recent outcomes, as counted when its threshold was crossed."""

    total: int
    failures: int
    top_code: int | None  # the most frequent error code among the failures
    top_count: int

    def reason(self) -> str:
        text = f"{self.failures} of the last {self.total} messages failed"
        if self.top_code is None:
            return text + " (no error code given)"
        return f"{text}, most often with error {self.top_code} ({self.top_count} times)"


_count_script: Any = None


def window_key(kind: str, sender_id: uuid.UUID) -> str:
    return f"health:{kind}:{sender_id}"


def reset_window(kind: str, sender_id: uuid.UUID) -> None:
    """Forget a number's (`did`) or campaign's outcomes: a resumed sender starts afresh
    instead of being paused again by the failures that paused it."""
    get_redis().delete(window_key(kind, sender_id))


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
        code = "" if o.error_code is None else str(o.error_code)
        if o.number_id is not None:
            did_error = o.failed and o.error_code in DID_ERRORS
            _count_script(
                keys=[window_key("did", o.number_id)],
                args=[int(did_error), WINDOW_SECONDS, code, DID_MIN_SAMPLE, DID_MAX_ERROR_RATE],
                client=pipe,
            )
        if o.campaign_id is not None:
            _count_script(
                keys=[window_key("campaign", o.campaign_id)],
                args=[
                    int(o.failed),
                    WINDOW_SECONDS,
                    code,
                    CAMPAIGN_MIN_SAMPLE,
                    CAMPAIGN_MAX_FAILURE_RATE,
                ],
                client=pipe,
            )
    counts = iter(pipe.execute() if len(pipe) else [])
    paused: list[str] = []
    for o in outcomes:
        if o.number_id is not None:
            window = _crossed(next(counts), DID_MIN_SAMPLE, DID_MAX_ERROR_RATE)
            if window is not None:
                paused += _pause_number(tenant_id, o.number_id, window)
        if o.campaign_id is not None:
            window = _crossed(next(counts), CAMPAIGN_MIN_SAMPLE, CAMPAIGN_MAX_FAILURE_RATE)
            if window is not None:
                paused += _pause_campaign(tenant_id, o.campaign_id, window)
    return paused


def _crossed(counted: Sequence[Any], min_sample: int, max_rate: float) -> Window | None:
    total, failures, top, top_count = counted
    total, failures = int(total), int(failures)
    if total < min_sample or failures / total < max_rate:
        return None
    code = top.decode() if isinstance(top, bytes) else str(top)
    return Window(total, failures, int(code) if code else None, int(top_count))


def _pause_number(tenant_id: uuid.UUID, number_id: uuid.UUID, window: Window) -> list[str]:
    from shared.queue import publish

    reason = window.reason()
    with tenant_session(tenant_id) as s:
        phone = s.scalar(
            update(PhoneNumber)
            .where(PhoneNumber.id == number_id, PhoneNumber.status == "active")
            .values(status="failing", status_reason=reason)
            .returning(PhoneNumber.phone_number)
        )
        if phone is not None:
            forget_pools(pools_of(s, number_id))
    if phone is None:
        return []
    log.warning("number %s paused: %s", number_id, reason)
    publish(
        "number.health_changed",
        NumberHealthChanged(
            tenant_id=tenant_id,
            number_id=number_id,
            phone_number=phone,
            status="failing",
            reason=reason,
            error_code=window.top_code,
            failures=window.failures,
            total=window.total,
        ),
    )
    _tell_admins(
        tenant_id,
        f"Number {phone} stopped sending",
        f"Your number {phone} stopped sending: {reason}.\n"
        "Campaigns and replies use the pool's other numbers meanwhile. Once the cause is "
        f"fixed, set the number back to active (PATCH /v1/numbers/{number_id} "
        '{"status": "active"}).',
    )
    return [f"number:{number_id}"]


def announce_recovered(tenant_id: uuid.UUID, number_id: uuid.UUID, phone: str) -> None:
    """A user put a failing number back to work."""
    from shared.queue import publish

    publish(
        "number.health_changed",
        NumberHealthChanged(
            tenant_id=tenant_id,
            number_id=number_id,
            phone_number=phone,
            status="active",
            reason=None,
        ),
    )


def _pause_campaign(tenant_id: uuid.UUID, campaign_id: uuid.UUID, window: Window) -> list[str]:
    from shared.queue import publish

    reason = f"paused automatically: {window.reason()}"
    with tenant_session(tenant_id) as s:
        row = s.execute(
            update(Campaign)
            .where(Campaign.id == campaign_id, Campaign.status == "running")
            .values(status="paused", paused_at=func.now(), pause_reason=reason)
            .returning(Campaign.name, Campaign.paused_at)
        ).first()
    if row is None:
        return []
    log.warning("campaign %s paused: %s", campaign_id, reason)
    publish(
        "campaign.paused",
        CampaignPaused(
            tenant_id=tenant_id,
            campaign_id=campaign_id,
            cause="auto",
            reason=reason,
            paused_at=row.paused_at,
        ),
    )
    _tell_admins(
        tenant_id,
        f"Campaign {row.name!r} was paused",
        f"Your campaign {row.name!r} was paused automatically: {window.reason()}.\n"
        f"Check its failures (GET /v1/campaigns/{campaign_id}/stats, `failed_by_code`), "
        f"then resume it (POST /v1/campaigns/{campaign_id}/resume) or cancel it.",
    )
    return [f"campaign:{campaign_id}"]


def _tell_admins(tenant_id: uuid.UUID, subject: str, body: str) -> None:
    """The pause stands whatever happens here: a mail that cannot be queued is logged."""
    from shared.notifications.admins import notify_admins

    try:
        notify_admins(tenant_id, subject, body)
    except Exception:
        log.exception("could not queue the admins' email about %r", subject)
