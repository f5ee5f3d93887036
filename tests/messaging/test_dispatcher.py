"""The dispatcher's own pace: slots spread at the rate this instance starts sends on time,
learnt from how late they start, and never planned beyond the horizon."""

from __future__ import annotations

import itertools
import time

import pytest

from shared.messaging import dispatcher as dispatching
from shared.messaging.dispatcher import Dispatcher


def test_plan_spreads_sends_at_the_pace_and_only_within_the_horizon() -> None:
    d = Dispatcher(threads=1)
    interval = dispatching.FIRST_SEND_INTERVAL
    first = d.plan(10, horizon=1.0)
    assert first[0] == 0.0
    assert [round(b - a, 9) for a, b in itertools.pairwise(first)] == [interval] * 9
    # Planned ahead and all on time: a little narrower, from where the first plan ends.
    rest = d.plan(10_000, horizon=1.0)
    assert rest[0] == pytest.approx(10 * interval, abs=0.01)
    assert rest[1] - rest[0] == pytest.approx(interval * dispatching.NARROWER)
    assert 1.0 - interval < rest[-1] <= 1.0  # up to the horizon, not beyond
    assert d.plan(5, horizon=1.0) == []  # planned to the horizon already: no room
    assert d.is_busy(1.0)
    assert d.backlog_seconds(1.0) == pytest.approx(0.5, abs=0.05)


def test_a_late_start_widens_the_pace_and_on_time_starts_narrow_it() -> None:
    d = Dispatcher(threads=1)
    d.submit(time.time() - 0.2, lambda: None).result(timeout=5)  # started 200 ms late
    wide = d.plan(2, horizon=1.0)
    assert wide[1] == pytest.approx(dispatching.FIRST_SEND_INTERVAL * dispatching.WIDER)
    # No send started late since, and sends are still planned ahead: a little narrower.
    narrow = d.plan(2, horizon=1.0)
    assert narrow[1] - narrow[0] == pytest.approx(wide[1] * dispatching.NARROWER)
    # Nothing ahead (the plan is not what holds sends back): the pace stays.
    idle = Dispatcher(threads=1)
    idle.plan(1, horizon=1.0)
    time.sleep(0.01)
    again = idle.plan(2, horizon=1.0)
    assert again[1] - again[0] == pytest.approx(dispatching.FIRST_SEND_INTERVAL)
