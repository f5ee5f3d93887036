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

from collections.abc import Sequence
from dataclasses import dataclass

from shared.cache import LuaScript

BULK_HORIZON_MS = 1000
# Reservations are exact, but a request is written a few milliseconds after its guard
# (thread wake-up, the GIL), and not always the same few. Spacing sends 0.5% wider than the
# rate leaves 5 ms of any one-second window for that; a write that trails by more holds its
# DID's wire (`hold_after`). The cost: 0.5% of the nominal capacity.
HEADROOM = 0.005

# Times are kept in fractional ms, but a script's numbers reach the caller as integers,
# truncated: every time it returns is rounded up (a slot 0.4 ms early made the guard's
# wait 0, and the send left without moving the DID's next-dispatch time, so the next one
# could follow it at once).
# One call reserves for a whole batch of sends, in order, each over its own buckets.
# KEYS: every bucket key the batch uses. ARGV: horizon_ms (-1: none), the number of sends,
# then per send: cost, the earliest its slot may be (ms from now: the sender's own pace),
# the count of its buckets, and per bucket its KEYS index and interval (milliseconds per
# segment). Returns now_ms, then per send: slot_ms and granted
# (1/0); a refused send's slot is when to try again. Each key is read and written once.
_RESERVE = """
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local horizon = tonumber(ARGV[1])
local n = tonumber(ARGV[2])
local tat, changed = {}, {}
for i, key in ipairs(KEYS) do tat[i] = tonumber(redis.call('GET', key) or '0') end
local out = {now}
local a = 3
for m = 1, n do
  local cost = tonumber(ARGV[a])
  local slot = now + tonumber(ARGV[a + 1])
  local k = tonumber(ARGV[a + 2])
  for j = 0, k - 1 do
    local v = tat[tonumber(ARGV[a + 3 + 2 * j])]
    if v > slot then slot = v end
  end
  if horizon >= 0 and slot - now > horizon then
    out[#out + 1] = math.ceil(slot - horizon)
    out[#out + 1] = 0
  else
    for j = 0, k - 1 do
      local i = tonumber(ARGV[a + 3 + 2 * j])
      tat[i] = slot + cost * tonumber(ARGV[a + 4 + 2 * j])
      changed[i] = true
    end
    out[#out + 1] = math.ceil(slot)
    out[#out + 1] = 1
  end
  a = a + 3 + 2 * k
end
for i, key in ipairs(KEYS) do
  if changed[i] then
    redis.call('SET', key, tat[i], 'PX', math.ceil(tat[i] - now + 60000))
  end
end
return out
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


# The last guard, right before a send's request is written. KEYS[1]: the DID's
# next-dispatch time on the wire; KEYS[2]: the DID's reservation TAT. ARGV: cost,
# interval_ms, the send's slot_ms, the longest (ms) the caller holds a request to write it
# the moment the wire is free. A send that missed its slot by more than its spacing is
# no longer tied to it: it takes a new slot, the DID's next free instant on the wire (the
# spacing below keeps it from bunching with the sends around it), and the DID's
# reservations move back by its spacing, so sends reserved from now on leave room for it.
# (Sending it to the back of the DID's reserved queue instead made a late send wait about
# the bulk horizon again, and a machine that fell behind fall further behind.)
# A send that comes shortly before the wire is free takes the wire from that instant: the
# next one is a spacing after it, not after whenever this one's thread got round to
# writing (each send's few ms of wake-up otherwise added up along a busy DID: 2 % of a
# pool's capacity).
# Returns {ms until the send may go (or come back), now_ms, the new slot_ms or 0, 1 if the
# wire is taken from then (go) else 0}.
_PACE = """
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local spacing = tonumber(ARGV[1]) * tonumber(ARGV[2])
local slot = tonumber(ARGV[3])
local fresh = 0
if slot > 0 and now - slot > spacing then
  local tat = math.max(now, tonumber(redis.call('GET', KEYS[2]) or '0')) + spacing
  redis.call('SET', KEYS[2], tat, 'PX', math.ceil(tat - now + 60000))
  fresh = now
end
local go = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'))
if go - now > tonumber(ARGV[4]) then return {math.ceil(go - now), now, fresh, 0} end
redis.call('SET', KEYS[1], go + spacing, 'PX', math.ceil(go - now + spacing + 60000))
return {math.ceil(go - now), now, fresh, 1}
"""
# After a send whose request may have reached the provider later than its guard's time
# (KEYS[1]: the DID's next-dispatch time; ARGV: when the request may have arrived, ms,
# and the spacing its segments need): the next dispatch is no sooner than a spacing after.
_HOLD = """
local want = tonumber(ARGV[1]) + tonumber(ARGV[2])
if want > tonumber(redis.call('GET', KEYS[1]) or '0') then
  redis.call('SET', KEYS[1], want, 'PX', math.ceil(tonumber(ARGV[2]) + 60000))
