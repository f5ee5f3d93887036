"""Settings, end to end in Chromium: every section, with axe-core and screenshots.

Profile and password, workspace, members (an invitation accepted in a second browser),
API keys (the API refuses a revoked key), Twilio against the fake Twilio, the AI
configuration tried against the fake Anthropic, and the consent log with its CSV.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import expect

from tests.fakes import anthropic as claude
from tests.fakes.anthropic import FakeAnthropic
from tests.fakes.smtp import Mailbox
from tests.fakes.twilio import FakeTwilio
from tests.identity_helpers import PASSWORD, bearer, signup
from tests.messaging.helpers import new_phone
from tests.web.browser import Console

NEW_PASSWORD = "another-long-passphrase-42"


def _toast(page: Any, text: str) -> None:
    expect(page.get_by_text(text).first).to_be_visible()


def test_settings_opens_the_first_section_and_profile_changes(
    console: Console, api_client: httpx.Client
) -> None:
    account = signup(api_client, "profile")
    elsewhere = api_client.post(
        "/v1/auth/login", json={"email": account.email, "password": PASSWORD}
    ).json()
    page = console.log_in(account.email, PASSWORD, then="/settings")
    expect(page).to_have_url(re.compile(r"/settings/profile/?$"))
    expect(page.get_by_role("heading", level=1, name="Settings")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Profile")).to_be_visible()
    nav = page.get_by_role("navigation", name="Settings")
    for label in ("Profile", "Workspace", "Members", "API keys", "Twilio", "AI assistant"):
        expect(nav.get_by_role("link", name=label)).to_be_visible()
    expect(page.get_by_text("Not verified")).to_be_visible()
    expect(page.get_by_role("button", name="Resend verification email")).to_be_visible()
    console.check_page("profile")

    page.get_by_label("Name", exact=True).fill("Grace Hopper")
    page.get_by_role("button", name="Save name").click()
    _toast(page, "Name saved")
    assert api_client.get("/v1/me", headers=account.headers).json()["user"]["name"] == (
        "Grace Hopper"
    )

    # The API's refusal lands next to its field; what was typed stays.
    page.get_by_label("Current password").fill("not-my-password")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repeat the new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("This is not your current password.")).to_be_visible()
    expect(page.get_by_label("New password", exact=True)).to_have_value(NEW_PASSWORD)
    console.check_page("profile-password-error")

    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("Every other browser and device")).to_be_visible()
    console.check_page("profile-password-changed")
    # The other session is over; this one goes on.
    assert api_client.get("/v1/me", headers=bearer(elsewhere["access_token"])).status_code == 401
    page.reload()
    expect(page.get_by_role("heading", level=2, name="Profile")).to_be_visible()
    login = {"email": account.email, "password": NEW_PASSWORD}
    assert api_client.post("/v1/auth/login", json=login).status_code == 200


def test_workspace_settings(console: Console, api_client: httpx.Client) -> None:
    account = signup(api_client, "ws", workspace_name="Old name")
    page = console.log_in(account.email, PASSWORD, then="/settings/workspace")
    expect(page.get_by_label("Workspace name")).to_have_value("Old name")
    console.check_page("workspace")

    page.get_by_label("Workspace name").fill("Acme Dental")
    page.get_by_label("Time zone").fill("America/Chicago")
    page.get_by_label("Sending starts at").fill("09:30")
    page.get_by_label("Sending stops at").fill("20:00")
    page.get_by_label("Reply text").fill("Hi {first_name}")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("The only placeholder allowed is {name}.")).to_be_visible()
    console.check_page("workspace-error")

    page.get_by_label("Reply text").fill("{name}: call 555-0100. Reply STOP to opt out.")
    expect(page.get_by_text("Acme Dental: call 555-0100.")).to_be_visible()  # the preview
    page.get_by_role("button", name="Save changes").click()
    _toast(page, "Workspace settings saved")
    saved = api_client.get("/v1/workspace/settings", headers=account.headers).json()
    assert saved["name"] == "Acme Dental"
    assert saved["timezone"] == "America/Chicago"
    assert saved["quiet_hours"] == {"start": "09:30", "end": "20:00"}
    assert saved["help_reply"].startswith("{name}: call")
    expect(page.get_by_role("button", name=re.compile("^Workspace: Acme Dental"))).to_be_visible()


def test_members_invite_accepted_in_a_second_browser(
    console: Console,
    api_client: httpx.Client,
    mailbox: Mailbox,
    browser: Any,
    platform_url: str,
) -> None:
    owner = signup(api_client, "owner", workspace_name="Globex")
    invitee = signup(api_client, "invitee")
    page = console.log_in(owner.email, PASSWORD, then="/settings/members")
    expect(page.get_by_text("No invitation is waiting for an answer.")).to_be_visible()
    # The last owner is protected: no role to change, nothing to remove, and it says why.
    me_row = page.get_by_role("row", name=re.compile(owner.email))
    expect(me_row.get_by_text("The last owner")).to_be_visible()
    expect(me_row.get_by_role("button")).to_have_count(0)
    expect(page.get_by_text("A workspace always keeps an owner")).to_be_visible()
    console.check_page("members")

    page.get_by_label("Email address").fill("not-an-email")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Enter a valid email address.")).to_be_visible()
    page.get_by_label("Email address").fill(owner.email)
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("This person is already a member.")).to_be_visible()

    page.get_by_label("Email address").fill(invitee.email)
    page.get_by_label("Role").select_option("member")
    page.get_by_role("button", name="Send invitation").click()
    _toast(page, "Invitation sent")
    pending = page.get_by_role("table", name="Pending invitations")
    expect(pending.get_by_role("row", name=re.compile(invitee.email))).to_be_visible()
    first_link = mailbox.wait_for(invitee.email, "invited to Globex").link_token()
    page.get_by_role("button", name=f"Resend the invitation to {invitee.email}").click()
    _toast(page, "Invitation sent again")
    console.check_page("members-pending")

    # A second invitation, revoked.
    stranger = f"stranger-{uuid.uuid4().hex[:8]}@example.com"
    page.get_by_label("Email address").fill(stranger)
    page.get_by_role("button", name="Send invitation").click()
    page.get_by_role("button", name=f"Revoke the invitation to {stranger}").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("stops working")
    console.check_page("members-revoke-dialog", full_page=False)
    dialog.get_by_role("button", name="Revoke invitation").click()
    expect(pending.get_by_role("row", name=re.compile(stranger))).to_have_count(0)

    # The invitee opens the newest link in a browser of their own and joins.
    link = None
    for mail in reversed(mailbox.messages):
        if invitee.email in mail.to and "Globex" in mail.subject:
            link = mail.link_token()
            break
    assert link
    assert link != first_link  # resent: a new link
    other = Console.open(browser, platform_url, "settings-invitee")
    try:
        their_page = other.goto(f"/invitations/accept?token={link}")
        their_page.get_by_role("link", name="Log in to accept").click()
        their_page.get_by_label("Email").fill(invitee.email)
        their_page.get_by_label("Password").fill(PASSWORD)
        their_page.get_by_role("button", name="Log in").click()
        expect(their_page).to_have_url(re.compile(r"/invitations/accept"))
        their_page.get_by_role("button", name="Join the workspace").click()
        expect(their_page).to_have_url(re.compile(r"/dashboard/?$"))
        their_page.goto(other.url("/settings"))
        expect(their_page).to_have_url(re.compile(r"/settings/profile/?$"))
        nav = their_page.get_by_role("navigation", name="Settings")
        expect(nav.get_by_role("link")).to_have_count(2)  # a member: Profile and Members
        nav.get_by_role("link", name="Members").click()
        expect(their_page.get_by_role("heading", level=2, name="Members")).to_be_visible()
        expect(their_page.get_by_role("button", name="Send invitation")).to_have_count(0)
        other.check_page("members-as-member", page=their_page)
    finally:
        other.close()
    other.assert_clean()

    page.reload()
    row = page.get_by_role("row", name=re.compile(invitee.email))
    expect(row).to_be_visible()
    expect(page.get_by_role("table", name="Pending invitations")).to_have_count(0)
    role = row.get_by_label(re.compile("^Role of"))
    expect(role).to_have_value("member")
    role.select_option("admin")
    _toast(page, "is now admin")
    members = api_client.get("/v1/members", headers=owner.headers).json()["data"]
    assert {m["email"]: m["role"] for m in members}[invitee.email] == "admin"

    row.get_by_role("button", name=re.compile("^Remove")).click()
    page.get_by_role("alertdialog").get_by_role("button", name="Remove member").click()
    expect(page.get_by_role("row", name=re.compile(invitee.email))).to_have_count(0)

    page.set_viewport_size({"width": 390, "height": 844})
    console.check_page("members-phone")


def test_api_key_created_used_and_revoked(console: Console, api_client: httpx.Client) -> None:
    account = signup(api_client, "keys")
    page = console.log_in(account.email, PASSWORD, then="/settings/api-keys")
    console.context.grant_permissions(["clipboard-read", "clipboard-write"])
    expect(page.get_by_text("No API keys yet")).to_be_visible()
    console.check_page("api-keys-empty")

    # With the keyboard: focus the button, Enter opens the dialog, Enter submits.
    page.get_by_role("button", name="Create API key").focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Create an API key")
    expect(dialog.get_by_label("Name")).to_be_focused()
    page.keyboard.press("Enter")
    expect(dialog.get_by_text("Name the key (what uses it).")).to_be_visible()
    page.keyboard.type("CRM sync")
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")  # Member -> Admin in the native select
    page.keyboard.press("Tab")
    expect(dialog.get_by_role("button", name="Create key")).to_be_focused()
    page.keyboard.press("Enter")

    shown = page.get_by_role("dialog", name="Your new API key")
    expect(shown.get_by_text("only once")).to_be_visible()
    secret = shown.locator("#new-key-secret").inner_text().strip()
    assert secret.startswith("sk_live_")
    shown.get_by_role("button", name="Copy the API key").click()
    expect(shown.get_by_text("Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == secret
    console.check_page("api-keys-secret", full_page=False)
    shown.get_by_role("button", name="I have stored the key").click()

    row = page.get_by_role("row", name=re.compile("CRM sync"))
    expect(row).to_contain_text(secret[:16])
    expect(row).to_contain_text("Never")
    assert secret not in page.content()  # shown once: gone from the page
    console.check_page("api-keys-list")

    me = api_client.get("/v1/me", headers=bearer(secret))
    assert me.status_code == 200
    assert me.json()["role"] == "admin"

    row.get_by_role("button", name="Revoke the key CRM sync").click()
    confirm = page.get_by_role("alertdialog")
    expect(confirm).to_contain_text("refused from now on")
    expect(confirm.get_by_role("button", name="Cancel")).to_be_focused()
    confirm.get_by_role("button", name="Revoke key").click()
    _toast(page, "Key revoked")
    expect(page.get_by_text("No API keys yet")).to_be_visible()
    refused = api_client.get("/v1/me", headers=bearer(secret))
    assert refused.status_code == 401


def test_twilio_connect_against_the_fake(
    console: Console, api_client: httpx.Client, fake_twilio: FakeTwilio, platform_url: str
) -> None:
    account = signup(api_client, "twilio")
    sid, token = fake_twilio.add_account()
    page = console.log_in(account.email, PASSWORD, then="/settings/twilio")
    expect(page.get_by_text("No Twilio account is connected")).to_be_visible()
    console.check_page("twilio-not-connected")

    page.get_by_label("Account SID").fill("AC123")
    page.get_by_label("Auth Token").fill("secret")
    page.get_by_role("button", name="Connect Twilio").click()
    expect(page.get_by_text("AC followed by 32 hexadecimal characters")).to_be_visible()
    expect(page.get_by_text("An Auth Token is 32 hexadecimal characters.")).to_be_visible()

    # Well formed but refused by Twilio: the API's answer, next to the token.
    page.get_by_label("Account SID").fill(sid)
    page.get_by_label("Auth Token").fill("f" * 32)
    page.get_by_role("button", name="Connect Twilio").click()
    token_error = page.locator("#twilio-token-error")
    # The first check imports the Twilio SDK in the platform process: slow on a busy box.
    expect(token_error).to_be_visible(timeout=60_000)
    expect(page.get_by_label("Account SID")).to_have_value(sid)
    console.check_page("twilio-refused")

    page.get_by_label("Auth Token").fill(token)
    page.get_by_role("button", name="Connect Twilio").click()
    expect(page.get_by_text("Twilio connected").first).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Connected", exact=True)).to_be_visible()
    expect(page.get_by_text("•" * 28 + token[-4:])).to_be_visible()
    expect(page.locator("#twilio-inbound-url")).to_have_text(
        f"{platform_url}/webhooks/twilio/inbound"
    )
    expect(page.locator("#twilio-status-url")).to_have_text(
        f"{platform_url}/webhooks/twilio/status"
    )
    console.check_page("twilio-connected")

    page.get_by_role("button", name="Disconnect").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Disconnect").click()
    expect(page.get_by_text("No Twilio account is connected")).to_be_visible()
    assert api_client.get("/v1/twilio/config", headers=account.headers).status_code == 404


def test_ai_configuration_saved_and_tried(
    console: Console, api_client: httpx.Client, fake_anthropic: FakeAnthropic
) -> None:
    account = signup(api_client, "ai")
    marker = f"Ava-{uuid.uuid4().hex[:8]}"
    page = console.log_in(account.email, PASSWORD, then="/settings/ai")
    expect(page.get_by_text("Not configured yet")).to_be_visible()
    console.check_page("ai-defaults")

    page.get_by_label("AI replies are on").check()
    page.get_by_label("Mode", exact=True).select_option("suggest")
    page.get_by_label("Persona").fill(f"You are {marker}, the assistant of Acme Dental.")
    page.get_by_label("Business facts").fill("Open Mon-Fri 9-5. Cleaning costs $120.")
    page.get_by_role("button", name="Add a criterion").click()
    page.get_by_label("Field name").fill("Budget")  # invalid: capital letter
    page.get_by_label("Type").select_option("enum")
    page.get_by_label("Handoff", exact=False)
    page.get_by_label("…or a message contains any of these words").fill("lawyer, refund")
    page.get_by_label("Reply only at certain hours").check()
    page.get_by_label("Time zone of these hours").fill("America/New_York")
    page.get_by_label("Shortest delay (s)").fill("90")
    page.get_by_label("Longest delay (s)").fill("30")
    page.get_by_role("button", name="Save configuration").click()
    expect(page.get_by_text("Lowercase letters, digits and _")).to_be_visible()
    expect(page.get_by_text("List the allowed values.")).to_be_visible()
    expect(page.get_by_text("must not be shorter than the shortest")).to_be_visible()
    console.check_page("ai-errors")

    page.get_by_label("Field name").fill("plan")
    page.get_by_label("Allowed values").fill("basic, pro")
    page.get_by_label("Longest delay (s)").fill("120")
    page.get_by_role("button", name="Save configuration").click()
    _toast(page, "AI configuration saved")
    saved = api_client.get("/v1/ai/config", headers=account.headers).json()
    assert saved["enabled"] is True
    assert saved["mode"] == "suggest"
    assert marker in saved["persona"]
    assert saved["criteria"][0]["name"] == "plan"
    assert saved["criteria"][0]["options"] == ["basic", "pro"]
    assert saved["handoff_rules"]["keywords"] == ["lawyer", "refund"]
    assert saved["active_hours"]["timezone"] == "America/New_York"
    assert saved["reply_delay_max_seconds"] == 120

    # Try it, with an edit not saved yet: the draft shows, nothing is sent or stored.
    page.get_by_label("Business facts").fill("Open Mon-Fri 9-5. Cleaning costs $99 this month.")
    fake_anthropic.script(
        marker,
        claude.tool_reply(
            "A cleaning is $99 this month. Want me to book you in?",
            lead_stage="engaged",
            fields={"plan": "pro"},
            confidence=0.8,
        ),
    )
    page.get_by_label("A contact writes").fill("How much is a cleaning?")
    page.get_by_role("button", name="Try it").click()
    reply = page.get_by_test_id("ai-try-reply")
    # The first call imports the Anthropic SDK in the platform process: slow on a busy box.
    expect(reply).to_have_text(
        "A cleaning is $99 this month. Want me to book you in?", timeout=60_000
    )
    draft = page.get_by_role("region", name="Draft reply")
    expect(draft).to_contain_text("Lead stage: engaged")
    expect(draft).to_contain_text("pro")
    (call,) = fake_anthropic.calls(marker)
    assert "$99 this month" in call.system_text()
    assert "How much is a cleaning?" in call.message_text()
    console.check_page("ai-tried")


def test_compliance_keywords_consent_log_and_csv(
    console: Console, api_client: httpx.Client
) -> None:
    account = signup(api_client, "compliance")
    phones = [new_phone() for _ in range(3)]
    for phone in phones:
        contact = api_client.post(
            "/v1/contacts", json={"phone": phone}, headers=account.headers
        ).json()
        api_client.post(
            f"/v1/contacts/{contact['id']}/opt-out",
            json={"reason": "Asked by phone"},
            headers=account.headers,
        ).raise_for_status()
    api_client.post(
        f"/v1/contacts/{contact['id']}/opt-in", headers=account.headers
    ).raise_for_status()

    page = console.log_in(account.email, PASSWORD, then="/settings/compliance")
    expect(page.get_by_text("STOP", exact=True)).to_be_visible()
    expect(page.get_by_text("START", exact=True)).to_be_visible()
    table = page.get_by_role("table", name="Consent events")
    expect(table.get_by_role("row")).to_have_count(5)  # header + 4 events
    expect(table.get_by_text("Asked by phone").first).to_be_visible()
    console.check_page("compliance")

    page.get_by_label("Kind").select_option("opt_in")
    expect(page).to_have_url(re.compile(r"\?kind=opt_in"))
    expect(table.get_by_role("row")).to_have_count(2)
    page.reload()  # the filter lives in the URL
    expect(page.get_by_label("Kind")).to_have_value("opt_in")
    expect(page.get_by_role("table", name="Consent events").get_by_role("row")).to_have_count(2)

    page.get_by_label("Kind").select_option("")
    with page.expect_download() as download:
        page.get_by_role("button", name="Export CSV").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert len(rows) == 4
    assert {r["phone"] for r in rows} == set(phones)
    assert rows[0]["kind"] == "opt_in"
