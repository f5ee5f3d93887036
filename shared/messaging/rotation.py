"""DID rotation over a pool: round-robin over its active numbers, sticky per contact.

The pool's active members are cached in Redis (refreshed on change and every minute), so
choosing a number costs one INCR, not a query. A contact that already heard from a number
of the pool keeps it while that number is active (its conversation records it).
"""

from __future__ import annotations

import itertools
import json
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.cache import get_redis
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


def assign(pool_id: uuid.UUID, dids: list[Did], stickies: list[uuid.UUID | None]) -> list[Did]:
    """A DID for each contact of a batch: its sticky number when that is an active member,
    else the next in the pool's round-robin (one INCRBY for the whole batch). Empty when
    the pool has no active number."""
    if not dids:
        return []
    by_id = {did.id: did for did in dids}
    kept = [by_id.get(sticky) if sticky is not None else None for sticky in stickies]
    turns = sum(1 for did in kept if did is None)
    if not turns:
        return [did for did in kept if did is not None]
    last = int(get_redis().incrby(f"pool:{pool_id}:rr", turns))
    turn = itertools.count(last - turns + 1)
    return [did if did is not None else dids[next(turn) % len(dids)] for did in kept]
