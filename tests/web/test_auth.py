"""Journeys of the signed-out pages and the browser session (cookie, reload, logout, reuse)."""

from __future__ import annotations

import re
import uuid

import httpx
from playwright.sync_api import expect

from tests.fakes.smtp import Mailbox
from tests.identity_helpers import PASSWORD, signup
from tests.web.browser import Console

COOKIE = "smsplat_refresh"


def _log_in(console: Console, email: str, password: str = PASSWORD) -> None:
    page = console.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/dashboard/?$"))
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()


def test_a_refused_login_shows_the_error_next_to_the_field(
    console: Console, api_client: httpx.Client
) -> None:
    account = signup(api_client, "refused")
    page = console.goto("/login")
    console.check_page("login")
    page.get_by_label("Email").fill(account.email)
    page.get_by_label("Password").fill("not-the-password-1")
    page.get_by_role("button", name="Log in").click()
    password = page.get_by_label("Password")
    expect(password).to_have_attribute("aria-invalid", "true")
    error = page.locator("#password-error")
    expect(error).to_have_text("Wrong email or password.")
    assert password.get_attribute("aria-describedby") == "password-error"
    expect(page.get_by_label("Email")).to_have_value(account.email)  # nothing typed is lost
    console.check_page("login-refused")
    # The client checks what it can before asking: an empty password never leaves the page.
    password.fill("")
    page.get_by_role("button", name="Log in").click()
    expect(error).to_have_text("Enter your password.")


def test_login_survives_reload_and_logout_ends_it_in_every_tab(
    console: Console, api_client: httpx.Client
) -> None:
    account = signup(api_client, "session")
    _log_in(console, account.email)
    cookie = next(c for c in console.context.cookies() if c["name"] == COOKIE)
    assert cookie["httpOnly"]
    assert cookie["sameSite"] == "Strict"
    assert cookie["path"] == "/v1/auth"
    assert console.page.evaluate("document.cookie") == ""  # scripts never see the session

    console.page.reload()  # the access token was in memory only: restored from the cookie
    expect(console.page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(console.page).to_have_url(re.compile(r"/dashboard/?$"))

    other = console.new_tab()
    console.goto("/dashboard", other)
    expect(other.get_by_role("heading", name="Dashboard")).to_be_visible()

    console.page.get_by_role("button", name=re.compile("^Account")).click()
    console.page.get_by_role("menuitem", name="Log out").click()
    expect(console.page).to_have_url(re.compile(r"/login/?$"))
    expect(other).to_have_url(re.compile(r"/login"))  # told by the first tab
    assert not [c for c in console.context.cookies() if c["name"] == COOKIE]

    console.goto("/dashboard")  # a protected page sends to login and back afterwards
    expect(console.page).to_have_url(re.compile(r"/login/?\?next=%2Fdashboard"))
    console.page.get_by_label("Email").fill(account.email)
    console.page.get_by_label("Password").fill(PASSWORD)
    console.page.get_by_role("button", name="Log in").click()
    expect(console.page).to_have_url(re.compile(r"/dashboard/?$"))


def test_a_reused_refresh_token_logs_the_browser_out(
    console: Console, api_client: httpx.Client, platform_url: str
) -> None:
    account = signup(api_client, "stolen")
    _log_in(console, account.email)
    cookie = next(c for c in console.context.cookies() if c["name"] == COOKIE)
    # Someone with a copy of the cookie uses it first; the browser's copy is now spent.
    thief = httpx.post(
        f"{platform_url}/v1/auth/refresh",
        json={"refresh_token": cookie["value"]},
        timeout=10,
    )
    assert thief.status_code == 200
    console.page.reload()
    expect(console.page).to_have_url(re.compile(r"/login"))
    # The API revoked the whole session: the thief's new token is dead too.
    assert (
        httpx.post(
            f"{platform_url}/v1/auth/refresh",
            json={"refresh_token": thief.json()["refresh_token"]},
            timeout=10,
        ).status_code
        == 401
    )


def test_forgot_and_reset_password(
    console: Console, api_client: httpx.Client, mailbox: Mailbox
) -> None:
    account = signup(api_client, "forgot")
    page = console.goto("/forgot-password")
    console.check_page("forgot-password")
    page.get_by_label("Email").fill(account.email)
    page.get_by_role("button", name="Email me a reset link").click()
    expect(page.get_by_text("a reset link is on its way")).to_be_visible()

    mail = mailbox.wait_for(account.email, "Reset your password")
    link = re.search(r"https?://\S+", mail.body)
    assert link
    assert "/reset-password?token=" in link.group(0)
    page.goto(link.group(0))
    console.check_page("reset-password")
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("Repeat the new password").fill("short")
    page.get_by_role("button", name="Set new password").click()
    expect(page.locator("#password-error")).to_contain_text("at least 10 characters")
    new_password = f"new-{uuid.uuid4().hex[:12]}"
    page.get_by_label("New password", exact=True).fill(new_password)
    page.get_by_label("Repeat the new password").fill(new_password)
    page.get_by_role("button", name="Set new password").click()
    expect(page.get_by_text("Your password has been changed")).to_be_visible()
    page.get_by_role("link", name="Log in").click()
    _log_in(console, account.email, new_password)
