"""Rate reservations and the last guard (shared/messaging/throttle.py), on a real Redis."""

from __future__ import annotations

import time
import uuid

import pytest

from shared.cache import get_redis
from shared.messaging import throttle


def _redis_ms() -> int:
    seconds, micros = get_redis().time()
    return seconds * 1000 + micros // 1000


def test_a_reservation_is_no_sooner_than_its_earliest() -> None:
    fast = throttle.did_bucket(uuid.uuid4(), 1000.0)  # the DID leaves room at once
    before = time.time() * 1000
    slots = throttle.reserve_many(
        [([fast], 1), ([fast], 1), ([fast], 1)], bulk=True, earliest=[0.0, 0.3, 0.6]
    )
    assert all(r.granted for r in slots)
    offsets = [r.at_ms - r.now_ms for r in slots]
    assert offsets[0] <= 2
    assert offsets[1] == pytest.approx(300, abs=2)
    assert offsets[2] == pytest.approx(600, abs=2)
    assert slots[0].now_ms >= before - 50
    # Beyond the bulk horizon it is refused, reserving nothing, and told when to come back.
    far = throttle.reserve_many([([fast], 1)], bulk=True, earliest=[5.0])[0]
    assert not far.granted
    assert far.at_ms - far.now_ms == pytest.approx(5000 - throttle.BULK_HORIZON_MS, abs=2)
    after = throttle.reserve_many([([fast], 1)], bulk=True)[0]
    assert after.at_ms - after.now_ms == pytest.approx(601, abs=10)  # the last granted + 1 ms


def test_the_guard_never_lets_a_send_go_a_fraction_of_a_ms_early() -> None:
    """The DID's next dispatch is kept in fractional ms; a script's reply is truncated to an
    integer, so a wait of 0.5 ms read as 0 let the send go without moving the next
    dispatch on: the send after it could follow at once (DIDs over their MPS at the fake)."""
    bucket = throttle.did_bucket(uuid.uuid4(), 1.0)
    nxt = _redis_ms() + 50.5
    get_redis().set(f"{bucket.key}:pace", repr(nxt), px=60_000)
    held = throttle.pace(bucket, 1)
    assert not held.go
    assert held.at * 1000 >= nxt  # told to come back no sooner than the wire is free
    assert float(get_redis().get(f"{bucket.key}:pace") or 0) == nxt  # nothing moved


def test_a_reserved_slot_is_never_before_the_buckets_time() -> None:
    bucket = throttle.did_bucket(uuid.uuid4(), 1.0)  # 1020.408... ms apart
    first, second = throttle.reserve_many([([bucket], 1), ([bucket], 1)], bulk=False)
    assert second.at_ms - first.at_ms >= bucket.interval_ms
    refused = throttle.reserve_many([([bucket], 1)], bulk=True, earliest=[3.0])[0]
    assert not refused.granted  # its come-back time is rounded up too
    tat = float(get_redis().get(bucket.key) or 0)
    assert refused.at_ms >= max(tat, refused.now_ms + 3000) - throttle.BULK_HORIZON_MS