end
return 0
"""

_reserve_script = LuaScript(_RESERVE)
_pace_script = LuaScript(_PACE)
_hold_script = LuaScript(_HOLD)


def reserve(buckets: list[Bucket], cost: int, *, bulk: bool) -> Reservation:
    return reserve_many([(buckets, cost)], bulk=bulk)[0]


def reserve_many(
    sends: list[tuple[list[Bucket], int]],
    *,
    bulk: bool,
    earliest: Sequence[float] | None = None,
) -> list[Reservation]:
    """Reserve a slot for each send, in order, in one round trip (a campaign batch).
    `earliest`: per send, the soonest its slot may be, in seconds from now (the sender's
    own pace; default now)."""
    if not sends:
        return []
    index: dict[str, int] = {}
    args: list[float | int] = [BULK_HORIZON_MS if bulk else -1, len(sends)]
    floors = [0.0] * len(sends) if earliest is None else earliest
    for (buckets, cost), floor in zip(sends, floors, strict=True):
        args += [max(1, cost), round(floor * 1000), len(buckets)]
        for bucket in buckets:
            args += [index.setdefault(bucket.key, len(index) + 1), bucket.interval_ms]
    now, *pairs = (int(v) for v in _reserve_script(list(index), args))
    return [Reservation(bool(pairs[i + 1]), pairs[i], now) for i in range(0, len(pairs), 2)]


@dataclass(frozen=True)
class Pace:
    go: bool
    at: float  # go: the dispatch time (epoch seconds, Redis clock); else when to try again
    slot_ms: int  # the slot to try again with (a new one when the send took a new slot)
    delay: float = 0.0  # go: seconds from the answer until the request may be written


# How long a send may be held, right before its write, for its DID's wire to come free
# (see _PACE). One that would wait longer comes back half this before the wire is free (a
# timer's and a thread's wake-up, p99 about 40 ms on a busy machine, then still leave it
# early enough to take the wire the moment it is free).
WIRE_WAIT_MS = 100


def pace(bucket: Bucket, cost: int, slot_ms: int = 0) -> Pace:
    """The last guard before the provider call, one Redis call: a DID's sends leave at
    least its interval apart by the Redis clock, and one that missed its slot (`slot_ms`)
    by more than its spacing takes a new slot rather than bunching. A send shortly before
    its DID's wire is free goes, `delay` seconds from now (the caller holds the write that
    long). When it must wait longer, nothing is reserved on the wire: the caller comes
    back at `at`, a little before the wire is free (not sleeping on a dispatch thread)."""
    wait_ms, now_ms, fresh_slot, go = (
        int(v)
        for v in _pace_script(
            [f"{bucket.key}:pace", bucket.key],
            [max(1, cost), bucket.interval_ms, slot_ms, WIRE_WAIT_MS],
        )
    )
    if go:
        return Pace(True, (now_ms + wait_ms) / 1000, slot_ms, wait_ms / 1000)
    back = now_ms + wait_ms - WIRE_WAIT_MS / 2
    return Pace(False, back / 1000, fresh_slot or slot_ms)


# A request is written some ms after its guard (the sender thread waiting for the CPU or
# the GIL). Over a 1 s window a DID's sends keep HEADROOM of a second spare; a send
# written more than 90 % of that after its guard was called (the rest: rounding to whole
# ms) moves the DID's next dispatch on by as much, so no MPS + 1 requests of a DID are
# written within a second. (Half of it held a third of the sends on a busy machine, each
# hold a few ms of the DID's time lost.)
# (Measured to the write, not to the answer: the provider's round trip is not a delay on
# our side, and holding the wire for it would cap a DID at 1 / (spacing + round trip).)
MAX_TRAIL_MS = HEADROOM * 1000 * 0.9


def hold_after(bucket: Bucket, cost: int, paced: Pace, free_at: float, left_at: float) -> bool:
    """After a send that went at `paced`, its request allowed from `free_at` and written at
    `left_at` (this process's clock): when the write trailed, the DID's next send waits as
    much longer. One Redis call, only then; True if it held."""
    trailed_ms = (left_at - free_at) * 1000
    if trailed_ms <= MAX_TRAIL_MS:
        return False
    spacing = max(1, cost) * bucket.interval_ms
    _hold_script([f"{bucket.key}:pace"], [paced.at * 1000 + trailed_ms, spacing])
    return True


def did_bucket(number_id: object, mps: float) -> Bucket:
    return Bucket(f"rate:did:{number_id}", mps)


def tenant_bucket(tenant_id: object, mps: float) -> Bucket:
    return Bucket(f"rate:tenant:{tenant_id}", mps)


def account_bucket(account: str, mps: float) -> Bucket:
    return Bucket(f"rate:account:{account}", mps)


def campaign_bucket(campaign_id: object, mps: float) -> Bucket:
    return Bucket(f"rate:campaign:{campaign_id}", mps)
