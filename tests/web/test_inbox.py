"""The inbox in the browser: two people on one workspace see each other's work live; STOP
disables the composer; Claude's drafts (approve, edit, discard, suggest); the keyboard;
the phone. Contacts write in through the simulator's inbound route, which goes through
the same processing as a signed Twilio webhook."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.conversations.helpers import invite_member
from tests.fakes.anthropic import FakeAnthropic, tool_reply
from tests.fakes.smtp import Mailbox
from tests.identity_helpers import PASSWORD, Account, signup
from tests.web.browser import Console

LIVE_MS = 3_000  # the bar: a new inbound shows within 3 s, without a reload


def _phone() -> str:
    return f"+1415{uuid.uuid4().int % 8_000_000 + 2_000_000}"


def _pretty(e164: str) -> str:
    return f"+1 ({e164[2:5]}) {e164[5:8]}-{e164[8:]}"


def _number(api: httpx.Client, owner: Account) -> str:
    available = api.get("/v1/numbers/available?area_code=555", headers=owner.headers).json()
    phone = available["data"][0]["phone_number"]
    r = api.post("/v1/numbers/purchase", json={"phone_number": phone}, headers=owner.headers)
    assert r.status_code == 201, r.text
    return str(r.json()["phone_number"])


def _write_in(api: httpx.Client, owner: Account, number: str, phone: str, body: str) -> None:
    r = api.post(
        "/v1/simulator/inbound",
        json={"from": phone, "to": number, "body": body},
        headers=owner.headers,
    )
    assert r.status_code in (200, 201), r.text


def _row(page: Any, text: str) -> Any:
    return page.get_by_role("list", name="Conversation list").get_by_role(
        "button", name=re.compile(re.escape(text))
    )


def _thread(page: Any) -> Any:
    return page.get_by_role("log", name="Messages")


def _bodies(api: httpx.Client, owner: Account, phone: str) -> list[str]:
    found = api.get("/v1/conversations", params={"q": phone}, headers=owner.headers).json()
    (conversation,) = found["data"]
    thread = api.get(
        f"/v1/conversations/{conversation['id']}/messages",
        params={"limit": 200},
        headers=owner.headers,
    ).json()
    return [m["body"] for m in thread["data"]]


@pytest.fixture
def second(browser: object, platform_url: str, request: pytest.FixtureRequest) -> Iterator[Console]:
    """A second browser context (another person, another profile)."""
    session = Console.open(browser, platform_url, f"{request.node.name}-second")
    yield session
    session.close()
    session.assert_clean()


def test_two_people_work_the_inbox_live(
    console: Console, second: Console, api_client: httpx.Client, mailbox: Mailbox
) -> None:
    owner = signup(api_client, "owner")
    number = _number(api_client, owner)
    agent = invite_member(api_client, mailbox, owner)
    quiet, phone = _phone(), _phone()
    # A campaign-like message nobody answered does not open a conversation in the inbox.
    sent = api_client.post(
        "/v1/messages", json={"to": quiet, "body": "Solar sale today"}, headers=owner.headers
    )
    assert sent.status_code == 201, sent.text

    page = console.log_in(agent.email, PASSWORD, then="/inbox")
    expect(page.get_by_text("Nothing here")).to_be_visible()
    console.check_page("inbox-empty")
    boss = second.log_in(owner.email, PASSWORD, then="/inbox")
    expect(boss.get_by_text("Nothing here")).to_be_visible()

    # The contact writes in: both see it, live, with the unread count in the tab's title.
    _write_in(api_client, owner, number, phone, "Hi, is the roof offer still on?")
    expect(_row(page, "roof offer")).to_be_visible(timeout=LIVE_MS)
    expect(_row(boss, "roof offer")).to_be_visible(timeout=LIVE_MS)
    expect(page).to_have_title(re.compile(r"^\(1\) Inbox"), timeout=LIVE_MS)
    expect(page.get_by_test_id("count-unread")).to_have_text("1")
    expect(_row(page, _pretty(quiet))).to_have_count(0)
    console.check_page("inbox-new-message")

    # The agent opens it (read: the title drops the count), assigns it to themself.
    _row(page, "roof offer").click()
    expect(_thread(page)).to_contain_text("Hi, is the roof offer still on?")
    expect(page).to_have_title(re.compile(r"^Inbox"))
    page.get_by_role("button", name="Assign", exact=True).click()
    page.get_by_role("menuitem", name="Me", exact=True).click()
    expect(page.get_by_role("button", name="You", exact=True)).to_be_visible()
    expect(boss.get_by_test_id("count-unassigned")).to_have_text("0", timeout=LIVE_MS)

    # A reply with Ctrl+Enter; the live segment count comes from the API's preview.
    composer = page.get_by_label("Reply")
    composer.fill("Yes, until Friday. Want a quote?")
    expect(page.get_by_test_id("segment-info")).to_contain_text("GSM-7 · 1 segment")
    composer.press("Control+Enter")
    expect(composer).to_have_value("")
    expect(_thread(page)).to_contain_text("Yes, until Friday. Want a quote?")
    expect(_thread(page).get_by_text("Delivered")).to_be_visible(timeout=10_000)
    # The owner opens the same conversation and sees the agent's reply.
    _row(boss, _pretty(phone)).click()
    expect(_thread(boss)).to_contain_text("Yes, until Friday. Want a quote?")
    expect(_thread(boss).get_by_text("Agent").first).to_be_visible()

    # A double click sends once (one Idempotency-Key per message typed).
    composer.fill("Our installer can come Tuesday.")
    page.get_by_role("button", name="Send", exact=True).dblclick()
    expect(_thread(page)).to_contain_text("Our installer can come Tuesday.")
    assert _bodies(api_client, owner, phone).count("Our installer can come Tuesday.") == 1
    console.check_page("inbox-thread")

    # Snooze until they reply: out of the open view for both; their reply brings it back.
    page.get_by_role("button", name="Snooze", exact=True).click()
    page.get_by_role("menuitem", name="Until they reply").click()
    expect(page.get_by_test_id("conversation-status")).to_have_text("Snoozed until they reply")
    expect(boss.get_by_test_id("count-snoozed")).to_have_text("1", timeout=LIVE_MS)
    expect(boss.get_by_test_id("count-open")).to_have_text("0", timeout=LIVE_MS)
    _write_in(api_client, owner, number, phone, "Tuesday works")
    expect(_thread(page)).to_contain_text("Tuesday works", timeout=LIVE_MS)
    expect(_thread(boss)).to_contain_text("Tuesday works", timeout=LIVE_MS)
    expect(boss.get_by_test_id("count-open")).to_have_text("1", timeout=LIVE_MS)
    second.check_page("inbox-owner")


def test_stop_disables_the_composer_with_the_reason(
    console: Console, api_client: httpx.Client
) -> None:
    owner = signup(api_client, "stop")
    number = _number(api_client, owner)
    phone = _phone()
    _write_in(api_client, owner, number, phone, "Who is this?")
    page = console.log_in(owner.email, PASSWORD, then="/inbox")
    _row(page, "Who is this?").click()
    expect(page.get_by_label("Reply")).to_be_visible()
    _write_in(api_client, owner, number, phone, "STOP")
    blocked = page.get_by_test_id("composer-blocked")
    expect(blocked).to_contain_text("opted out", timeout=LIVE_MS)
    expect(page.get_by_label("Reply")).to_have_count(0)
    expect(_thread(page).get_by_text("Keyword reply").first).to_be_visible()
    console.check_page("inbox-opted-out")


def _draft(api: httpx.Client, owner: Account, phone: str) -> str | None:
    found = api.get("/v1/conversations", params={"q": phone}, headers=owner.headers).json()
    r = api.get(f"/v1/conversations/{found['data'][0]['id']}/ai/draft", headers=owner.headers)
    return str(r.json()["body"]) if r.status_code == 200 else None


def test_claude_drafts_approve_edit_discard(
    console: Console, api_client: httpx.Client, fake_anthropic: FakeAnthropic
) -> None:
    """In suggest mode each inbound message brings Claude's draft live (the fake Anthropic
    API answers); the approved one goes out as the AI's, an edited one as edited, a
    discarded one not at all; "Suggest a reply" drafts again on demand."""
    owner = signup(api_client, "ai")
    number = _number(api_client, owner)
    marker = f"persona-{uuid.uuid4().hex[:12]}"
    config = api_client.put(
        "/v1/ai/config",
        json={
            "enabled": True,
            "mode": "suggest",
            "persona": f"You are Ava of Sunny Solar ({marker}).",
            "reply_delay_min_seconds": 0,
            "reply_delay_max_seconds": 0,
        },
        headers=owner.headers,
    )
    assert config.status_code == 200, config.text
    phone = _phone()
    page = console.log_in(owner.email, PASSWORD, then="/inbox")
    draft = page.get_by_test_id("ai-draft")

    # Approve: the inbound message brings the draft; it goes out as is, marked as the AI's.
    fake_anthropic.script(marker, tool_reply("Yes! The offer runs until Friday."))
    _write_in(api_client, owner, number, phone, "Is the offer still on?")
    _row(page, "offer").click()
    expect(draft).to_contain_text("The offer runs until Friday", timeout=20_000)
    assert _draft(api_client, owner, phone) == "Yes! The offer runs until Friday."
    console.check_page("inbox-ai-draft")
    draft.get_by_role("button", name="Approve and send").click()
    expect(draft).to_have_count(0)
    expect(_thread(page)).to_contain_text("The offer runs until Friday")
    expect(_thread(page).get_by_text("AI", exact=True).first).to_be_visible()

    # Edit, then send: the agent's text goes, not the draft's.
    fake_anthropic.script(marker, tool_reply("A 6 kW system costs about $12,000."))
    _write_in(api_client, owner, number, phone, "How much for a house?")
    expect(draft).to_contain_text("A 6 kW system", timeout=20_000)
    proposed = _draft(api_client, owner, phone)
    assert proposed == "A 6 kW system costs about $12,000."
    draft.get_by_role("button", name="Edit").click()
    composer = page.get_by_label("Reply")
    expect(composer).to_have_value(proposed)
    composer.fill("About $12,000 before the tax credit.")
    composer.press("Control+Enter")
    expect(_thread(page)).to_contain_text("before the tax credit", timeout=LIVE_MS)
    assert "About $12,000 before the tax credit." in _bodies(api_client, owner, phone)
    assert proposed not in _bodies(api_client, owner, phone)

    # On demand: "Suggest a reply" replaces the draft; discard it and nothing is sent.
    fake_anthropic.script(marker, tool_reply("Happy to help!"))
    _write_in(api_client, owner, number, phone, "ok thanks")
    expect(draft).to_contain_text("Happy to help!", timeout=20_000)
    fake_anthropic.script(marker, tool_reply("We also sell batteries!"))
    page.get_by_role("button", name="Suggest a reply").click()
    expect(draft).to_contain_text("We also sell batteries!", timeout=20_000)
    before = _bodies(api_client, owner, phone)
    draft.get_by_role("button", name="Discard").click()
    expect(draft).to_have_count(0)
    assert _draft(api_client, owner, phone) is None
    assert _bodies(api_client, owner, phone) == before
    assert "We also sell batteries!" not in before


def test_keyboard_shortcuts(console: Console, api_client: httpx.Client) -> None:
    owner = signup(api_client, "keys")
    number = _number(api_client, owner)
    for body in ("first message", "second message", "third message"):
        _write_in(api_client, owner, number, _phone(), body)
    page = console.log_in(owner.email, PASSWORD, then="/inbox")
    expect(_row(page, "third message")).to_be_visible()

    page.keyboard.press("j")  # newest first
    expect(page).to_have_url(re.compile(r"[?&]id="))
    expect(_thread(page)).to_contain_text("third message")
    page.keyboard.press("j")
    expect(_thread(page)).to_contain_text("second message")
    page.keyboard.press("k")
    expect(_thread(page)).to_contain_text("third message")

    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    console.check_page("inbox-shortcuts", full_page=False)
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)

    page.keyboard.press("a")
    expect(page.get_by_role("menuitem", name="Me", exact=True)).to_be_visible()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("menuitem", name="Me", exact=True)).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="You", exact=True)).to_be_visible()

    page.keyboard.press("r")
    expect(page.get_by_label("Reply")).to_be_focused()
    page.keyboard.type("On my way")
    page.keyboard.press("Escape")  # leaves the composer; single keys work again

    page.keyboard.press("e")
    expect(page.get_by_role("button", name="Reopen", exact=True)).to_be_visible()
    page.keyboard.press("s")
    expect(page.get_by_role("menuitem", name="Until they reply")).to_be_visible()
    page.keyboard.press("Escape")

    page.keyboard.press("/")
    search = page.get_by_label("Search conversations")
    expect(search).to_be_focused()
    page.keyboard.type("second")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"q=second"))
    expect(_row(page, "second message")).to_be_visible()
    expect(_row(page, "first message")).to_have_count(0)


def test_phone_list_then_thread(console: Console, api_client: httpx.Client) -> None:
    owner = signup(api_client, "pocket")
    number = _number(api_client, owner)
    _write_in(api_client, owner, number, _phone(), "Texting from the road")
    page = console.page
    page.set_viewport_size({"width": 390, "height": 844})
    console.log_in(owner.email, PASSWORD, then="/inbox")
    expect(_row(page, "from the road")).to_be_visible()
    expect(page.get_by_role("log", name="Messages")).to_have_count(0)
    console.check_page("inbox-phone-list")
    _row(page, "from the road").click()
    expect(_thread(page)).to_contain_text("Texting from the road")
    expect(page.get_by_role("list", name="Conversation list")).to_be_hidden()
    console.check_page("inbox-phone-thread")
    page.get_by_role("button", name="Contact and lead").click()
    expect(page.get_by_role("dialog", name="Contact and lead")).to_be_visible()
    console.check_page("inbox-phone-details", full_page=False)
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Back to the list").click()
    expect(_row(page, "from the road")).to_be_visible()
