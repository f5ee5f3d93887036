"""Contacts: the list (server pages, search, filters and columns in the URL, bulk actions),
create and edit with the phone checked inline, the detail page (fields, tags, consent
history, messages), the CSV import with bad rows and its error report, and segments built
with the rule builder and their live count."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import expect

from tests.identity_helpers import PASSWORD, Account, signup
from tests.web.browser import Console


def _contact(api: httpx.Client, owner: Account, **body: Any) -> dict[str, Any]:
    r = api.post("/v1/contacts", json=body, headers=owner.headers)
    assert r.status_code == 201, r.text
    return dict(r.json())


def _rows(page: Any) -> Any:
    return page.get_by_role("table", name="Contacts").locator("tbody tr")


def test_contacts_list_filters_bulk_create_and_detail(
    console: Console, api_client: httpx.Client
) -> None:
    owner = signup(api_client, "contacts")
    ada = _contact(
        api_client,
        owner,
        phone="+14155550101",
        first_name="Ada",
        last_name="Lovelace",
        email="ada@example.com",
        tags=["vip"],
        fields={"favorite_color": "teal", "score": 9},
    )
    _contact(api_client, owner, phone="+14155550102", first_name="Bo", tags=["vip", "newsletter"])
    carl = _contact(api_client, owner, phone="+14155550103", first_name="Carl")
    api_client.post(f"/v1/contacts/{carl['id']}/opt-out", json={}, headers=owner.headers)

    page = console.log_in(owner.email, PASSWORD, then="/contacts")
    expect(_rows(page)).to_have_count(3)
    expect(page.get_by_role("row").filter(has_text="Carl").get_by_text("Opted out")).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Contacts"))
    console.check_page("contacts")

    # Search, filters and columns live in the URL and survive a reload.
    page.get_by_label("Search contacts").fill("lovelace")
    expect(page).to_have_url(re.compile(r"q=lovelace"))
    expect(_rows(page)).to_have_count(1)
    page.get_by_label("Search contacts").fill("")
    expect(_rows(page)).to_have_count(3)
    page.get_by_label("Tag", exact=True).select_option("vip")
    expect(page).to_have_url(re.compile(r"tag=vip"))
    expect(_rows(page)).to_have_count(2)
    page.get_by_role("button", name="Columns").click()
    page.get_by_role("menuitemcheckbox", name="favorite_color").click()
    page.keyboard.press("Escape")
    expect(page).to_have_url(re.compile(r"cols=favorite_color"))
    page.reload()
    expect(page.get_by_label("Tag", exact=True)).to_have_value("vip")
    expect(page.get_by_role("columnheader", name="favorite_color")).to_be_visible()
    expect(page.get_by_role("cell", name="teal")).to_be_visible()
    page.get_by_label("Tag", exact=True).select_option("")
    page.get_by_label("Consent", exact=True).select_option("true")
    expect(_rows(page)).to_have_count(1)
    expect(_rows(page).first).to_contain_text("Carl")
    page.get_by_label("Consent", exact=True).select_option("")
    expect(_rows(page)).to_have_count(3)

    # Bulk actions on selected rows; the checkboxes work with the keyboard (Space).
    page.get_by_role("checkbox", name="Select Ada Lovelace").focus()
    page.keyboard.press("Space")
    page.get_by_role("checkbox", name="Select Bo").click()
    bulk = page.get_by_role("region", name="Bulk actions")
    expect(bulk).to_contain_text("2 selected")
    bulk.get_by_role("button", name="Tag", exact=True).click()
    dialog = page.get_by_role("dialog", name="Tag 2 contacts")
    dialog.get_by_role("button", name="Add tags").click()
    expect(dialog.locator("#bulk-tags-error")).to_have_text("Enter at least one tag.")
    dialog.get_by_label("Tags").fill("Spring Fair")
    console.check_page("contacts-bulk-tag", full_page=False)
    dialog.get_by_role("button", name="Add tags").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("row").filter(has_text="Bo").get_by_text("spring fair")).to_be_visible()
    tags = api_client.get("/v1/tags", headers=owner.headers).json()["data"]
    assert {"tag": "spring fair", "contacts": 2} in tags

    page.get_by_role("checkbox", name="Select Carl").click()
    page.get_by_role("region", name="Bulk actions").get_by_role("button", name="Delete").click()
    confirm = page.get_by_role("alertdialog")
    expect(confirm.get_by_role("button", name="Cancel")).to_be_focused()
    confirm.get_by_role("button", name="Delete 1 contact").click()
    expect(_rows(page)).to_have_count(2)

    # Create: the phone is checked as typed; the API's refusal lands next to the field.
    page.get_by_role("button", name="New contact").click()
    form = page.get_by_role("dialog", name="New contact")
    form.get_by_label("Phone").fill("+0415")
    form.get_by_label("First name").click()
    expect(form.locator("#contact-phone-error")).to_contain_text("E.164")
    form.get_by_label("Phone").fill("+1 (415) 555-0101")  # Ada's number
    form.get_by_label("First name").fill("Dora")
    form.get_by_role("button", name="Create contact").click()
    expect(form.locator("#contact-phone-error")).to_have_text(
        "A contact with this phone number exists."
    )
    expect(form.get_by_label("First name")).to_have_value("Dora")
    console.check_page("contact-create-error", full_page=False)
    form.get_by_label("Phone").fill("+14155550199")
    form.get_by_label("Tags").fill("new, VIP")
    form.get_by_role("button", name="Add a field").click()
    form.get_by_label("Field 1 name").fill("city")
    form.get_by_label("Field 1 value").fill("Paris")
    form.get_by_role("button", name="Create contact").click()
    expect(page).to_have_url(re.compile(r"/contacts/view/?\?id="))
    expect(page.get_by_role("heading", name="Dora")).to_be_visible()
    expect(page.get_by_text("+14155550199")).to_be_visible()
    expect(page.get_by_role("list", name="Tags of this contact")).to_contain_text("vip")

    # The detail of Ada: fields, messages with her, consent history.
    available = api_client.get(
        "/v1/numbers/available", params={"area_code": "310"}, headers=owner.headers
    ).json()["data"]
    bought = api_client.post(
        "/v1/numbers/purchase",
        json={"phone_number": available[0]["phone_number"]},
        headers=owner.headers,
    )
    assert bought.status_code == 201, bought.text
    sent = api_client.post(
        "/v1/messages", json={"to": ada["phone"], "body": "Hello Ada"}, headers=owner.headers
    )
    assert sent.status_code == 201, sent.text
    page.goto(console.url(f"/contacts/view?id={ada['id']}"))
    expect(page.get_by_role("heading", name="Ada Lovelace")).to_be_visible()
    expect(page.get_by_text("teal")).to_be_visible()
    messages = page.get_by_role("list", name="Messages with this contact")
    expect(messages).to_contain_text("Hello Ada")
    page.get_by_role("button", name="Opt out").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Opt out").click()
    history = page.get_by_role("list", name="Consent history")
    expect(history).to_contain_text("Opted out · Console or API")
    expect(history).to_contain_text("from the console")
    expect(page.get_by_text("Opted out", exact=True).first).to_be_visible()
    page.get_by_role("button", name="Opt back in").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Opt back in").click()
    expect(history.get_by_role("listitem")).to_have_count(2)
    console.check_page("contact-detail")

    # Edit keeps the E.164 rule and saves fields and tags.
    page.get_by_role("button", name="Edit").click()
    edit = page.get_by_role("dialog", name="Edit contact")
    edit.get_by_label("Phone").fill("not a phone")
    edit.get_by_role("button", name="Save contact").click()
    expect(edit.locator("#contact-phone-error")).to_be_visible()
    edit.get_by_label("Phone").fill("+14155550101")
    edit.get_by_label("First name").fill("Augusta Ada")
    edit.get_by_label("Tags").fill("vip, mathematician")
    edit.get_by_role("button", name="Save contact").click()
    expect(edit).to_be_hidden()
    expect(page.get_by_role("heading", name="Augusta Ada Lovelace")).to_be_visible()
    got = api_client.get(f"/v1/contacts/{ada['id']}", headers=owner.headers).json()
    assert sorted(got["tags"]) == ["mathematician", "vip"]  # "spring fair" taken off

    # The phone width: the list scrolls sideways inside its card, not the page.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(console.url("/contacts"))
    expect(_rows(page)).to_have_count(3)
    console.check_page("contacts-phone")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def test_import_a_csv_with_bad_rows_and_download_the_error_report(
    console: Console, api_client: httpx.Client, tmp_path: Path
) -> None:
    owner = signup(api_client, "importer")
    path = tmp_path / "fair.csv"
    path.write_bytes(
        _csv(
            [
                ["Mobile", "First Name", "Last Name", "Favorite Color", "Notes"],
                ["+14155550111", "Ada", "Lovelace", "teal", "met at the fair"],
                ["not a number", "Bad", "Row", "red", ""],
                ["(415) 555-0112", "Bo", "Diddley", "blue", ""],
                ["", "No", "Phone", "", ""],
                ["+14155550113", "Cy", "Young", "green", "x"],
            ]
        )
    )
    page = console.log_in(owner.email, PASSWORD, then="/contacts/import")
    expect(page.get_by_role("heading", name="Import contacts")).to_be_visible()
    console.check_page("import-pick")
    page.get_by_label("CSV file").set_input_files(str(path))

    columns = page.get_by_role("table", name="Columns of the file")
    expect(columns.locator("tbody tr")).to_have_count(5)
    expect(columns).to_contain_text("met at the fair")  # the preview of the first rows
    expect(page.get_by_label("Import Mobile as")).to_have_value("phone")
    expect(page.get_by_label("Import First Name as")).to_have_value("first_name")
    expect(page.get_by_label("Import Favorite Color as")).to_have_value("custom")
    expect(page.get_by_label("Custom field name for Favorite Color")).to_have_value(
        "favorite_color"
    )
    # No phone column: refused before anything is sent.
    page.get_by_label("Import Mobile as").select_option("ignore")
    page.get_by_role("button", name="Start import").click()
    expect(page.get_by_text("Choose the column that holds the phone numbers.")).to_be_visible()
    page.get_by_label("Import Mobile as").select_option("phone")
    page.get_by_label("Import Notes as").select_option("ignore")
    page.get_by_label("Tag every imported contact").fill("fair-2026")
    console.check_page("import-mapping")
    page.get_by_role("button", name="Start import").click()

    expect(page).to_have_url(re.compile(r"/contacts/import/?\?id="), timeout=30_000)
    expect(page.get_by_text("Done.")).to_be_visible(timeout=60_000)
    counts = page.get_by_role("definition")
    rows = page.locator("dl[aria-label=Rows]")
    expect(rows).to_contain_text("Rows read5")
    expect(rows).to_contain_text("Imported3")
    expect(rows).to_contain_text("Rejected2")
    assert counts.count() >= 4
    console.check_page("import-done")

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download the error report").click()
    download = download_info.value
    assert download.suggested_filename == "fair-errors.csv"
    report = list(csv.DictReader(io.StringIO(Path(download.path()).read_text())))
    assert [r["row"] for r in report] == ["3", "5"], report

    contacts = api_client.get("/v1/contacts", headers=owner.headers).json()["data"]
    assert sorted(c["phone"] for c in contacts) == [
        "+14155550111",
        "+14155550112",
        "+14155550113",
    ]
    assert all("fair-2026" in c["tags"] for c in contacts)
    assert {c["fields"].get("favorite_color") for c in contacts} == {"teal", "blue", "green"}
    assert all("notes" not in c["fields"] for c in contacts)

    page.reload()  # the job is in the URL
    expect(page.get_by_text("Done.")).to_be_visible()
    page.get_by_role("link", name="View contacts").click()
    expect(_rows(page)).to_have_count(3)


def test_build_a_segment_with_a_live_count(console: Console, api_client: httpx.Client) -> None:
    owner = signup(api_client, "segments")
    for i in range(3):
        _contact(api_client, owner, phone=f"+1415555020{i}", tags=["vip"], fields={"score": i})
    _contact(api_client, owner, phone="+14155550210", first_name="Zed")
    _contact(api_client, owner, phone="+14155550211", first_name="Zoe", tags=["gold"])

    page = console.log_in(owner.email, PASSWORD, then="/contacts/segments")
    expect(page.get_by_text("No segment yet")).to_be_visible()
    console.check_page("segments-empty")
    page.get_by_role("link", name="New segment").first.click()
    expect(page).to_have_url(re.compile(r"edit=new"))
    count = page.get_by_test_id("live-count")

    # The first condition: a tag, typed; the count follows.
    page.get_by_label("Condition 1: value").fill("vip")
    expect(count).to_contain_text("3 contacts")
    # OR a group: first name starts with Z AND has no tag "gold".
    page.get_by_label("Rules: match").select_option("any")
    page.get_by_role("button", name="Add group").first.click()
    group = page.get_by_role("group", name="Rules, group 2")
    group.get_by_label("Condition 1: field").select_option("first_name")
    group.get_by_label("Condition 1: operator").select_option("starts_with")
    group.get_by_label("Condition 1: value").fill("Z")
    expect(count).to_contain_text("5 contacts")
    # With the keyboard: add a condition to the group and fill it.
    group.get_by_role("button", name="Add condition").focus()
    page.keyboard.press("Enter")  # the new condition's field takes the focus
    expect(group.get_by_label("Condition 2: field")).to_be_focused()
    group.get_by_label("Condition 2: operator").select_option("has_not")
    group.get_by_label("Condition 2: value").fill("gold")
    expect(count).to_contain_text("4 contacts")
    # A custom field, as a number.
    page.get_by_role("button", name="Add condition").last.click()
    page.get_by_label("Condition 2: field").last.select_option("custom")
    page.get_by_label("Condition 2: custom field name").fill("score")
    page.get_by_label("Condition 2: operator").last.select_option("gte")
    page.get_by_label("Condition 2: value").last.fill("2")
    expect(count).to_contain_text("4 contacts")
    console.check_page("segment-builder")

    # Saving needs a name; an unfinished condition is shown, not sent.
    page.get_by_label("Condition 2: value").last.fill("")
    page.get_by_role("button", name="Create segment").click()
    expect(page.locator("#segment-name-error")).to_have_text("Give the segment a name.")
    expect(page.get_by_text("Give a value.")).to_be_visible()
    page.get_by_label("Condition 2: value").last.fill("2")
    page.get_by_label("Name", exact=True).fill("VIPs and Z people")
    page.get_by_role("button", name="Create segment").click()
    expect(page).to_have_url(re.compile(r"edit=[0-9a-f-]{36}"))
    segments = api_client.get("/v1/segments", headers=owner.headers).json()["data"]
    assert len(segments) == 1
    assert segments[0]["filter"]["any"][0] == {"field": "tag", "op": "has", "value": "vip"}
    assert segments[0]["filter"]["any"][1]["all"][1] == {
        "field": "tag",
        "op": "has_not",
        "value": "gold",
    }

    # The list counts it; its contacts open in the contacts list, filtered.
    page.get_by_role("link", name="Back to segments").click()
    row = page.get_by_role("row").filter(has_text="VIPs and Z people")
    expect(row).to_contain_text("4")
    console.check_page("segments")
    row.get_by_role("link", name="View contacts").click()
    expect(page).to_have_url(re.compile(r"/contacts/?\?segment="))
    expect(_rows(page)).to_have_count(4)

    # Edit, then delete after a confirmation.
    page.goto(console.url(f"/contacts/segments?edit={segments[0]['id']}"))
    expect(page.get_by_label("Name", exact=True)).to_have_value("VIPs and Z people")
    expect(count).to_contain_text("4 contacts")
    page.get_by_role("button", name="Delete").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Delete segment").click()
    expect(page.get_by_text("No segment yet")).to_be_visible()
