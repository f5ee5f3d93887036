"""Numbers and pools: buy 3 numbers (the simulator), pause / rate / release one, import the
account's numbers, and make a pool of them, with the keyboard where a person would use it."""

from __future__ import annotations

import re
import uuid

import httpx
from playwright.sync_api import expect
from sqlalchemy import select, update

from shared.db.session import system_session, tenant_session
from shared.messaging.models import PhoneNumber
from shared.providers.simulator import SimulatorProvider
from tests.identity_helpers import PASSWORD, signup
from tests.web.browser import Console


def _row(page: object, phone_text: str) -> object:
    return page.get_by_role("row").filter(has_text=phone_text)  # type: ignore[attr-defined]


def test_buy_numbers_manage_them_and_make_a_pool(
    console: Console, api_client: httpx.Client
) -> None:
    owner = signup(api_client, "numbers")
    page = console.log_in(owner.email, PASSWORD, then="/numbers")
    expect(page.get_by_role("heading", name="Numbers", exact=True)).to_be_visible()
    expect(page.get_by_text("No number yet")).to_be_visible()
    console.check_page("numbers-empty")

    # Search and buy three numbers in one dialog; a bad area code is refused inline.
    page.get_by_role("button", name="Buy numbers").click()
    dialog = page.get_by_role("dialog", name="Buy numbers")
    dialog.get_by_label("Area code").fill("41")
    dialog.get_by_role("button", name="Search").click()
    expect(dialog.locator("#area_code-error")).to_have_text("Three digits, e.g. 415.")
    dialog.get_by_label("Area code").fill("212")
    dialog.get_by_role("button", name="Search").click()
    buy = dialog.get_by_role("button", name=re.compile(r"^Buy \+1 \(212\)"))
    expect(buy.first).to_be_visible()
    for i in range(3):
        buy.first.click()
        expect(dialog.locator("[data-bought]")).to_have_count(i + 1)
    console.check_page("numbers-buy", full_page=False)
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    rows = page.get_by_role("table", name="Numbers").locator("tbody tr")
    expect(rows).to_have_count(3)
    phones = [rows.nth(i).locator("td").first.locator("span").first.inner_text() for i in range(3)]
    table = page.get_by_role("table", name="Numbers")
    expect(table.get_by_text("Healthy")).to_have_count(3)

    # Pause the first with the keyboard: the actions menu, arrows, Enter.
    page.get_by_role("button", name=f"Actions for {phones[0]}").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("menuitem", name="Pause")).to_be_focused()
    page.keyboard.press("Enter")
    first = _row(page, phones[0])
    expect(first.get_by_text("Paused", exact=True)).to_be_visible()  # type: ignore[attr-defined]
    expect(first.get_by_text("paused by a user")).to_be_visible()  # type: ignore[attr-defined]
    console.check_page("numbers-paused")

    # Its rate: the limits of the API, checked as typed; then saved.
    page.get_by_role("button", name=f"Actions for {phones[1]}").click()
    page.get_by_role("menuitem", name="Change rate").click()
    rate = page.get_by_role("dialog")
    rate.get_by_label("Messages per second").fill("0")
    rate.get_by_role("button", name="Save rate").click()
    expect(rate.locator("#mps-error")).to_have_text("More than 0.")
    rate.get_by_label("Messages per second").fill("4.5")
    rate.get_by_role("button", name="Save rate").click()
    expect(rate).to_be_hidden()
    expect(_row(page, phones[1]).get_by_text("4.5 / s")).to_be_visible()  # type: ignore[attr-defined]

    # Release asks first; Cancel has the focus, so Enter does not release by accident.
    page.get_by_role("button", name=f"Actions for {phones[2]}").click()
    page.get_by_role("menuitem", name="Release").click()
    confirm = page.get_by_role("alertdialog")
    expect(confirm).to_contain_text("goes back to the provider")
    expect(confirm.get_by_role("button", name="Cancel")).to_be_focused()
    console.check_page("numbers-release-confirm", full_page=False)
    confirm.get_by_role("button", name="Release number").click()
    expect(confirm).to_be_hidden()
    expect(rows).to_have_count(2)  # released numbers are listed only when asked for

    # The filter lives in the URL.
    page.get_by_label("Show").select_option("released")
    expect(rows).to_have_count(1)
    expect(_row(page, phones[2]).get_by_text("Released", exact=True)).to_be_visible()  # type: ignore[attr-defined]
    page.get_by_label("Show").select_option("paused")
    expect(page).to_have_url(re.compile(r"status=paused"))
    expect(rows).to_have_count(1)
    page.reload()
    expect(page.get_by_label("Show")).to_have_value("paused")
    page.get_by_label("Show").select_option("")

    # The simulator stands in for the Twilio account: its two numbers come in, once. (They
    # are picked by the workspace's id; a workspace of an earlier test may hold one by
    # chance, and a number live elsewhere is skipped: it is freed first.)
    own = [n.phone_number for n in SimulatorProvider(owner.workspace_id).list_numbers()]
    with system_session() as s:
        s.execute(
            update(PhoneNumber)
            .where(PhoneNumber.phone_number.in_(own), PhoneNumber.status != "released")
            .values(status="released")
        )
    page.get_by_role("button", name="Import from Twilio").click()
    expect(page.get_by_text("2 imported, 0 already here", exact=True)).to_be_visible()
    expect(rows).to_have_count(4)

    # A number its health paused shows why, and can be resumed.
    with tenant_session(uuid.UUID(owner.workspace_id)) as s:
        imported = s.scalars(
            select(PhoneNumber)
            .where(PhoneNumber.status == "active")
            .order_by(PhoneNumber.created_at.desc())  # one of the two just imported
        ).first()
        assert imported is not None
        imported.status = "failing"
        imported.status_reason = "8 of 20 messages failed in the last 15 minutes"
    page.get_by_label("Show").select_option("failing")
    failing = rows.first
    expect(rows).to_have_count(1)
    expect(failing.get_by_text("Paused by health")).to_be_visible()
    expect(failing.get_by_text("8 of 20 messages failed in the last 15 minutes")).to_be_visible()
    console.check_page("numbers-failing")
    failing.get_by_role("button", name=re.compile("^Actions for")).click()
    page.get_by_role("menuitem", name="Resume").click()
    expect(page.get_by_text("No failing number")).to_be_visible()
    page.get_by_label("Show").select_option("")

    # A pool of the two healthy bought numbers and one imported number.
    page.get_by_role("tab", name="Pools").click()
    expect(page).to_have_url(re.compile(r"tab=pools"))
    expect(page.get_by_text("No pool yet")).to_be_visible()
    page.get_by_role("button", name="New pool").click()
    editor = page.get_by_role("dialog", name="New pool")
    editor.get_by_role("button", name="Create pool").click()
    expect(editor.locator("#pool-name-error")).to_have_text("Give the pool a name.")
    editor.get_by_label("Name").fill("Main pool")
    editor.get_by_label(phones[0]).check()
    editor.get_by_label(phones[1]).check()
    expect(editor.get_by_label(phones[2])).to_have_count(0)  # released: not offered
    console.check_page("pool-editor", full_page=False)
    editor.get_by_role("button", name="Create pool").click()
    expect(editor).to_be_hidden()
    card = page.locator("[data-pool='Main pool']")
    expect(card).to_contain_text("2 numbers")
    expect(card).to_contain_text("4.5 messages / s")  # the paused one adds nothing
    expect(card.get_by_role("list").get_by_role("listitem")).to_have_count(2)
    console.check_page("pools")

    # Edit: take one out.
    card.get_by_role("button", name="Edit Main pool").click()
    editor = page.get_by_role("dialog", name="Edit Main pool")
    editor.get_by_label(phones[0]).uncheck()
    editor.get_by_role("button", name="Save pool").click()
    expect(card).to_contain_text("1 number ")
    pools = api_client.get("/v1/number-pools", headers=owner.headers).json()["data"]
    assert [len(p["number_ids"]) for p in pools] == [1]

    # Delete, after a confirmation.
    card.get_by_role("button", name="Delete Main pool").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Delete pool").click()
    expect(page.get_by_text("No pool yet")).to_be_visible()
