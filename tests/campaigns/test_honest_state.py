"""What a campaign says about itself: quiet-hours waits and when they end, cancelled
messages, automatic pauses (paused_at, reason, email, event, a clean resume), the
preview's estimate, and unknown template variables at launch."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from shared.messaging import throttle
from tests.campaigns.helpers import (
    Setup,
    add_contacts,
    create_campaign,
    sends_by_recipient,
    wait_status,
    workspace_with_pool,
)
from tests.conversations.helpers import RecordingBackend
from tests.fakes.smtp import Mailbox
from tests.fakes.twilio import FakeTwilio
from tests.messaging.helpers import wait_until

LA = ZoneInfo("America/Los_Angeles")


def _stats(api: httpx.Client, setup: Setup, campaign_id: str) -> dict[str, Any]:
    r = api.get(f"/v1/campaigns/{campaign_id}/stats", headers=setup.headers)
    assert r.status_code == 200, r.text
    return dict(r.json())


def _window_opening_in(hours: int) -> tuple[dict[str, str], datetime]:
    """A one-hour sending window opening in about `hours` in Los Angeles, and its opening."""
    local = datetime.now(LA)
    opening = (local + timedelta(hours=hours)).replace(second=0, microsecond=0)
    window = {
        "start": opening.strftime("%H:%M"),
        "end": (opening + timedelta(hours=1)).strftime("%H:%M"),
    }
    return window, opening


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_quiet_hours_waits_are_counted_with_when_each_is_due(
    api: httpx.Client, fake_twilio: FakeTwilio
) -> None:
    setup = workspace_with_pool(api, fake_twilio, dids=1)
    contacts = add_contacts(api, setup, 3, ["vip"], timezone="America/Los_Angeles")
    window, opening = _window_opening_in(2)
    campaign = create_campaign(api, setup, quiet_hours=window)
    api.post(f"/v1/campaigns/{campaign['id']}/launch", headers=setup.headers)

    def all_held() -> dict[str, Any] | None:
        stats = _stats(api, setup, campaign["id"])
        return stats if stats["waiting_for_quiet_hours"] == 3 else None

    stats = wait_until(all_held)
    assert stats["queued"] == 3
    assert stats["throughput_per_second"] == 0
    assert abs((_at(stats["next_due_at"]) - opening).total_seconds()) < 1
    r = api.get(f"/v1/campaigns/{campaign['id']}/messages", headers=setup.headers)
    assert r.status_code == 200, r.text
    messages = r.json()["data"]
    assert len(messages) == 3
    for message in messages:
        assert message["status"] == "queued"
        assert abs((_at(message["due_at"]) - opening).total_seconds()) < 1
    assert sends_by_recipient(fake_twilio, {c["phone"] for c in contacts}) == {}

    # Cancelled, they stay counted: as cancelled, no longer as queued or waiting.
    r = api.post(f"/v1/campaigns/{campaign['id']}/cancel", headers=setup.headers)
    assert r.status_code == 200, r.text
    after = _stats(api, setup, campaign["id"])
    assert after["cancelled"] == 3
    assert after["queued"] == 0
    assert after["waiting_for_quiet_hours"] == 0
    assert after["next_due_at"] is None
    assert after["audience"] == 3


def test_a_cancelled_campaign_accounts_for_every_contact_once(
    api: httpx.Client, fake_twilio: FakeTwilio, recording_queue: RecordingBackend
) -> None:
    setup = workspace_with_pool(api, fake_twilio, dids=1, mps=2.0)
    contacts = add_contacts(api, setup, 12, ["vip"])
    phones = {c["phone"] for c in contacts}
    campaign = create_campaign(api, setup)
    api.post(f"/v1/campaigns/{campaign['id']}/launch", headers=setup.headers)
    wait_until(lambda: len(sends_by_recipient(fake_twilio, phones)) >= 3)
    paused = api.post(f"/v1/campaigns/{campaign['id']}/pause", headers=setup.headers)
    assert paused.status_code == 200, paused.text
    (event,) = [e for t, e in recording_queue.published if t == "campaign.paused"]
    assert event.data["cause"] == "user"
    assert event.data["campaign_id"] == campaign["id"]
    assert event.data["paused_at"] is not None
    assert api.post(f"/v1/campaigns/{campaign['id']}/cancel", headers=setup.headers).is_success

    def settled() -> dict[str, Any] | None:
        stats = _stats(api, setup, campaign["id"])
        return None if stats["sending"] or stats["sent"] else stats  # callbacks still due

    stats = wait_until(settled)
    sent = len(sends_by_recipient(fake_twilio, phones))
    assert stats["delivered"] == sent
    assert stats["cancelled"] == 12 - sent
    assert stats["cancelled"] > 0
    outcomes = ("pending", "queued", "delivered", "undelivered", "failed", "skipped")
    assert sum(stats[k] for k in outcomes) + stats["cancelled"] == stats["audience"] == 12


def _contact(api: httpx.Client, setup: Setup, phone: str) -> None:
    r = api.post("/v1/contacts", json={"phone": phone, "tags": ["vip"]}, headers=setup.headers)
    assert r.status_code == 201, r.text


def _refused_numbers(code: int, count: int) -> list[str]:
    """Valid US numbers whose last five digits make the fake Twilio refuse them with `code`."""
    return [f"+1415{n}{code}" for n in random.sample(range(20, 100), count)]


def test_an_automatic_pause_says_when_and_why_tells_the_admins_and_resumes_cleanly(
    api: httpx.Client,
    fake_twilio: FakeTwilio,
    mailbox: Mailbox,
    recording_queue: RecordingBackend,
) -> None:
    setup = workspace_with_pool(api, fake_twilio, dids=1)
    for phone in _refused_numbers(21614, 20):  # created first: sent first
        _contact(api, setup, phone)
    good = add_contacts(api, setup, 40, ["vip"])
    campaign = create_campaign(api, setup)
    api.post(f"/v1/campaigns/{campaign['id']}/launch", headers=setup.headers)

    # 20 failures in the first 50 outcomes: over the campaign's 25 % threshold.
    paused = wait_status(api, setup, campaign["id"], "paused", timeout=40)
    assert paused["paused_at"] is not None
    assert paused["pause_reason"].startswith("paused automatically: ")
    assert "of the last 50 messages failed" in paused["pause_reason"]
    assert "most often with error 21614" in paused["pause_reason"]
    mail = mailbox.wait_for(setup.ws.account.email, "was paused")
    assert "21614" in mail.body
    assert campaign["id"] in mail.body
    (event,) = wait_until(
        lambda: [e for t, e in recording_queue.published if t == "campaign.paused"]
    )
    assert event.type == "campaign.paused"
    assert event.version == 1
    assert event.data["cause"] == "auto"
    assert event.data["reason"] == paused["pause_reason"]
    assert event.data["paused_at"] is not None

    # Resumed, it is judged afresh: what is left (all good numbers) goes out.
    resumed = api.post(f"/v1/campaigns/{campaign['id']}/resume", headers=setup.headers)
    assert resumed.status_code == 200, resumed.text
    assert resumed.json()["paused_at"] is None
    wait_status(api, setup, campaign["id"], "completed", timeout=40)
    sent = sends_by_recipient(fake_twilio, {c["phone"] for c in good})
    assert set(sent) == {c["phone"] for c in good}
    assert all(len(v) == 1 for v in sent.values())
    assert len([t for t, _ in recording_queue.published if t == "campaign.paused"]) == 1
    stats = _stats(api, setup, campaign["id"])
    assert stats["failed_by_code"] == {"21614": 20}


def test_the_preview_estimates_with_every_cap_and_the_contacts_windows(
    api: httpx.Client, fake_twilio: FakeTwilio
) -> None:
    setup = workspace_with_pool(api, fake_twilio, dids=2, mps=50.0)
    add_contacts(api, setup, 10, ["vip"], timezone="America/Los_Angeles")
    campaign = create_campaign(api, setup)

    def preview(campaign_id: str) -> dict[str, Any]:
        r = api.post(f"/v1/campaigns/{campaign_id}/preview", json={}, headers=setup.headers)
        assert r.status_code == 200, r.text
        return dict(r.json())

    # The pool has 100 MPS; the free plan allows 5 per second to the whole workspace.
    got = preview(campaign["id"])
    assert got["pool_capacity_mps"] == 100.0
    assert got["rate_limited_by"] == "plan"
    assert got["effective_rate_mps"] == pytest.approx(5 * (1 - throttle.HEADROOM))
    assert got["estimated_duration_seconds"] == pytest.approx(
        10 / (5 * (1 - throttle.HEADROOM)), abs=0.1
    )
    assert got["deferred_by_quiet_hours"] == 0

    # The campaign's own cap, when lower, sets the pace.
    capped = create_campaign(api, setup, rate_cap_mps=1.0)
    got = preview(capped["id"])
    assert got["rate_limited_by"] == "campaign_cap"
    assert got["estimated_duration_seconds"] == pytest.approx(10 / (1 - throttle.HEADROOM), abs=0.1)

    # A window opening in two hours in the contacts' zone: nothing goes before it.
    window, opening = _window_opening_in(2)
    waiting = create_campaign(api, setup, quiet_hours=window)
    before = datetime.now(LA)
    got = preview(waiting["id"])
    assert got["deferred_by_quiet_hours"] == 10
    finish = _at(got["estimated_finish_at"])
    assert opening + timedelta(seconds=1) < finish < opening + timedelta(seconds=5)
    wait = (opening - before).total_seconds()
    assert wait + 1 < got["estimated_duration_seconds"] < wait + 6


def test_launching_with_unknown_variables_without_fallback_is_refused(
    api: httpx.Client, fake_twilio: FakeTwilio
) -> None:
    setup = workspace_with_pool(api, fake_twilio, dids=1)
    add_contacts(api, setup, 2, ["vip"], fields={"favorite_color": "teal"})
    body = "Hi {{first_name|there}}, {{favourite_colour}} and {{fields.favorite_color}} {{oops}}"
    bad = create_campaign(api, setup, body=body)
    r = api.post(f"/v1/campaigns/{bad['id']}/preview", json={}, headers=setup.headers)
    assert r.json()["unknown_variables"] == ["favourite_colour", "oops"]
    assert r.json()["blocking_variables"] == ["favourite_colour", "oops"]
    assert all("teal" in sample["text"] for sample in r.json()["samples"])

    r = api.post(f"/v1/campaigns/{bad['id']}/launch", headers=setup.headers)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["type"].endswith("/unknown-template-variables")
    assert problem["unknown_variables"] == ["favourite_colour", "oops"]
    assert "{{favourite_colour}}" in problem["detail"]
    assert [e["field"] for e in problem["errors"]] == ["body", "body"]
    assert api.get(f"/v1/campaigns/{bad['id']}", headers=setup.headers).json()["status"] == "draft"

    # With a fallback each (even an empty one) the launch goes ahead.
    fixed = "Hi {{first_name|there}}, {{favourite_colour|}}{{contact.fields.favorite_color}}!"
    r = api.patch(f"/v1/campaigns/{bad['id']}", json={"body": fixed}, headers=setup.headers)
    assert r.status_code == 200, r.text
    r = api.post(f"/v1/campaigns/{bad['id']}/launch", headers=setup.headers)
    assert r.status_code == 200, r.text
    wait_status(api, setup, bad["id"], "completed")


def test_a_template_with_an_unknown_variable_is_refused_at_launch_too(
    api: httpx.Client, fake_twilio: FakeTwilio
) -> None:
    setup = workspace_with_pool(api, fake_twilio, dids=1)
    add_contacts(api, setup, 1, ["vip"])
    template = api.post(
        "/v1/templates", json={"name": "t", "body": "Hi {{nickname}}"}, headers=setup.headers
    )
    assert template.status_code == 201, template.text
    campaign = create_campaign(api, setup, body=None, template_id=template.json()["id"])
    r = api.post(f"/v1/campaigns/{campaign['id']}/launch", headers=setup.headers)
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "template_id"
    assert r.json()["unknown_variables"] == ["nickname"]
    got = api.get(f"/v1/campaigns/{campaign['id']}", headers=setup.headers).json()
    assert got["status"] == "draft"
    assert got["audience_size"] is None
