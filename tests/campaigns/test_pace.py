"""The send estimate: the campaign's rate, then each contact's sending window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.campaigns.pace import estimate

LA = ("+14155550100", "America/Los_Angeles")
NY = ("+12125550100", "America/New_York")
# 17:00 UTC on a January day is 09:00 in Los Angeles and 12:00 in New York.
START = datetime(2026, 1, 15, 17, 0, tzinfo=UTC)


def test_without_a_window_it_is_the_messages_at_the_rate() -> None:
    got = estimate(START, 1200, 0.5, None, [LA])
    assert got.duration_seconds == 600
    assert got.finish_at == START + timedelta(minutes=10)
    assert got.deferred == 0


def test_nothing_to_send_or_no_rate() -> None:
    assert estimate(START, 0, 1.0, {"start": "08:00", "end": "21:00"}, [LA]).duration_seconds == 0
    assert estimate(START, 10, None, None, [LA]).duration_seconds is None


def test_contacts_outside_their_window_wait_for_it() -> None:
    # 09:00 in LA: New York (12:00) may be reached now, Los Angeles only from 10:00.
    window = {"start": "10:00", "end": "21:00"}
    got = estimate(START, 100, 1.0, window, [NY, LA] * 50)
    assert got.deferred == 50
    assert got.finish_at == START + timedelta(hours=1, seconds=50)


def test_a_window_closing_mid_send_carries_the_rest_to_the_next_day() -> None:
    # Open until 09:10 in LA: ten minutes at 1/s send 600 of 1200; the rest go from 08:00
    # the next morning (16:00 UTC).
    window = {"start": "08:00", "end": "09:10"}
    got = estimate(START, 1200, 1.0, window, [LA] * 100)
    assert got.deferred == 600
    assert got.finish_at == datetime(2026, 1, 16, 16, 10, tzinfo=UTC)
    assert got.duration_seconds == (got.finish_at - START).total_seconds()


def test_a_window_that_never_opens_gives_no_estimate() -> None:
    got = estimate(START, 10, 1.0, {"start": "09:00", "end": "09:00"}, [LA])
    assert got.duration_seconds is None
    assert got.finish_at is None
