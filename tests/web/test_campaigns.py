"""Campaigns in the console, on the simulator: the wizard end to end with the keyboard only
(numbers, a pool, contacts and a segment made over the API), launch, and the detail page
completing live; then pause, resume and cancel a second, slower campaign, whose unchanged
figures are polled with conditional requests (304)."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import httpx
from playwright.sync_api import expect

from tests.identity_helpers import PASSWORD, Account, signup
from tests.messaging.helpers import new_phone
from tests.web.browser import Console


def _workspace(api: httpx.Client, contacts: int) -> tuple[Account, dict[str, Any]]:
    """A workspace with 3 simulator numbers in a pool and `contacts` contacts tagged vip,
    two of which the simulator fails (30006, 30007), and two staff also tagged vip."""
    account = signup(api, "camp")
    h = account.headers
    area = "555"
    available = api.get(f"/v1/numbers/available?area_code={area}&limit=20", headers=h).json()
    numbers = []
    for candidate in available["data"]:
        r = api.post(
            "/v1/numbers/purchase", json={"phone_number": candidate["phone_number"]}, headers=h
        )
        if r.status_code == 409:
            continue
        assert r.status_code == 201, r.text
        numbers.append(r.json())
        if len(numbers) == 3:
            break
    assert len(numbers) == 3
    pool = api.post("/v1/number-pools", json={"name": "Main pool"}, headers=h).json()
    r = api.put(
        f"/v1/number-pools/{pool['id']}/numbers",
        json={"number_ids": [n["id"] for n in numbers]},
        headers=h,
    )
    assert r.status_code == 200, r.text
    phones = [new_phone() for _ in range(contacts - 2)]
    middle = uuid.uuid4().int % 10
    phones += [f"+16282{middle}30006", f"+16282{middle}30007"]  # the simulator fails these
    for i, phone in enumerate(phones):
        body = {"phone": phone, "first_name": f"Ann{i}", "tags": ["vip"]}
        r = api.post("/v1/contacts", json=body, headers=h)
        assert r.status_code == 201, r.text
    for _ in range(2):
        body = {"phone": new_phone(), "tags": ["vip", "staff"]}
        assert api.post("/v1/contacts", json=body, headers=h).status_code == 201
    segment = api.post(
        "/v1/segments",
        json={
            "name": "Staff",
            "filter": {"all": [{"field": "tag", "op": "has", "value": "staff"}]},
        },
        headers=h,
    )
    assert segment.status_code == 201, segment.text
    return account, pool


def _tab_to(page: Any, target: Any, limit: int = 40, back: bool = False) -> None:
    """Press Tab (Shift+Tab with `back`) until `target` has the focus, as a keyboard user
    does."""
    for _ in range(limit):
        if target.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Shift+Tab" if back else "Tab")
    raise AssertionError(f"{target} never got the focus with Tab")


def test_wizard_with_the_keyboard_then_watch_it_complete(
    console: Console, api_client: httpx.Client
) -> None:
    account, _ = _workspace(api_client, contacts=10)
    page = console.log_in(account.email, PASSWORD, then="/campaigns")
    expect(page.get_by_text("No campaigns yet")).to_be_visible()
    console.check_page("campaigns-empty")

    page.get_by_role("link", name="New campaign").first.click()
    expect(page.get_by_role("heading", name="Step 1 of 4: Audience")).to_be_visible()
    keys = page.keyboard

    # Step 1, keyboard only: Enter on an empty step shows what is missing.
    name = page.get_by_label("Campaign name")
    _tab_to(page, name)
    keys.press("Enter")
    expect(page.get_by_text("Give the campaign a name.")).to_be_visible()
    keys.type("Spring sale")
    _tab_to(page, page.get_by_label("Send to contacts tagged"))
    keys.type("vip")
    count = page.get_by_test_id("audience-count")
    expect(count).to_have_attribute("data-count", "12")
    # Leaving out the Staff segment (a checkbox, toggled with Space) recounts.
    _tab_to(page, page.get_by_role("checkbox", name="Leave out Staff"), back=True)
    keys.press("Space")
    expect(count).to_have_attribute("data-count", "10")
    console.check_page("wizard-audience")
    _tab_to(page, page.get_by_role("button", name="Next: Message"))
    keys.press("Enter")

    # Step 2: focus moves to the step's heading; the message is typed and counted live.
    step2 = page.get_by_role("heading", name="Step 2 of 4: Message")
    expect(step2).to_be_focused()
    expect(page).to_have_url(re.compile(r"/campaigns/new/?\?id="))
    _tab_to(page, page.get_by_label("Message", exact=True))
    keys.type("Hi {{first_name|there}}, spring sale: 20% off this week!")
    meter = page.get_by_test_id("segment-meter")
    expect(meter).to_have_attribute("data-segments", "1")
    expect(meter).to_have_attribute("data-encoding", "GSM-7")
    samples = page.get_by_role("region", name="As sample contacts will get it")
    expect(samples.get_by_text(re.compile(r"^Hi Ann\d, spring sale")).first).to_be_visible()
    # 10 one-segment messages at the first paid plan's 1.5 cents (shared/billing/plans.py)
    expect(page.get_by_test_id("cost-estimate")).to_have_text("$0.15")
    keys.type(" 🌷")
    expect(meter).to_have_attribute("data-encoding", "UCS-2")
    keys.press("Backspace")
    keys.press("Backspace")
    expect(meter).to_have_attribute("data-encoding", "GSM-7")
    console.check_page("wizard-message")
    _tab_to(page, page.get_by_role("button", name="Next: Sending"))
    keys.press("Enter")

    # Step 3: the pool (a native select, arrow keys), quiet hours off (Space), a rate cap.
    expect(page.get_by_role("heading", name="Step 3 of 4: Sending")).to_be_focused()
    pool = page.get_by_label("Send from")
    _tab_to(page, pool)
    keys.press("ArrowDown")
    expect(pool).not_to_have_value("")
    quiet = page.get_by_role("switch", name=re.compile("Only send inside a daily window"))
    _tab_to(page, quiet)
    keys.press("Space")
    expect(quiet).to_have_attribute("aria-checked", "false")
    _tab_to(page, page.get_by_label("Rate cap (messages per second)"))
    keys.type("0")
    keys.press("Enter")
    expect(page.locator("#campaign-rate-cap-error")).to_contain_text("above 0")
    keys.press("Backspace")
    keys.type("5")
    console.check_page("wizard-sending")
    keys.press("Enter")

    # Step 4: review, then launch through the confirmation (focus starts on Cancel).
    expect(page.get_by_role("heading", name="Step 4 of 4: Review")).to_be_focused()
    # 10 one-segment messages at the first paid plan's 1.5 cents (shared/billing/plans.py)
    expect(page.get_by_test_id("cost-estimate")).to_have_text("$0.15")
    expect(page.get_by_text("None: any hour")).to_be_visible()
    console.check_page("wizard-review")
    _tab_to(page, page.get_by_role("button", name="Launch campaign"))
    keys.press("Enter")
    dialog = page.get_by_role("alertdialog", name="Launch this campaign?")
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    keys.press("Tab")
    expect(dialog.get_by_role("button", name="Launch now")).to_be_focused()
    keys.press("Enter")

    # The detail page follows it to the end without a reload.
    expect(page).to_have_url(re.compile(r"/campaigns/view/?\?id="))
    expect(page.locator("[data-status=completed]")).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("stat-sent")).to_have_text("10", timeout=20_000)
    expect(page.get_by_test_id("stat-delivered")).to_have_text("8", timeout=20_000)
    expect(page.get_by_test_id("stat-failed")).to_have_text("2")
    failures = page.get_by_role("list", name="Failures by error code")
    expect(failures).to_contain_text("30006")
    expect(failures).to_contain_text("Landline or unreachable carrier")
    expect(failures).to_contain_text("30007")
    expect(page.get_by_test_id("progress-text")).to_contain_text("10 of 10 contacts done (100%)")
    table = page.get_by_role("table", name="Messages")
    expect(table.get_by_role("row")).to_have_count(11)  # 10 messages and the header

    # The messages table filters by status, from the URL.
    page.get_by_label("Message status").select_option("undelivered")
    expect(page).to_have_url(re.compile(r"status=undelivered"))
    expect(table.get_by_role("row")).to_have_count(3)
    page.reload()
    expect(page.get_by_label("Message status")).to_have_value("undelivered")
    page.get_by_label("Message status").select_option(label="All statuses")
    expect(table.get_by_role("row")).to_have_count(11)
    console.check_page("campaign-detail")
    console.screenshot("campaign-detail-viewport", full_page=False)

    page.get_by_role("link", name="Campaigns", exact=True).first.click()
    row = page.get_by_role("row", name=re.compile("Spring sale"))
    expect(row.locator("[data-status=completed]")).to_be_visible()
    expect(row).to_contain_text("10 of 10")
    console.check_page("campaigns-list")


def test_pause_resume_cancel_and_conditional_polling(
    console: Console, api_client: httpx.Client
) -> None:
    account, pool = _workspace(api_client, contacts=40)
    h = account.headers
    r = api_client.post(
        "/v1/campaigns",
        json={
            "name": "Slow drip",
            "body": "Hello {{first_name|there}}",
            "audience": {"tags": ["vip"]},
            "pool_id": pool["id"],
            "quiet_hours": None,
            "rate_cap_mps": 1,
        },
        headers=h,
    )
    assert r.status_code == 201, r.text
    campaign = r.json()
    assert api_client.post(f"/v1/campaigns/{campaign['id']}/launch", headers=h).status_code == 200

    page = console.log_in(account.email, PASSWORD, then="/campaigns")
    stats_answers: list[int] = []
    page.on(
        "response",
        lambda resp: stats_answers.append(resp.status) if resp.url.endswith("/stats") else None,
    )
    page.get_by_role("link", name="Slow drip").click()
    expect(page.locator("[data-status=running]")).to_be_visible()
    sent = page.get_by_test_id("stat-sent")
    expect(sent).not_to_have_text("0", timeout=15_000)
    # The throughput chart draws from the polls while it sends.
    expect(page.locator(".recharts-area").first).to_be_visible(timeout=15_000)
    console.check_page("campaign-running")

    page.get_by_role("button", name="Pause").click()
    dialog = page.get_by_role("alertdialog", name="Pause this campaign?")
    console.check_page("campaign-pause-dialog", full_page=False)
    dialog.get_by_role("button", name="Pause").click()
    expect(page.locator("[data-status=paused]")).to_be_visible()
    expect(page.get_by_text("Live · every 5 s")).to_be_visible()
    # Paused, the figures settle: the next polls are answered 304 without a body.
    deadline = time.monotonic() + 40
    while 304 not in stats_answers and time.monotonic() < deadline:
        page.wait_for_timeout(500)
    assert 304 in stats_answers, stats_answers
    held = sent.inner_text()
    console.check_page("campaign-paused")

    page.get_by_role("button", name="Resume").click()
    page.get_by_role("alertdialog", name="Resume this campaign?").get_by_role(
        "button", name="Resume"
    ).click()
    expect(page.locator("[data-status=running]")).to_be_visible()
    expect(sent).not_to_have_text(held, timeout=20_000)

    page.get_by_role("button", name="Cancel campaign").click()
    dialog = page.get_by_role("alertdialog", name="Cancel this campaign?")
    expect(dialog.get_by_role("button", name="Cancel", exact=True)).to_be_focused()
    dialog.get_by_role("button", name="Cancel campaign").click()
    expect(page.locator("[data-status=cancelled]")).to_be_visible()
    expect(
        page.get_by_text(re.compile("Final figures|Waiting for delivery receipts"))
    ).to_be_visible()
    stats = api_client.get(f"/v1/campaigns/{campaign['id']}/stats", headers=h).json()
    assert stats["cancelled"] > 0
