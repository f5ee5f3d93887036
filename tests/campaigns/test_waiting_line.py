"""A deferred batch sleeps about a third of its turn in the line of waiting batches (at
least 1 s, at most 60 s; 8 s at most when the line cannot be measured): hundreds of
waiting batches do not poll the queue, and a line that drains leaves no batch asleep."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest

from shared.campaigns import engine, waiting_line
from shared.campaigns.events import CampaignBatch
from shared.queue import RegistryDispatcher, set_backend
from shared.queue.inline import InlineBackend


@pytest.fixture
def queue() -> Iterator[InlineBackend]:
    backend = InlineBackend(RegistryDispatcher())
    set_backend(backend)
    yield backend
    set_backend(None)


def _next_second() -> None:
    """Wait until the clock's second changes: counts of the second just ended are read."""
    now = int(time.time())
    while int(time.time()) == now:
        time.sleep(0.01)


def _comes_back_in(queue: InlineBackend, campaign_id: uuid.UUID, deferrals: int) -> float:
    """Defer a batch of the campaign; seconds until its task is due."""
    batch = CampaignBatch(
        tenant_id=uuid.uuid4(),
        campaign_id=campaign_id,
        seq_from=1,
        seq_to=200,
        deferrals=deferrals,
    )
    engine._come_back_later(batch)
    with queue._cv:
        newest = max(
            (job for job in queue._heap if str(campaign_id) in job.label), key=lambda j: j.seq
        )
    return newest.due - time.monotonic()


def test_the_turn_is_the_line_over_the_rate_batches_run() -> None:
    campaign = uuid.uuid4()
    assert waiting_line.deferred(campaign) == 0.0  # nothing ran lately: no estimate
    for _ in range(10):
        waiting_line.ran(campaign)
    _next_second()
    rate = 10 / waiting_line.RATE_WINDOW_SECONDS
    assert waiting_line.deferred(campaign) == pytest.approx(2 / rate)
    assert waiting_line.deferred(campaign) == pytest.approx(3 / rate)
    waiting_line.returned(campaign)
    assert waiting_line.deferred(campaign) == pytest.approx(3 / rate)
    other = uuid.uuid4()
    assert waiting_line.deferred(other) == 0.0  # per campaign


def test_without_an_estimate_the_sleeps_stay_short(queue: InlineBackend) -> None:
    campaign = uuid.uuid4()  # nothing of it ran lately
    first = _comes_back_in(queue, campaign, deferrals=0)
    assert 0.2 < first <= engine.BUSY_RETRY_SECONDS * 1.5 + 0.05
    # However often it waited, at most the short maximum (with its jitter).
    often = _comes_back_in(queue, campaign, deferrals=12)
    assert engine.BUSY_RETRY_MAX_SECONDS - 0.1 <= often <= engine.BUSY_RETRY_MAX_SECONDS * 1.5


def test_a_short_line_at_a_brisk_rate_sleeps_briefly(queue: InlineBackend) -> None:
    """A line that drains fast (the end of a campaign): no batch sleeps through it."""
    campaign = uuid.uuid4()
    for _ in range(20):
        waiting_line.ran(campaign)
    _next_second()
    often = _comes_back_in(queue, campaign, deferrals=12)  # a turn of 0.25 s
    assert engine.LINE_SLEEP_MIN_SECONDS - 0.1 <= often <= engine.LINE_SLEEP_MIN_SECONDS * 1.5


def test_a_long_line_against_a_slow_rate_sleeps_longer(queue: InlineBackend) -> None:
    campaign = uuid.uuid4()
    waiting_line.ran(campaign)  # one batch in the window: 0.2 a second
    _next_second()
    for _ in range(29):
        waiting_line.deferred(campaign)
    # The 30th in line: a turn of 150 s, so a sleep of up to 50 s once it has waited often.
    assert _comes_back_in(queue, campaign, deferrals=12) == pytest.approx(50, abs=26)
    assert _comes_back_in(queue, campaign, deferrals=12) >= 31 / 0.2 / 3 - 1
    # Still doubling from short sleeps at first: a line's estimate only lifts the maximum.
    assert _comes_back_in(queue, campaign, deferrals=0) <= engine.BUSY_RETRY_SECONDS * 1.5
    for _ in range(300):
        waiting_line.deferred(campaign)
    assert _comes_back_in(queue, campaign, deferrals=12) <= engine.LINE_SLEEP_MAX_SECONDS * 1.5
