"""Templates in the console: write one and watch its length as you type (the API's draft
preview, debounced), see an emoji switch it to UCS-2 and a curly quote get its GSM-7
suggestion, save versions and load an old one back."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import expect

from tests.identity_helpers import PASSWORD, signup
from tests.web.browser import Console


def _meter(page: object) -> object:
    return page.get_by_test_id("segment-meter")  # type: ignore[attr-defined]


def test_template_editor_counts_segments_live_and_keeps_versions(
    console: Console, api_client: httpx.Client
) -> None:
    account = signup(api_client, "tmpl")
    page = console.log_in(account.email, PASSWORD, then="/templates")
    expect(page.get_by_role("heading", name="Templates")).to_be_visible()
    expect(page.get_by_text("No templates yet")).to_be_visible()
    console.check_page("templates-empty")

    page.get_by_role("link", name="New template").first.click()
    expect(page.get_by_role("heading", name="New template")).to_be_visible()
    # The client checks the API's limits before anything is sent.
    page.get_by_role("button", name="Create template").click()
    expect(page.locator("#template-name-error")).to_contain_text("Give the template a name")

    page.get_by_label("Name").fill("Welcome")
    body = page.get_by_label("Message")
    body.click()
    body.press_sequentially("Hi ")
    # Insert a variable from the menu, with the keyboard.
    page.get_by_role("button", name="Insert variable").press("Enter")
    page.get_by_role("menuitem", name=re.compile("First name")).press("Enter")
    expect(body).to_have_value("Hi {{first_name|there}}")
    # The focus is back in the message, caret after the tag, and stays there: typing
    # straight on loses nothing (the menu's close once took the focus back to its button).
    expect(body).to_be_focused()
    page.keyboard.type(", thanks for joining!")
    meter = _meter(page)
    expect(meter).to_have_attribute("data-encoding", "GSM-7")
    expect(meter).to_have_attribute("data-segments", "1")
    expect(meter).to_contain_text("1 segment")
    expect(page.get_by_text("Hi there, thanks for joining!")).to_be_visible()

    # Past 160 characters: two segments, counted as the typing goes on.
    body.press_sequentially(" " + "Lots of news this week." * 7)
    expect(meter).to_have_attribute("data-segments", "2")
    expect(meter).to_contain_text("GSM-7: 153 characters per part when split")

    # One emoji makes the whole message UCS-2: more segments, and the culprit is named.
    body.press("End")
    body.press_sequentially(" 🎉")
    expect(meter).to_have_attribute("data-encoding", "UCS-2")
    expect(meter).to_have_attribute("data-segments", "3")  # 193 characters, 67 a part
    advice = page.get_by_role("status").filter(has_text="Not in the GSM-7 alphabet")
    expect(advice).to_contain_text("🎉")
    console.check_page("template-new-ucs2")

    body.fill("Hi {{first_name|there}}, it\u2019s on \u2014 see you")
    expect(meter).to_have_attribute("data-encoding", "UCS-2")
    # Smart quotes alone: the editor offers the GSM-7 version, variables kept.
    page.get_by_role("button", name="Use the GSM-7 version").click()
    expect(body).to_have_value("Hi {{first_name|there}}, it's on - see you")
    expect(meter).to_have_attribute("data-encoding", "GSM-7")
    page.get_by_role("button", name="Create template").click()

    expect(page).to_have_url(re.compile(r"/templates/view/?\?id="))
    expect(page.get_by_role("heading", name="Welcome")).to_be_visible()
    expect(page.get_by_text("Version 1", exact=True).first).to_be_visible()

    # A changed body is version 2; version 1 can be loaded back into the editor.
    body = page.get_by_label("Message")
    body.fill("Hello {{first_name|friend}}! Reply STOP to opt out.")
    page.get_by_role("button", name="Save", exact=True).click()
    history = page.get_by_role("list", name="Versions, newest first")
    expect(history.get_by_role("listitem")).to_have_count(2)
    expect(history.get_by_role("listitem").first).to_contain_text("Current")
    console.check_page("template-versions")
    page.get_by_role("button", name="Load into editor (version 1)").click()
    expect(body).to_have_value("Hi {{first_name|there}}, it's on - see you")
    page.get_by_role("button", name="Discard changes").click()
    expect(body).to_have_value("Hello {{first_name|friend}}! Reply STOP to opt out.")

    # An unknown variable is flagged while typing.
    body.fill("Hi {{frist_name}}")
    expect(page.get_by_text(re.compile("frist_name")).first).to_be_visible()

    page.get_by_role("link", name="Templates", exact=True).first.click()
    row = page.get_by_role("row", name=re.compile("Welcome"))
    expect(row).to_contain_text("v2")
    console.check_page("templates-list")
