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
    nxt = _redis_ms() + throttle.WIRE_WAIT_MS + 10.5
    get_redis().set(f"{bucket.key}:pace", repr(nxt), px=60_000)
    held = throttle.pace(bucket, 1)
    assert not held.go
    # Told to come back shortly before the wire is free (to be held for it then).
    assert held.at * 1000 >= nxt - throttle.WIRE_WAIT_MS / 2
    assert float(get_redis().get(f"{bucket.key}:pace") or 0) == nxt  # nothing moved
    # Back then: it goes, held until the wire is free, never a fraction of a ms before.
    get_redis().set(f"{bucket.key}:pace", repr(_redis_ms() + 10.5), px=60_000)
    nxt = float(get_redis().get(f"{bucket.key}:pace") or 0)
    went = throttle.pace(bucket, 1)
    assert went.go
    assert went.at * 1000 >= nxt
    assert 0.010 <= went.delay <= 0.012


def test_a_send_just_before_its_wire_is_free_takes_it_from_that_instant() -> None:
    """The next send is a spacing after the instant the wire was free, not after whenever
    this one's thread got round to writing: the few ms of each wake-up do not add up."""
    bucket = throttle.did_bucket(uuid.uuid4(), 1.0)
    free = _redis_ms() + 20.25
    get_redis().set(f"{bucket.key}:pace", repr(free), px=60_000)
    went = throttle.pace(bucket, 1)
    assert went.go
    assert float(get_redis().get(f"{bucket.key}:pace") or 0) == free + bucket.interval_ms


def test_a_reserved_slot_is_never_before_the_buckets_time() -> None:
    bucket = throttle.did_bucket(uuid.uuid4(), 1.0)  # 1020.408... ms apart
    first, second = throttle.reserve_many([([bucket], 1), ([bucket], 1)], bulk=False)
    assert second.at_ms - first.at_ms >= bucket.interval_ms
    refused = throttle.reserve_many([([bucket], 1)], bulk=True, earliest=[3.0])[0]
    assert not refused.granted  # its come-back time is rounded up too
    tat = float(get_redis().get(bucket.key) or 0)
    assert refused.at_ms >= max(tat, refused.now_ms + 3000) - throttle.BULK_HORIZON_MS


def test_a_send_written_late_holds_its_dids_wire_longer() -> None:
    """A request written some ms after its guard reaches the provider that much later: the
    DID's next send waits a spacing after the write, not after the guard's time (more
    jitter than the headroom leaves room for in a one-second window)."""
    bucket = throttle.did_bucket(uuid.uuid4(), 1.0)
    spacing = bucket.interval_ms
    guarded_at = time.time()
    went = throttle.pace(bucket, 1, throttle.reserve([bucket], 1, bulk=False).at_ms)
    assert went.go
    assert throttle.hold_after(bucket, 1, went, guarded_at, guarded_at + 0.05)  # 50 ms later
    held = float(get_redis().get(f"{bucket.key}:pace") or 0)
    assert went.at * 1000 + 50 + spacing <= held <= went.at * 1000 + 50 + spacing + 20
    # The next send waits for it: the guard says so.
    assert not throttle.pace(bucket, 1).go

    # Written within half the headroom of a second: nothing to hold, nothing moved.
    other = throttle.did_bucket(uuid.uuid4(), 1.0)
    guarded_at = time.time()
    on_time = throttle.pace(other, 1)
    before = get_redis().get(f"{other.key}:pace")
    written = guarded_at + throttle.MAX_TRAIL_MS / 1000 * 0.9
    assert not throttle.hold_after(other, 1, on_time, guarded_at, written)
    assert get_redis().get(f"{other.key}:pace") == before


def test_the_headroom_covers_an_unheld_trail_over_any_window() -> None:
    """Sends a spacing apart at the guard, each written up to MAX_TRAIL_MS later: any MPS+1
    of a DID's segments still span at least a second (the provider's window)."""
    for mps in (1.0, 10.0, 30.0):
        spacing = throttle.did_bucket("any", mps).interval_ms
        assert mps * spacing - throttle.MAX_TRAIL_MS >= 1000.0
