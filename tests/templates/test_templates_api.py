"""Templates through the gateway: versions, pinning, rendering with fallbacks, previews."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.campaigns.helpers import add_contacts, create_campaign, wait_status, workspace_with_pool
from tests.conversations.helpers import send
from tests.fakes.twilio import FakeTwilio
from tests.identity_helpers import Account, signup
from tests.messaging.helpers import connect_twilio, new_phone


@pytest.fixture
def owner(api: httpx.Client) -> Account:
    return signup(api, "tmpl")


def _create(api: httpx.Client, who: Account, name: str, body: str) -> dict[str, Any]:
    r = api.post("/v1/templates", json={"name": name, "body": body}, headers=who.headers)
    assert r.status_code == 201, r.text
    return dict(r.json())


def _preview(api: httpx.Client, who: Account, template_id: str, **body: Any) -> dict[str, Any]:
    r = api.post(f"/v1/templates/{template_id}/preview", json=body, headers=who.headers)
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_create_reports_variables_and_warnings(api: httpx.Client, owner: Account) -> None:
    clean = _create(
        api, owner, "  Welcome   note ", "Hi {{first_name|there}} from {{workspace.name}}"
    )
    assert clean["name"] == "Welcome note"
    assert clean["current_version"] == 1
    assert clean["variables"] == ["first_name", "workspace.name"]
    assert clean["unknown_variables"] == []
    assert clean["warnings"] == []
    messy = _create(api, owner, "Messy", "Hi {{frist_name}}, see {{contact.fields.city}} {{oops")
    assert messy["unknown_variables"] == ["frist_name"]
    assert len(messy["warnings"]) == 2
    assert "never closed" in messy["warnings"][0]
    assert "frist_name" in messy["warnings"][1]
    for body in (
        {"name": "x"},
        {"name": "", "body": "x"},
        {"name": "   ", "body": "x"},
        {"name": "x", "body": ""},
        {"name": "x", "body": "y" * 1601},
        {"name": "x", "body": "y", "extra": True},
    ):
        r = api.post("/v1/templates", json=body, headers=owner.headers)
        assert r.status_code == 422, (body, r.text)


def test_body_edits_make_immutable_versions(api: httpx.Client, owner: Account) -> None:
    template = _create(api, owner, "Promo", "v1 body")
    path = f"/v1/templates/{template['id']}"
    renamed = api.patch(path, json={"name": "Promo (spring)"}, headers=owner.headers).json()
    assert (renamed["name"], renamed["current_version"]) == ("Promo (spring)", 1)
    second = api.patch(path, json={"body": "v2 {{first_name}}"}, headers=owner.headers).json()
    assert (second["current_version"], second["body"]) == (2, "v2 {{first_name}}")
    same = api.patch(path, json={"body": "v2 {{first_name}}"}, headers=owner.headers).json()
    assert same["current_version"] == 2  # an unchanged body is not a new version
    both = api.patch(path, json={"name": "Promo", "body": "v3"}, headers=owner.headers).json()
    assert (both["name"], both["current_version"], both["body"]) == ("Promo", 3, "v3")
    assert api.get(path, headers=owner.headers).json()["body"] == "v3"
    versions = api.get(f"{path}/versions", headers=owner.headers).json()["data"]
    assert [(v["version"], v["body"]) for v in versions] == [
        (1, "v1 body"),
        (2, "v2 {{first_name}}"),
        (3, "v3"),
    ]
    assert versions[1]["variables"] == ["first_name"]
    assert versions[0]["created_by"] == owner.user_id
    for body in ({}, {"name": None, "body": None}, {"body": ""}, {"version": 1}):
        r = api.patch(path, json=body, headers=owner.headers)
        assert r.status_code == 422, (body, r.text)


def test_list_and_soft_delete(api: httpx.Client, owner: Account) -> None:
    made = [_create(api, owner, f"T{i}", f"body {i}")["id"] for i in range(3)]
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = api.get("/v1/templates", params=params, headers=owner.headers).json()
        seen += [t["id"] for t in page["data"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == made[::-1]
    listed = api.get("/v1/templates", headers=owner.headers).json()["data"]
    assert [t["body"] for t in listed] == ["body 2", "body 1", "body 0"]
    gone = made[1]
    assert api.delete(f"/v1/templates/{gone}", headers=owner.headers).status_code == 204
    assert api.get(f"/v1/templates/{gone}", headers=owner.headers).status_code == 404
    assert api.get(f"/v1/templates/{gone}/versions", headers=owner.headers).status_code == 404
    assert (
        api.patch(f"/v1/templates/{gone}", json={"name": "x"}, headers=owner.headers).status_code
        == 404
    )
    assert api.delete(f"/v1/templates/{gone}", headers=owner.headers).status_code == 404
    listed = api.get("/v1/templates", headers=owner.headers).json()["data"]
    assert [t["id"] for t in listed] == [made[2], made[0]]


def test_campaigns_pin_a_version_that_survives_edits_and_delete(
    api: httpx.Client, fake_twilio: FakeTwilio
) -> None:
    setup = workspace_with_pool(api, fake_twilio, dids=1)
    (contact,) = add_contacts(api, setup, 1, ["pinned"])  # first_name Ann0
    owner = setup.ws.account
    template = _create(api, owner, "Pinned", "Old {{first_name|there}}")
    path = f"/v1/templates/{template['id']}"
    api.patch(
        path,
        json={"body": "Hello {{first_name|there}} from {{workspace.name}}"},
        headers=owner.headers,
    )
    campaign = create_campaign(
        api, setup, body=None, template_id=template["id"], audience={"tags": ["pinned"]}
    )
    assert (campaign["template_id"], campaign["template_version"]) == (template["id"], 2)
    old = create_campaign(
        api,
        setup,
        body=None,
        template_id=template["id"],
        template_version=1,
        audience={"tags": ["nobody"]},
    )
    assert old["template_version"] == 1
    # Edited and deleted after pinning: the campaign still sends version 2.
    assert (
        api.patch(path, json={"body": "Newest"}, headers=owner.headers).json()["current_version"]
        == 3
    )
    assert api.delete(path, headers=owner.headers).status_code == 204
    launch = api.post(f"/v1/campaigns/{campaign['id']}/launch", headers=setup.headers)
    assert launch.status_code == 200, launch.text
    wait_status(api, setup, campaign["id"], "completed")
    (sent,) = fake_twilio.sent_to(contact["phone"])
    assert sent["body"] == "Hello Ann0 from camp workspace"
    # A deleted template cannot be pinned by new campaigns.
    r = api.post(
        "/v1/campaigns",
        json={"name": "late", "template_id": template["id"], "pool_id": setup.pool_id},
        headers=setup.headers,
    )
    assert r.status_code == 422


def test_preview_for_a_contact_or_sample_values(api: httpx.Client, owner: Account) -> None:
    contact = api.post(
        "/v1/contacts",
        json={"phone": new_phone(), "first_name": "Ann", "fields": {"city": "Paris"}},
        headers=owner.headers,
    ).json()
    body = "Hi {{first_name|there}} in {{contact.fields.city|your town}}, {{workspace.name}}!"
    template = _create(api, owner, "Hello", body)
    for_contact = _preview(api, owner, template["id"], contact_id=contact["id"])
    assert for_contact["text"] == "Hi Ann in Paris, tmpl workspace!"
    assert for_contact["characters"] == len(for_contact["text"])
    assert (for_contact["encoding"], for_contact["segments"]) == ("GSM-7", 1)
    assert for_contact["version"] == 1
    sample = _preview(
        api, owner, template["id"], values={"first_name": "Bo", "workspace": {"name": "Acme"}}
    )
    assert sample["text"] == "Hi Bo in your town, Acme!"
    nested = _preview(
        api, owner, template["id"], values={"contact": {"first_name": "Cy", "fields": {"city": 7}}}
    )
    assert nested["text"] == "Hi Cy in 7, tmpl workspace!"
    bare = _preview(api, owner, template["id"])
    assert bare["text"] == "Hi there in your town, tmpl workspace!"
    empty_body = api.post(f"/v1/templates/{template['id']}/preview", headers=owner.headers)
    assert empty_body.status_code == 200
    assert empty_body.json()["text"] == bare["text"]


def test_preview_reports_unknown_variables_and_ucs2(api: httpx.Client, owner: Account) -> None:
    template = _create(api, owner, "Quotes", "It\u2019s {{frist_name|you}} \u2014 {{x.y}}")
    preview = _preview(api, owner, template["id"])
    assert preview["text"] == "It\u2019s you \u2014 "
    assert preview["unknown_variables"] == ["frist_name", "x.y"]
    assert len(preview["warnings"]) == 2
    assert preview["encoding"] == "UCS-2"
    assert preview["unicode_chars"] == ["\u2019", "\u2014"]
    assert preview["gsm_suggestion"] == "It's you - "
    emoji = _create(api, owner, "Emoji", "Party time \U0001f389 \u2019")
    preview = _preview(api, owner, emoji["id"])
    assert preview["encoding"] == "UCS-2"
    assert preview["gsm_suggestion"] is None  # the emoji has no GSM-7 equivalent
    assert preview["characters"] == len("Party time \U0001f389 \u2019")
    long = _create(api, owner, "Long", "{{first_name}}" + "a" * 150)
    assert _preview(api, owner, long["id"], values={"first_name": "b" * 11})["segments"] == 2
    assert _preview(api, owner, long["id"], values={"first_name": "b" * 10})["segments"] == 1


def test_preview_shows_the_smart_encoded_text_that_will_be_sent(
    api: httpx.Client, owner: Account
) -> None:
    template = _create(api, owner, "Smart", "It\u2019s {{first_name|you}} \u2014 50% off\u2026")
    as_written = _preview(api, owner, template["id"])  # the workspace default: off
    assert (as_written["text"], as_written["rendered"]) == (
        "It\u2019s you \u2014 50% off\u2026",
        None,
    )
    assert (as_written["encoding"], as_written["gsm_suggestion"]) == (
        "UCS-2",
        "It's you - 50% off...",
    )
    on = _preview(api, owner, template["id"], smart_encoding=True)
    assert (on["text"], on["rendered"]) == ("It's you - 50% off...", as_written["text"])
    assert (on["encoding"], on["segments"], on["characters"], on["gsm_suggestion"]) == (
        "GSM-7",
        1,
        len("It's you - 50% off..."),
        None,
    )
    r = api.patch("/v1/workspace/settings", json={"smart_encoding": True}, headers=owner.headers)
    assert r.status_code == 200, r.text
    assert _preview(api, owner, template["id"])["text"] == on["text"]  # the new default
    off = _preview(api, owner, template["id"], smart_encoding=False)
    assert off["text"] == as_written["text"]
    r = api.post(
        f"/v1/templates/{template['id']}/preview",
        json={"smart_encoding": "on"},
        headers=owner.headers,
    )
    assert r.status_code == 422, r.text


def test_a_lone_surrogate_in_a_template_is_refused(api: httpx.Client, owner: Account) -> None:
    r = api.post(
        "/v1/templates",
        content='{"name": "Broken", "body": "Hi \\udc00"}',
        headers={**owner.headers, "Content-Type": "application/json"},
    )
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "body.body"
    listed = api.get("/v1/templates", headers=owner.headers).json()["data"]
    assert all(t["name"] != "Broken" for t in listed)


def test_preview_versions_and_refusals(api: httpx.Client, owner: Account) -> None:
    template = _create(api, owner, "Versions", "one")
    path = f"/v1/templates/{template['id']}"
    api.patch(path, json={"body": "two"}, headers=owner.headers)
    assert _preview(api, owner, template["id"])["text"] == "two"
    assert _preview(api, owner, template["id"], version=1)["text"] == "one"
    stranger = signup(api, "tmpl-stranger")
    foreign = api.post("/v1/contacts", json={"phone": new_phone()}, headers=stranger.headers).json()
    for body, status in (
        ({"version": 9}, 422),
        ({"version": 0}, 422),
        ({"contact_id": foreign["id"]}, 404),
        ({"contact_id": foreign["id"], "values": {}}, 422),
        ({"values": "Ann"}, 422),
    ):
        r = api.post(f"{path}/preview", json=body, headers=owner.headers)
        assert r.status_code == status, (body, r.text)


def test_reply_with_a_template_renders_it_for_the_contact(
    api: httpx.Client, fake_twilio: FakeTwilio
) -> None:
    ws = connect_twilio(api, fake_twilio, "tmpl")
    phone = new_phone()
    created = api.post(
        "/v1/contacts", json={"phone": phone, "first_name": "Dee"}, headers=ws.headers
    )
    assert created.status_code == 201, created.text
    conversation_id = send(api, ws, phone, "Hello")["conversation_id"]
    template = _create(api, ws.account, "Reply", "Thanks {{first_name|friend}}! v1")
    api.patch(
        f"/v1/templates/{template['id']}",
        json={"body": "Thanks {{first_name|friend}}, {{workspace.name}}"},
        headers=ws.headers,
    )
    path = f"/v1/conversations/{conversation_id}/messages"
    current = api.post(path, json={"template_id": template["id"]}, headers=ws.headers)
    assert current.status_code == 201, current.text
    assert current.json()["body"] == "Thanks Dee, tmpl workspace"
    pinned = api.post(
        path, json={"template_id": template["id"], "template_version": 1}, headers=ws.headers
    )
    assert pinned.json()["body"] == "Thanks Dee! v1"
    assert [m["body"] for m in fake_twilio.sent_to(phone)][1:] == [
        "Thanks Dee, tmpl workspace",
        "Thanks Dee! v1",
    ]
    r = api.post(
        path, json={"template_id": template["id"], "template_version": 5}, headers=ws.headers
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "body.template_version"
    empty = _create(api, ws.account, "Empty", "{{contact.fields.nothing}}")
    r = api.post(path, json={"template_id": empty["id"]}, headers=ws.headers)
    assert r.status_code == 422


def test_draft_preview_counts_an_unsaved_body(api: httpx.Client, owner: Account) -> None:
    def draft(**body: Any) -> httpx.Response:
        return api.post("/v1/templates/preview", json=body, headers=owner.headers)

    r = draft(body="Hi {{first_name|there}}!", smart_encoding=False)
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["text"] == "Hi there!"
    assert (got["encoding"], got["segments"], got["characters"]) == ("GSM-7", 1, 9)
    assert "version" not in got
    assert api.get("/v1/templates", headers=owner.headers).json()["data"] == []

    emoji = draft(body="Hi {{first_name|there}} 🎉", values={"first_name": "Ann"}).json()
    assert emoji["text"] == "Hi Ann 🎉"
    assert emoji["encoding"] == "UCS-2"
    assert emoji["unicode_chars"] == ["🎉"]

    curly = "It\u2019s \u201con\u201d \u2014 now {{first_name|you}}"
    quotes = draft(body=curly, smart_encoding=False).json()
    assert quotes["encoding"] == "UCS-2"
    assert quotes["body_gsm_suggestion"] == 'It\'s "on" - now {{first_name|you}}'
    assert quotes["gsm_suggestion"] == 'It\'s "on" - now you'
    smart = draft(body=curly, smart_encoding=True).json()
    assert smart["encoding"] == "GSM-7"
    assert smart["rendered"] == curly.replace("{{first_name|you}}", "you")
    assert smart["body_gsm_suggestion"] is None

    typo = draft(body="Hi {{frist_name}} {{oops").json()
    assert typo["unknown_variables"] == ["frist_name"]
    assert len(typo["warnings"]) == 2

    for bad in (
        {},
        {"body": ""},
        {"body": "y" * 1601},
        {"body": "x", "values": {}, "contact_id": "00000000-0000-4000-8000-000000000000"},
        {"body": "x", "smart_encoding": "yes"},
        {"body": "x", "extra": 1},
    ):
        r = draft(**bad)
        assert r.status_code == 422, (bad, r.text)
    r = draft(body="x", contact_id="00000000-0000-4000-8000-000000000000")
    assert r.status_code == 404, r.text
    assert api.get("/v1/templates/preview", headers=owner.headers).status_code == 405
