"""/docs: the OpenAPI document rendered by Scalar, bundled with the console."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import expect

from tests.identity_helpers import PASSWORD, signup
from tests.web.browser import Console


def test_the_api_reference_renders_the_document_without_leaving_the_machine(
    console: Console, api_client: httpx.Client
) -> None:
    account = signup(api_client, "docs")
    page = console.goto("/login")
    page.get_by_label("Email").fill(account.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/dashboard/?$"))
    page.get_by_role("link", name="API reference").first.click()
    expect(page).to_have_url(re.compile(r"/docs/?"))
    expect(page.get_by_role("heading", name="SMS Platform API")).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("docs-session")).to_contain_text(account.email)
    page.wait_for_load_state("networkidle")
    console.check_page("docs")

    # "Test request" runs with the signed-in session (the console's client adds the token).
    console.goto("/docs#tag/workspaces/GET/v1/me")
    page.get_by_role("button", name="Test Request").first.click()
    page.get_by_role("button", name="Send Request").click()
    expect(page.get_by_text("200 OK")).to_be_visible()
    expect(page.get_by_text(f'"{account.email}"').first).to_be_visible()
    console.screenshot("docs-test-request", full_page=False)
