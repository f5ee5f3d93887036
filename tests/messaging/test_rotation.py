"""DID rotation: each message to the pool's least-loaded number by segments, sticky
contacts kept, idle numbers in turn (shared/messaging/rotation.py, on a real Redis)."""

from __future__ import annotations

import uuid
from collections import Counter

from shared.messaging import rotation


def _pool(count: int, mps: float = 1.0) -> tuple[uuid.UUID, list[rotation.Did]]:
    dids = [rotation.Did(uuid.uuid4(), f"+1212555{i:04d}", mps, "simulator") for i in range(count)]
    return uuid.uuid4(), dids


def _segments_per_did(assigned: list[rotation.Did], segments: list[int]) -> dict[str, int]:
    totals: Counter[str] = Counter()
    for did, cost in zip(assigned, segments, strict=True):
        totals[did.phone] += cost
    return dict(totals)


def test_every_other_message_long_still_loads_the_dids_evenly() -> None:
    """Round-robin by message would give one DID every 2-segment message (8 segments
    against 4): a pool-bound campaign lasts as long as its busiest DID."""
    pool, dids = _pool(2)
    segments = [2, 1] * 4
    assigned = rotation.assign(pool, dids, [None] * len(segments), segments)
    assert sorted(_segments_per_did(assigned, segments).values()) == [6, 6]


def test_the_load_carries_over_to_the_next_batch() -> None:
    pool, dids = _pool(3)
    first = rotation.assign(pool, dids, [None], [3])  # one DID busy for 3 s
    later = rotation.assign(pool, dids, [None] * 4, [1] * 4)
    assert first[0] not in later[:2]  # the idle two take the next ones
    assert Counter(d.id for d in first + later)[first[0].id] <= 2


def test_a_sticky_contact_keeps_its_number_and_counts_on_it() -> None:
    pool, dids = _pool(2)
    assigned = rotation.assign(pool, dids, [dids[0].id, dids[0].id, None], [1, 1, 1])
    assert assigned[:2] == [dids[0], dids[0]]
    assert assigned[2] == dids[1]  # the sticky ones loaded the first
    stranger = rotation.assign(pool, dids, [uuid.uuid4()], [1])  # not a member: rotated
    assert stranger[0] in dids


def test_idle_numbers_take_turns_across_calls() -> None:
    pool, dids = _pool(3, mps=1000.0)  # 1 ms a segment: idle again at once
    picked = [rotation.assign(pool, dids, [None])[0] for _ in range(6)]
    assert picked[:3] != [picked[0]] * 3
    assert set(picked[:3]) == set(dids)
    assert picked[3:] == picked[:3]


def test_an_empty_pool_assigns_nothing() -> None:
    assert rotation.assign(uuid.uuid4(), [], [None, None]) == []
