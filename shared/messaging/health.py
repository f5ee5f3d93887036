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
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, update

from shared.cache import LuaScript, get_redis
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

# Counts a batch's outcomes, each window (a hash: total, bad, and bad per error code) in
# turn. KEYS: the windows. ARGV[1]: the window's lifetime in seconds; then per key: total,
# bad, min sample, max rate, the count of codes, then code and count pairs. Per key it
# returns {total, bad, top code, its count}; the top code only at or over the threshold.
_COUNT = """
local a = 2
local out = {}
for i, key in ipairs(KEYS) do
  local total = redis.call('HINCRBY', key, 'total', tonumber(ARGV[a]))
  local bad = redis.call('HINCRBY', key, 'bad', tonumber(ARGV[a + 1]))
  local min_sample, max_rate = tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3])
  local codes = tonumber(ARGV[a + 4])
  a = a + 5
  for c = 1, codes do
    redis.call('HINCRBY', key, 'code:' .. ARGV[a], tonumber(ARGV[a + 1]))
    a = a + 2
  end
  if redis.call('TTL', key) < 0 then redis.call('EXPIRE', key, ARGV[1]) end
  local top, top_count = '', 0
  if total >= min_sample and bad / total >= max_rate then
    local fields = redis.call('HGETALL', key)
    for f = 1, #fields, 2 do
      local name, count = fields[f], tonumber(fields[f + 1])
      if string.sub(name, 1, 5) == 'code:' and count > top_count then
        top, top_count = string.sub(name, 6), count
      end
    end
  end
  out[#out + 1] = {total, bad, top, top_count}
end
return out
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


_count_script = LuaScript(_COUNT)


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


@dataclass
class _Tally:
    """A batch's outcomes for one window."""

    kind: str  # did | campaign
    sender_id: uuid.UUID
    min_sample: int
    max_rate: float
    total: int = 0
    bad: int = 0
    codes: dict[str, int] = field(default_factory=dict)

    def add(self, bad: bool, code: int | None) -> None:
        self.total += 1
        if bad:
            self.bad += 1
            if code is not None:
                self.codes[str(code)] = self.codes.get(str(code), 0) + 1


def record_outcomes(tenant_id: uuid.UUID, outcomes: Sequence[FinalOutcome]) -> list[str]:
    """Count final outcomes (one Redis call for all of them: each window is counted once
    with the batch's sums) and pause the numbers and campaigns that crossed their
    thresholds. Returns what was paused."""
    tallies: dict[str, _Tally] = {}
    for o in outcomes:
        if o.number_id is not None:
            key = window_key("did", o.number_id)
            tally = tallies.get(key) or tallies.setdefault(
                key, _Tally("did", o.number_id, DID_MIN_SAMPLE, DID_MAX_ERROR_RATE)
            )
            tally.add(o.failed and o.error_code in DID_ERRORS, o.error_code)
        if o.campaign_id is not None:
            key = window_key("campaign", o.campaign_id)
            tally = tallies.get(key) or tallies.setdefault(
                key,
                _Tally("campaign", o.campaign_id, CAMPAIGN_MIN_SAMPLE, CAMPAIGN_MAX_FAILURE_RATE),
            )
            tally.add(o.failed, o.error_code)
    if not tallies:
        return []
    args: list[Any] = [WINDOW_SECONDS]
    for t in tallies.values():
        args += [t.total, t.bad, t.min_sample, t.max_rate, len(t.codes)]
        for code, count in t.codes.items():
            args += [code, count]
    counted = _count_script(list(tallies), args)
    paused: list[str] = []
    for t, window_counts in zip(tallies.values(), counted, strict=True):
        window = _crossed(window_counts, t.min_sample, t.max_rate)
        if window is None:
            continue
        if t.kind == "did":
            paused += _pause_number(tenant_id, t.sender_id, window)
        else:
            paused += _pause_campaign(tenant_id, t.sender_id, window)
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
