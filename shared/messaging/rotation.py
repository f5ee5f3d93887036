"""DID rotation over a pool: each message to the least-loaded of its active numbers,
sticky per contact.

A number's load is when the segments assigned to it would all be out at its rate (kept in
Redis per pool, one script call per batch): round-robin by message gave DIDs unequal
segment loads (every 4th message of 2 segments: 16 to 22 segments for 15 messages each),
and a pool-bound campaign lasts as long as its busiest DID. Numbers that are all idle take
turns. The pool's active members are cached in Redis (refreshed on change and every
minute), so choosing numbers costs no query. A contact that already heard from a number of
the pool keeps it while that number is active (its conversation records it).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.cache import LuaScript, get_redis
from shared.messaging.models import NumberPoolMember, PhoneNumber

CACHE_TTL_SECONDS = 60


@dataclass(frozen=True)
class Did:
    id: uuid.UUID
    phone: str
    mps: float
    provider: str


def _key(pool_id: uuid.UUID) -> str:
    return f"pool:{pool_id}:dids"


def pool_dids(s: Session, pool_id: uuid.UUID) -> list[Did]:
    redis = get_redis()
    cached = redis.get(_key(pool_id))
    if cached is not None:
        return [Did(uuid.UUID(d[0]), d[1], float(d[2]), d[3]) for d in json.loads(cached)]
    rows = s.execute(
        select(PhoneNumber.id, PhoneNumber.phone_number, PhoneNumber.mps, PhoneNumber.provider)
        .join(NumberPoolMember, NumberPoolMember.number_id == PhoneNumber.id)
        .where(NumberPoolMember.pool_id == pool_id, PhoneNumber.status == "active")
        .order_by(PhoneNumber.phone_number)
    ).all()
    dids = [Did(r.id, r.phone_number, r.mps, r.provider) for r in rows]
    redis.set(
        _key(pool_id),
        json.dumps([[str(d.id), d.phone, d.mps, d.provider] for d in dids]),
        ex=CACHE_TTL_SECONDS,
    )
    return dids


def forget_pools(pool_ids: list[uuid.UUID]) -> None:
    """Membership or a member's state changed: the next pick reloads."""
    if pool_ids:
        get_redis().delete(*[_key(p) for p in pool_ids])


def pools_of(s: Session, number_id: uuid.UUID) -> list[uuid.UUID]:
    return list(
        s.scalars(select(NumberPoolMember.pool_id).where(NumberPoolMember.number_id == number_id))
    )


# KEYS[1]: the pool's loads (a hash: DID id -> ms when its assigned segments are out, and
# "turn", where the search for the least loaded starts). ARGV: the count of DIDs, each
# DID's id and ms per segment, then per message its segments and its sticky DID (1-based
# index, 0: none). Returns each message's DID (1-based index).
_ASSIGN = """
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local n = tonumber(ARGV[1])
local ids, per, load = {}, {}, {}
for i = 1, n do
  ids[i] = ARGV[2 * i]
  per[i] = tonumber(ARGV[2 * i + 1])
  load[i] = math.max(now, tonumber(redis.call('HGET', KEYS[1], ids[i]) or '0'))
end
local turn = tonumber(redis.call('HGET', KEYS[1], 'turn') or '0')
local out, last = {}, now
for a = 2 * n + 2, #ARGV, 2 do
  local d = tonumber(ARGV[a + 1])
  if d == 0 then
    d = turn % n + 1
    for k = 1, n - 1 do
      local i = (turn + k) % n + 1
      if load[i] < load[d] then d = i end
    end
    turn = d
  end
  load[d] = load[d] + tonumber(ARGV[a]) * per[d]
  if load[d] > last then last = load[d] end
  out[#out + 1] = d
end
local fields = {'turn', turn}
for i = 1, n do
  fields[#fields + 1] = ids[i]
  fields[#fields + 1] = load[i]
end
redis.call('HSET', KEYS[1], unpack(fields))
redis.call('PEXPIRE', KEYS[1], math.ceil(last - now) + 60000)
return out
"""
_assign_script = LuaScript(_ASSIGN)


def assign(
    pool_id: uuid.UUID,
    dids: list[Did],
    stickies: list[uuid.UUID | None],
    segments: list[int] | None = None,
) -> list[Did]:
    """A DID for each contact of a batch: its sticky number when that is an active member,
    else the pool's least-loaded number counting `segments` (one script call for the whole
    batch; each message 1 segment when not given). Empty when the pool has no active
    number."""
    if not dids:
        return []
    index = {did.id: i + 1 for i, did in enumerate(dids)}
    kept = [index.get(sticky, 0) if sticky is not None else 0 for sticky in stickies]
    args: list[str | float | int] = [len(dids)]
    for did in dids:
        args += [str(did.id), 1000.0 / max(did.mps, 1e-6)]
    for cost, sticky in zip(segments or [1] * len(kept), kept, strict=True):
        args += [max(1, cost), sticky]
    picked = _assign_script([f"pool:{pool_id}:load"], args)
    return [dids[int(i) - 1] for i in picked]
