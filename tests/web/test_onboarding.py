"""The first journey: sign up -> verify the email (from the mail) -> onboarding -> dashboard.

This file is also the example for page tests: drive the page as a person does (labels and
roles, not CSS), set up what other pages do not make yet over the API, and call
`console.check_page` on every state worth seeing (axe-core + a screenshot).
"""

from __future__ import annotations

import re
import time
import uuid

import httpx
from playwright.sync_api import expect

from tests.fakes.smtp import Mailbox
from tests.identity_helpers import PASSWORD, bearer
from tests.web.browser import Console


def _steps_done(page: object) -> list[str]:
    items = page.locator("[data-step][data-done=true]")  # type: ignore[attr-defined]
    return [items.nth(i).get_attribute("data-step") for i in range(items.count())]


def test_signup_verify_onboarding_dashboard(
    console: Console, api_client: httpx.Client, mailbox: Mailbox
) -> None:
    email = f"new-{uuid.uuid4().hex[:8]}@example.com"
    page = console.goto("/signup")
    console.check_page("signup")

    # The API's answer is shown next to its field (a taken email), and nothing is lost.
    taken = api_client.post(
        "/v1/auth/signup",
        json={
            "email": email.upper(),
            "password": "someone-elses-password-7",
            "name": "X",
            "workspace_name": "X",
        },
    )
    assert taken.status_code == 202  # the same answer as for a new address
    page.get_by_label("Your name").fill("Ada Lovelace")
    page.get_by_label("Work email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Workspace name").fill("Analytical Engines")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("#email-error")).to_contain_text("This email already has an account")
    expect(page.get_by_label("Workspace name")).to_have_value("Analytical Engines")

    email = f"ada-{uuid.uuid4().hex[:8]}@example.com"
    page.get_by_label("Work email").fill(email)
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(re.compile(r"/dashboard/?$"))
    expect(
        page.get_by_role("button", name=re.compile("Workspace: Analytical Engines"))
    ).to_be_visible()
    expect(page.get_by_text("Confirm your email address")).to_be_visible()
    checklist = page.get_by_role("region", name="Get set up")
    expect(checklist).to_be_visible()
    assert _steps_done(page) == ["provider"]  # the simulator stands in for Twilio
    console.check_page("onboarding")

    # The emailed link opens the console, which confirms the address.
    mail = mailbox.wait_for(email, "Confirm your email address")
    link = re.search(r"https?://\S+", mail.body)
    assert link
    assert link.group(0).startswith(console.base + "/verify-email?token=")
    page.goto(link.group(0))
    expect(page.get_by_text("Your email address is verified.")).to_be_visible()
    console.check_page("verify-email")
    page.get_by_role("link", name="Continue to your dashboard").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.get_by_text("Confirm your email address")).to_have_count(0)

    # Steps tick themselves from real data: a number and a contact, made over the API.
    token = api_client.post("/v1/auth/login", json={"email": email, "password": PASSWORD}).json()[
        "access_token"
    ]
    headers = bearer(token)
    available = api_client.get("/v1/numbers/available?area_code=555", headers=headers).json()
    number = api_client.post(
        "/v1/numbers/purchase",
        json={"phone_number": available["data"][0]["phone_number"]},
        headers=headers,
    )
    assert number.status_code == 201, number.text
    contact = api_client.post("/v1/contacts", json={"phone": "+14155550142"}, headers=headers)
    assert contact.status_code == 201, contact.text
    page.reload()
    expect(page.locator("[data-step=contacts][data-done=true]")).to_be_visible()
    assert _steps_done(page) == ["provider", "number", "contacts"]

    # A message through the simulator shows on the dashboard once delivered.
    sent = api_client.post(
        "/v1/messages", json={"to": "+14155550142", "body": "Hello from the test"}, headers=headers
    )
    assert sent.status_code == 201, sent.text
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        got = api_client.get(f"/v1/messages/{sent.json()['id']}", headers=headers).json()
        if got["status"] == "delivered":
            break
        time.sleep(0.2)
    page.get_by_role("radio", name="24 h").click()
    expect(page).to_have_url(re.compile(r"range=24h"))
    delivered = (
        page.locator("dt", has_text=re.compile("^Delivered$")).locator("xpath=..").locator("dd")
    )
    expect(delivered.first).to_have_text("1")
    expect(page.get_by_text("100.0%")).to_be_visible()
    expect(page.locator(".recharts-area").first).to_be_visible()
    page.reload()  # the range lives in the URL
    expect(page.get_by_role("radio", name="24 h")).to_have_attribute("aria-checked", "true")
    console.check_page("dashboard")

    # The checklist can be put away; it stays away for this workspace.
    page.get_by_role("button", name="Hide the checklist").click()
    expect(checklist).to_have_count(0)
    page.reload()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(checklist).to_have_count(0)


def test_small_screens_get_the_menu_in_a_sheet(console: Console, api_client: httpx.Client) -> None:
    email = f"phone-{uuid.uuid4().hex[:8]}@example.com"
    api_client.post(
        "/v1/auth/signup",
        json={"email": email, "password": PASSWORD, "name": "Pat", "workspace_name": "Pocket"},
    )
    page = console.page
    page.set_viewport_size({"width": 390, "height": 844})
    console.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    console.check_page("dashboard-phone")
    page.get_by_role("button", name="Open menu").click()
    menu = page.get_by_role("dialog", name="Menu")
    expect(menu.get_by_role("link", name="Dashboard")).to_have_attribute("aria-current", "page")
    console.check_page("menu-phone", full_page=False)
    page.keyboard.press("Escape")
    expect(menu).to_have_count(0)
