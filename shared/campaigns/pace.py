"""How fast a campaign sends, and how long it will take: what the fan-out paces batches by,
and what the preview estimates with.

A campaign's send reserves a slot in every bucket it uses (shared.messaging.throttle): each
DID at its MPS (so the pool's sum), the workspace's plan, the provider account, and the
campaign's own cap. The slowest of them sets the pace.

The estimate simulates the send over a sample of the audience: each sampled contact stands
for an equal slice of it, first tried at the pace the fan-out schedules it; a slice whose
contacts are outside the sending window then (in their own time zone) waits for the window
to open, and slices ready together queue for the campaign's rate, one after another.
"""

from __future__ import annotations

import heapq
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import select

from shared.billing.plans import plan_mps
from shared.campaigns.models import Campaign
from shared.campaigns.quiet_hours import next_allowed, zone_of
from shared.config import get_settings
from shared.messaging import rotation, throttle
from shared.tenancy.models import Tenant

Bucket = Literal["pool", "plan", "provider_account", "campaign_cap"]
ESTIMATE_SAMPLE = 2000  # contacts whose time zones the estimate looks at
MAX_WAITS_PER_SLICE = 400  # a window that never opens (start == end) gives no estimate


@dataclass(frozen=True)
class Pace:
    segments_per_second: float  # the slowest bucket, less the throttle's headroom
    limited_by: Bucket
    pool_mps: float


def campaign_pace(s: Any, tenant_id: uuid.UUID, campaign: Campaign) -> Pace:
    """Every bucket the campaign's sends reserve in, and the one that sets its pace."""
    pool = rotation.pool_dids(s, campaign.pool_id) if campaign.pool_id else []
    plan = s.scalar(select(Tenant.plan).where(Tenant.id == tenant_id))
    rates: dict[Bucket, float] = {
        "pool": sum(d.mps for d in pool),
        "plan": plan_mps(plan),
        "provider_account": get_settings().provider_account_mps,
    }
    if campaign.rate_cap_mps:
        rates["campaign_cap"] = campaign.rate_cap_mps
    slowest = min(rates, key=lambda bucket: rates[bucket])
    return Pace(
        segments_per_second=max(0.0, rates[slowest]) * (1 - throttle.HEADROOM),
        limited_by=slowest,
        pool_mps=rates["pool"],
    )


def campaign_rate(s: Any, tenant_id: uuid.UUID, campaign: Campaign) -> float:
    """Segments per second the campaign can send: its pool within every cap."""
    return campaign_pace(s, tenant_id, campaign).segments_per_second


@dataclass(frozen=True)
class Estimate:
    duration_seconds: float | None  # None: it cannot send (no rate) or never may
    finish_at: datetime | None
    deferred: int  # messages expected to wait for their sending window


def estimate(
    start: datetime,
    messages: int,
    seconds_per_message: float | None,
    window: dict[str, str] | None,
    sample: Sequence[tuple[str, str | None]],
) -> Estimate:
    """When `messages` sent one every `seconds_per_message` from `start` are all out, with
    each contact reached only inside `window` (the campaign's quiet_hours: its start and
    end, local time). `sample`: (phone, declared time zone) of contacts of the audience."""
    if seconds_per_message is None:
        return Estimate(None, None, 0)
    if messages <= 0:
        return Estimate(0.0, start, 0)
    if not window or not sample:
        duration = messages * seconds_per_message
        return Estimate(round(duration, 1), start + timedelta(seconds=duration), 0)
    weight = messages / len(sample)
    busy = timedelta(seconds=weight * seconds_per_message)  # one slice's sending time
    zones = [zone_of(phone, declared) for phone, declared in sample]
    queue = [(start + i * busy, i, 0) for i in range(len(sample))]  # (ready, slice, waits)
    heapq.heapify(queue)
    free, waited = start, 0.0
    while queue:
        ready, i, waits = heapq.heappop(queue)
        at = max(free, ready)
        allowed = next_allowed(at, zones[i], window["start"], window["end"])
        if allowed > at:  # outside its window: back in line for the window's opening
            if waits >= MAX_WAITS_PER_SLICE:
                return Estimate(None, None, messages)
            waited += weight if waits == 0 else 0.0
            heapq.heappush(queue, (allowed, i, waits + 1))
            continue
        free = at + busy
    duration = (free - start).total_seconds()
    return Estimate(round(duration, 1), free, round(waited))
