"""GET/PUT /v1/ai/config, and active hours (the AI waits for the next window)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from shared.ai.engine import QUEUE, next_active
from shared.queue import get_backend
from tests.ai.helpers import ai_workspace, conversation, quiet, sent_bodies, text_in
from tests.fakes.anthropic import FakeAnthropic
from tests.fakes.twilio import FakeTwilio
from tests.identity_helpers import signup
from tests.messaging.helpers import new_phone

WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]


def test_config_defaults_then_a_full_round_trip(
    api: httpx.Client, fake_anthropic: FakeAnthropic
) -> None:
    """With ANTHROPIC_API_KEY set (test_not_configured.py: without it)."""
    account = signup(api, "aiconf")
    r = api.get("/v1/ai/config", headers=account.headers)
    assert r.status_code == 200, r.text
    default = r.json()
    assert default["enabled"] is False
    assert default["mode"] == "off"
    assert default["effective_model"]
    assert default["updated_at"] is None
    body: dict[str, Any] = {
        "enabled": True,
        "mode": "suggest",
        "model": "claude-sonnet-5-5",
        "persona": "Ava",
        "instructions": "Be brief.",
        "business_facts": "Open 9-5.",
        "criteria": [
            {"name": "budget", "type": "number", "description": "USD"},
            {"name": "interest", "type": "scale", "min": 1, "max": 5},
            {"name": "plan", "type": "enum", "options": ["basic", "pro"]},
        ],
        "handoff_rules": {"keywords": ["lawyer"], "negative_sentiment": False},
        "active_hours": {
            "timezone": "America/Chicago",
            "windows": [{"days": WEEKDAYS, "start": "09:00", "end": "17:30"}],
        },
        "reply_delay_min_seconds": 5,
        "reply_delay_max_seconds": 30,
        "max_consecutive_replies": 3,
    }
    put = api.put("/v1/ai/config", json=body, headers=account.headers)
    assert put.status_code == 200, put.text
    got = api.get("/v1/ai/config", headers=account.headers).json()
    for name, value in body.items():
        if name not in ("criteria", "handoff_rules"):
            assert got[name] == value, name
    assert [c["name"] for c in got["criteria"]] == ["budget", "interest", "plan"]
    assert got["handoff_rules"]["keywords"] == ["lawyer"]
    assert got["handoff_rules"]["qualified_lead"] is True  # default kept
    assert got["updated_at"]
    # PUT replaces: what is left out goes back to its default.
    again = api.put("/v1/ai/config", json={"enabled": True}, headers=account.headers).json()
    assert again["mode"] == "off"
    assert again["criteria"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"mode": "sometimes"}, "body.mode"),
        ({"reply_delay_min_seconds": 50, "reply_delay_max_seconds": 10}, "body"),
        ({"max_consecutive_replies": 0}, "body.max_consecutive_replies"),
        ({"criteria": [{"name": "Budget!"}]}, "body.criteria[0].name"),
        ({"criteria": [{"name": "plan", "type": "enum"}]}, "body.criteria[0]"),
        ({"criteria": [{"name": "a"}, {"name": "a"}]}, "body"),
        (
            {"active_hours": {"timezone": "Mars/Base", "windows": [{"days": ["mon"]}]}},
            "body.active_hours.timezone",
        ),
        (
            {"active_hours": {"timezone": "UTC", "windows": [{"days": ["someday"]}]}},
            "body.active_hours.windows[0].days[0]",
        ),
        (
            {"active_hours": {"timezone": "UTC", "windows": [{"days": ["mon"], "start": "25:00"}]}},
            "body.active_hours.windows[0].start",
        ),
        ({"surprise": True}, "body.surprise"),
    ],
)
def test_bad_config_is_422_with_the_field(
    api: httpx.Client, body: dict[str, Any], field: str
) -> None:
    account = signup(api, "aibad")
    r = api.put("/v1/ai/config", json=body, headers=account.headers)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert field in [e["field"] for e in r.json()["errors"]]


def test_members_read_but_only_admins_configure(api: httpx.Client) -> None:
    owner = signup(api, "aiowner")
    key = api.post("/v1/api-keys", json={"name": "member", "role": "member"}, headers=owner.headers)
    assert key.status_code == 201, key.text
    member = {"Authorization": f"Bearer {key.json()['secret']}"}
    assert api.get("/v1/ai/config", headers=member).status_code == 200
    assert api.put("/v1/ai/config", json={}, headers=member).status_code == 403


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_next_active_inside_a_window_is_now() -> None:
    hours = {"timezone": "UTC", "windows": [{"days": WEEKDAYS, "start": "09:00", "end": "17:00"}]}
    monday_noon = _at("2026-03-02T12:00:00")
    assert next_active(monday_noon, hours) == monday_noon
    assert next_active(monday_noon, None) == monday_noon


def test_next_active_waits_for_the_next_window() -> None:
    hours = {"timezone": "UTC", "windows": [{"days": WEEKDAYS, "start": "09:00", "end": "17:00"}]}
    assert next_active(_at("2026-03-02T17:00:00"), hours) == _at("2026-03-03T09:00:00")
    assert next_active(_at("2026-03-02T08:59:00"), hours) == _at("2026-03-02T09:00:00")
    friday_evening = _at("2026-03-06T20:00:00")
    assert next_active(friday_evening, hours) == _at("2026-03-09T09:00:00")  # Monday


def test_next_active_in_the_workspace_zone_and_across_midnight() -> None:
    ny = {
        "timezone": "America/New_York",
        "windows": [{"days": ["sat"], "start": "22:00", "end": "02:00"}],
    }
    # Saturday 23:30 in New York (EST, UTC-5) is inside; Sunday 01:00 too (the window runs on).
    assert next_active(_at("2026-03-08T04:30:00"), ny) == _at("2026-03-08T04:30:00")
    assert next_active(_at("2026-03-08T06:00:00"), ny) == _at("2026-03-08T06:00:00")
    # Sunday 03:00 local: closed until next Saturday 22:00 (EDT by then, UTC-4).
    assert next_active(_at("2026-03-08T08:00:00"), ny) == _at("2026-03-15T02:00:00")


def test_outside_active_hours_the_ai_waits_for_the_window(
    api: httpx.Client, fake_twilio: FakeTwilio, fake_anthropic: FakeAnthropic
) -> None:
    opens = (datetime.now(UTC) + timedelta(hours=3)).replace(second=0, microsecond=0)
    closes = opens + timedelta(hours=1)
    window = {"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]}
    hours = {
        "timezone": "UTC",
        "windows": [{**window, "start": opens.strftime("%H:%M"), "end": closes.strftime("%H:%M")}],
    }
    ws = ai_workspace(api, fake_twilio, active_hours=hours)
    phone = new_phone()
    text_in(fake_twilio, ws, phone, "Are you open?")
    quiet()
    assert fake_anthropic.calls(ws.marker) == []
    assert sent_bodies(fake_twilio, phone) == []
    conv = conversation(ws, phone)
    # The reply waits in the queue for the window's start (the inline backend's timer heap).
    backend: Any = get_backend()
    waiting = [job for job in backend._heap if job.label.startswith(f"{QUEUE}:ai-{conv.id}-")]
    assert len(waiting) == 1
    due_in = waiting[0].due - time.monotonic()
    assert abs(due_in - (opens - datetime.now(UTC)).total_seconds()) < 5
