"""Invitation from the email, the workspace switcher, and what a member is shown."""

from __future__ import annotations

import re
import uuid

import httpx
from playwright.sync_api import expect

from tests.fakes.smtp import Mailbox
from tests.identity_helpers import PASSWORD, signup
from tests.web.browser import Console


def test_an_invited_member_joins_and_switches_workspaces(
    console: Console, api_client: httpx.Client, mailbox: Mailbox
) -> None:
    owner = signup(api_client, "owner", workspace_name="Northwind Traders")
    email = f"member-{uuid.uuid4().hex[:8]}@example.com"
    invited = api_client.post(
        "/v1/members/invitations", json={"email": email, "role": "member"}, headers=owner.headers
    )
    assert invited.status_code == 201, invited.text
    mail = mailbox.wait_for(email, "You are invited to Northwind Traders")
    link = re.search(r"https?://\S+", mail.body)
    assert link
    assert link.group(0).startswith(console.base + "/invitations/accept?token=")

    page = console.page
    page.goto(link.group(0))
    console.check_page("invitation-signed-out")
    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("Your name").fill("Mia Member")
    page.get_by_label("Work email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Workspace name").fill("Mia's own")
    page.get_by_role("button", name="Create account").click()

    # Back on the invitation, signed in: join.
    expect(page).to_have_url(re.compile(r"/invitations/accept"))
    expect(page.get_by_text(f"You are signed in as {email}")).to_be_visible()
    console.check_page("invitation-signed-in")
    page.get_by_role("button", name="Join the workspace").click()
    expect(page).to_have_url(re.compile(r"/dashboard/?$"))
    switcher = page.get_by_role("button", name=re.compile("^Workspace: Northwind Traders"))
    expect(switcher).to_be_visible()
    expect(switcher).to_contain_text("Member")
    # A member is not offered what only admins may do.
    number_step = page.locator("[data-step=number]")
    expect(number_step.get_by_text("Ask an admin")).to_be_visible()
    expect(page.locator("[data-step=contacts]").get_by_role("link")).to_be_visible()
    console.check_page("dashboard-member")

    switcher.click()
    menu = page.get_by_role("menu")
    expect(menu.get_by_role("menuitem")).to_have_count(2)
    console.check_page("workspace-switcher", full_page=False)
    menu.get_by_role("menuitem", name=re.compile("Mia's own")).click()
    own = page.get_by_role("button", name=re.compile("^Workspace: Mia's own"))
    expect(own).to_contain_text("Owner")
    expect(page.locator("[data-step=number]").get_by_role("link")).to_be_visible()
    page.reload()  # the switch rotated the session cookie to the other workspace
    expect(own).to_be_visible()


def test_log_in_lands_where_it_was_asked(console: Console, api_client: httpx.Client) -> None:
    account = signup(api_client, "lander")
    page = console.log_in(account.email, PASSWORD, then="/docs")
    assert page.url.endswith("/docs") or page.url.endswith("/docs/")
