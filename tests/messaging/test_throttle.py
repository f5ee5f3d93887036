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


def test_a_send_answered_late_on_a_contended_did_holds_its_wire_longer() -> None:
    """Its request may have reached the provider as late as its answer came: the DID's next
    send waits a spacing after that, not after the guard's time (the jitter the headroom
    does not cover, at a DID sending at its full rate)."""
    bucket = throttle.did_bucket(uuid.uuid4(), 1.0)
    spacing = bucket.interval_ms
    # The DID's wire came free half a spacing ago: it sends at about its full rate.
    now = _redis_ms()
    get_redis().set(f"{bucket.key}:pace", repr(now - spacing / 2), px=60_000)
    went = throttle.pace(bucket, 1, now)
    assert went.go
    assert went.contended
    assert throttle.hold_after(bucket, 1, went, time.time() - 0.05)  # answered 50 ms late
    held = float(get_redis().get(f"{bucket.key}:pace") or 0)
    assert held >= went.at * 1000 + 50 + spacing
    assert held <= went.at * 1000 + 50 + spacing + 20

    # Answered within the headroom's share of the spacing: nothing to hold.
    assert not throttle.hold_after(bucket, 1, went, time.time() - 0.001)
    # A DID idle before it (its wire free for over a spacing): nothing to hold, however
    # late.
    lone = throttle.did_bucket(uuid.uuid4(), 1.0)
    alone = throttle.pace(lone, 1, throttle.reserve([lone], 1, bulk=False).at_ms)
    assert alone.go
    assert not alone.contended
    assert not throttle.hold_after(lone, 1, alone, time.time() - 0.5)
