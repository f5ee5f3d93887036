"""A sender trusts its count of a campaign's messages awaiting a callback for a second, and
only for as many batches as the room that count found."""

from __future__ import annotations

import time
import uuid

from shared.campaigns import engine


def test_a_count_lets_through_only_the_batches_it_has_room_for() -> None:
    campaign = uuid.uuid4()
    room = 2 * engine.BATCH_SIZE + 50
    engine._room[campaign] = (time.monotonic(), room, False)
    assert engine._take_room(campaign) is True
    assert engine._take_room(campaign) is True
    assert engine._take_room(campaign) is None  # 50 left: count again before another
    engine._room[campaign] = (time.monotonic(), 10, True)
    assert engine._take_room(campaign) is False  # the count found them behind: trusted
    engine._room[campaign] = (time.monotonic() - engine.AWAITING_CHECK_SECONDS, room, False)
    assert engine._take_room(campaign) is None  # a second old: count again
    assert engine._take_room(uuid.uuid4()) is None
