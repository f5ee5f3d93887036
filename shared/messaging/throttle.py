"""Send-rate reservations in Redis: one atomic Lua script over every bucket a send uses.

Each bucket (a DID at its MPS, the workspace's plan, the provider account, a campaign cap)
keeps a theoretical arrival time (TAT, GCRA). A send of `cost` segments reserves the
earliest instant every bucket allows: slot = max(now, TAT of each bucket), then each TAT
moves to slot + cost / rate. So a DID never exceeds its rate, counting segments, and no
worker sleeps or polls: the caller sends at `slot`, or schedules itself for `slot`.

Two priorities: bulk (campaign) traffic may only reserve within a short horizon; when its
slot is further out it is told when to come back and reserves nothing. Replies and
one-off sends reserve whatever the horizon, so they overtake queued bulk traffic by at
most the horizon.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.cache import get_redis

BULK_HORIZON_MS = 1000
# Reservations are exact, but a send reaches the provider a few milliseconds after its slot
# (thread wake-up, HTTP), and not always the same few. Spacing sends 2% wider than the rate
# absorbs up to ~20 ms of such jitter in any one-second window, at the cost of 2% of the
# nominal capacity.
HEADROOM = 0.02

# KEYS: bucket keys. ARGV: cost, horizon_ms (-1: none), then one interval per bucket
# (milliseconds per segment). Returns {slot_ms, now_ms, granted (1/0)}.
_RESERVE = """
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local cost = tonumber(ARGV[1])
local horizon = tonumber(ARGV[2])
local slot = now
for i, key in ipairs(KEYS) do
  local tat = tonumber(redis.call('GET', key) or '0')
  if tat > slot then slot = tat end
end
if horizon >= 0 and slot - now > horizon then
  return {slot - horizon, now, 0}
end
for i, key in ipairs(KEYS) do
  local interval = tonumber(ARGV[2 + i])
  local tat = slot + cost * interval
  redis.call('SET', key, tat, 'PX', math.ceil(math.max(1000, tat - now + 60000)))
end
return {slot, now, 1}
"""


@dataclass(frozen=True)
class Bucket:
    key: str
    rate: float  # segments per second

    @property
    def interval_ms(self) -> float:
        return 1000.0 / (self.rate * (1 - HEADROOM))


@dataclass(frozen=True)
class Reservation:
    granted: bool
    at_ms: int  # granted: the slot to send at; refused: when to try again
    now_ms: int

    @property
    def wait_seconds(self) -> float:
        return max(0.0, (self.at_ms - self.now_ms) / 1000)


# KEYS[1]: the DID's next-dispatch time. ARGV: cost, interval_ms. Returns ms to wait (0: go).
_PACE = """
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
if now < nxt then return {nxt - now, now} end
local after = now + tonumber(ARGV[1]) * tonumber(ARGV[2])
redis.call('SET', KEYS[1], after, 'PX', math.ceil(after - now + 60000))
return {0, now}
"""

_script = None
_pace_script = None


def reserve(buckets: list[Bucket], cost: int, *, bulk: bool) -> Reservation:
    global _script
    redis = get_redis()
    if _script is None:
        _script = redis.register_script(_RESERVE)
    horizon = BULK_HORIZON_MS if bulk else -1
    args = [max(1, cost), horizon, *[b.interval_ms for b in buckets]]
    slot, now, granted = _script(keys=[b.key for b in buckets], args=args, client=redis)
    return Reservation(bool(granted), int(slot), int(now))


def pace(bucket: Bucket, cost: int, max_wait: float = 2.0) -> float | None:
    """The last guard before the provider call: a DID's sends leave at least its interval
    apart by the clock, even when a worker wakes late for its slot (a late send pushes the
    next one back instead of bunching with it). Returns the dispatch time (epoch seconds,
    Redis clock), or None if it would wait over `max_wait`."""
    import time

    global _pace_script
    redis = get_redis()
    if _pace_script is None:
        _pace_script = redis.register_script(_PACE)
    waited = 0.0
    while True:
        wait_ms, now_ms = (
            int(v)
            for v in _pace_script(
                keys=[f"{bucket.key}:pace"], args=[max(1, cost), bucket.interval_ms], client=redis
            )
        )
        if wait_ms <= 0:
            return now_ms / 1000
        if waited + wait_ms / 1000 > max_wait:
            return None
        time.sleep(wait_ms / 1000)
        waited += wait_ms / 1000


def did_bucket(number_id: object, mps: float) -> Bucket:
    return Bucket(f"rate:did:{number_id}", mps)


def tenant_bucket(tenant_id: object, mps: float) -> Bucket:
    return Bucket(f"rate:tenant:{tenant_id}", mps)


def account_bucket(account: str, mps: float) -> Bucket:
    return Bucket(f"rate:account:{account}", mps)


def campaign_bucket(campaign_id: object, mps: float) -> Bucket:
    return Bucket(f"rate:campaign:{campaign_id}", mps)
