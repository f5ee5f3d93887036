"""Contacts over the gateway: CRUD, normalization, duplicates, tags, consent, bulk, lists."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import select

from shared.contacts.models import ConsentEvent
from shared.db.session import tenant_session
from tests.contacts.helpers import all_contacts, create, phone
from tests.identity_helpers import signup


def test_create_normalizes_the_number_and_derives_the_time_zone(api: httpx.Client) -> None:
    owner = signup(api, "contacts")
    r = api.post(
        "/v1/contacts",
        json={
            "phone": "(415) 555-2671",
            "first_name": "  Ada ",
            "last_name": "Lovelace",
            "email": "Ada@Example.COM",
            "fields": {"plan": "gold", "seats": 3, "vip": True, "renewal": "2027-01-31"},
            "tags": ["VIP", " Early  Adopter", "vip"],
        },
        headers=owner.headers,
    )
    assert r.status_code == 201, r.text
    contact = r.json()
    assert contact["phone"] == "+14155552671"
    assert contact["timezone"] == "America/Los_Angeles"
    assert contact["first_name"] == "Ada"
    assert contact["email"] == "ada@example.com"
    assert contact["fields"] == {"plan": "gold", "seats": 3, "vip": True, "renewal": "2027-01-31"}
    assert contact["tags"] == ["early adopter", "vip"]
    assert contact["opted_out"] is False

    got = api.get(f"/v1/contacts/{contact['id']}", headers=owner.headers)
    assert got.status_code == 200
    assert got.json() == contact

    # Other spellings of numbers, including another country with its own zone.
    for raw, e164 in (
        ("+1 212 555 0100", "+12125550100"),
        ("1-646-555-0101", "+16465550101"),
        ("+44 20 7946 0958", "+442079460958"),
    ):
        c = create(api, owner, phone=raw)
        assert c["phone"] == e164
    london = api.get("/v1/contacts", params={"q": "+44"}, headers=owner.headers).json()["data"]
    assert [c["timezone"] for c in london] == ["Europe/London"]


def test_invalid_input_is_422_naming_the_field(api: httpx.Client) -> None:
    owner = signup(api, "contacts")
    for bad in ("12345", "not a number", "+1 123 456 7890", "+999 1234567"):
        r = api.post("/v1/contacts", json={"phone": bad}, headers=owner.headers)
        assert r.status_code == 422, (bad, r.text)
        assert r.json()["errors"][0]["field"] == "body.phone"
    cases = [
        ({"email": "nope"}, "body.email"),
        ({"timezone": "Mars/Olympus"}, "body.timezone"),
        ({"fields": {"bad key!": 1}}, "body.fields"),
        ({"fields": {"nested": {"a": 1}}}, "body.fields.nested"),
        ({"tags": [" "]}, "body.tags"),
        ({"opted_out": True}, "body.opted_out"),  # read-only here
    ]
    for extra, field in cases:
        r = api.post("/v1/contacts", json={"phone": phone(), **extra}, headers=owner.headers)
        assert r.status_code == 422, (extra, r.text)
        assert any(e["field"].startswith(field) for e in r.json()["errors"]), r.json()


def test_duplicate_phone_is_409_pointing_at_the_existing_contact(api: httpx.Client) -> None:
    owner = signup(api, "contacts")
    first = create(api, owner, phone="+1 (303) 555-0142")
    r = api.post("/v1/contacts", json={"phone": "303.555.0142"}, headers=owner.headers)
    assert r.status_code == 409
    assert r.json()["existing_id"] == first["id"]
    assert r.json()["type"].endswith("/duplicate-contact")

    # PATCH onto another contact's number is refused the same way.
    other = create(api, owner)
    r = api.patch(
        f"/v1/contacts/{other['id']}", json={"phone": "3035550142"}, headers=owner.headers
    )
    assert r.status_code == 409
    assert r.json()["existing_id"] == first["id"]

    # The same number in another workspace is fine.
    stranger = signup(api, "stranger")
    assert create(api, stranger, phone="+13035550142")["id"] != first["id"]


def test_patch_changes_only_what_is_sent_and_merges_fields(api: httpx.Client) -> None:
    owner = signup(api, "contacts")
    c = create(api, owner, first_name="Grace", last_name="Hopper", fields={"a": 1, "b": "x"})
    r = api.patch(
        f"/v1/contacts/{c['id']}",
        json={"last_name": None, "fields": {"b": None, "c": True}, "phone": "+1 206 555 0100"},
        headers=owner.headers,
    )
    assert r.status_code == 200, r.text
    patched = r.json()
    assert patched["first_name"] == "Grace"
    assert patched["last_name"] is None
    assert patched["fields"] == {"a": 1, "c": True}
    assert patched["phone"] == "+12065550100"
    assert patched["timezone"] == "America/Los_Angeles"
    r = api.patch(f"/v1/contacts/{c['id']}", json={"phone": None}, headers=owner.headers)
    assert r.status_code == 422
    r = api.patch(f"/v1/contacts/{uuid.uuid4()}", json={}, headers=owner.headers)
    assert r.status_code == 404


def test_opt_out_and_in_are_recorded_as_consent_events(api: httpx.Client) -> None:
    owner = signup(api, "contacts")
    c = create(api, owner)
    r = api.post(
        f"/v1/contacts/{c['id']}/opt-out", json={"reason": "asked by phone"}, headers=owner.headers
    )
    assert r.status_code == 200, r.text
    assert r.json()["opted_out"] is True
    assert r.json()["opted_out_at"] is not None
    # Again: no change, no second event.
    assert api.post(f"/v1/contacts/{c['id']}/opt-out", headers=owner.headers).status_code == 200
    r = api.post(f"/v1/contacts/{c['id']}/opt-in", json={}, headers=owner.headers)
    assert r.json()["opted_out"] is False
    with tenant_session(uuid.UUID(owner.workspace_id)) as s:
        events = s.execute(
            select(ConsentEvent.kind, ConsentEvent.source, ConsentEvent.reason, ConsentEvent.phone)
            .where(ConsentEvent.contact_id == uuid.UUID(c["id"]))
            .order_by(ConsentEvent.occurred_at)
        ).all()
    assert [tuple(e) for e in events] == [
        ("opt_out", "api", "asked by phone", c["phone"]),
        ("opt_in", "api", None, c["phone"]),
    ]
    # PATCH cannot change opt-out state.
    r = api.patch(f"/v1/contacts/{c['id']}", json={"opted_out": True}, headers=owner.headers)
    assert r.status_code == 422


def test_tags_add_remove_and_list(api: httpx.Client) -> None:
    owner = signup(api, "contacts")
    a = create(api, owner, tags=["lead"])
    b = create(api, owner)
    r = api.post(
        f"/v1/contacts/{b['id']}/tags", json={"tags": ["Lead", "newsletter"]}, headers=owner.headers
    )
    assert r.status_code == 200
    assert r.json()["tags"] == ["lead", "newsletter"]
    tags = api.get("/v1/tags", headers=owner.headers).json()["data"]
    assert tags == [{"tag": "lead", "contacts": 2}, {"tag": "newsletter", "contacts": 1}]

    assert api.delete(f"/v1/contacts/{a['id']}/tags/LEAD", headers=owner.headers).status_code == 204
    assert api.get(f"/v1/contacts/{a['id']}", headers=owner.headers).json()["tags"] == []
    # Removing a tag the contact does not have is fine; on an unknown contact it is 404.
    assert api.delete(f"/v1/contacts/{a['id']}/tags/x", headers=owner.headers).status_code == 204
    r = api.delete(f"/v1/contacts/{uuid.uuid4()}/tags/x", headers=owner.headers)
    assert r.status_code == 404
    r = api.post(f"/v1/contacts/{b['id']}/tags", json={"tags": []}, headers=owner.headers)
    assert r.status_code == 422


def test_list_filters_and_cursor_pagination(api: httpx.Client) -> None:
    owner = signup(api, "contacts")
    made = [
        create(api, owner, first_name=f"Person{i}", email=f"p{i}@corp.example") for i in range(7)
    ]
    special = create(api, owner, first_name="Zelda", last_name="Fitzgerald", tags=["writer"])
    api.post(f"/v1/contacts/{made[0]['id']}/opt-out", headers=owner.headers)

    page1 = api.get("/v1/contacts", params={"limit": 3}, headers=owner.headers).json()
    assert [c["id"] for c in page1["data"]] == [special["id"], made[6]["id"], made[5]["id"]]
    everything = all_contacts(api, owner)
    assert len(everything) == 8
    assert len({c["id"] for c in everything}) == 8

    def ids(**params: object) -> set[str]:
        return {c["id"] for c in all_contacts(api, owner, **params)}

    assert ids(q="zelda fitz") == {special["id"]}
    assert ids(q="ELDA") == {special["id"]}
    assert ids(q="p3@corp") == {made[3]["id"]}
    assert ids(q=special["phone"][-7:]) == {special["id"]}
    assert ids(q="100%_") == set()
    assert ids(tag="Writer") == {special["id"]}
    assert ids(opted_out="true") == {made[0]["id"]}
    assert len(ids(opted_out="false")) == 7
    assert ids(created_after=special["created_at"]) == set()
    assert ids(created_after=(datetime.now(UTC) - timedelta(hours=1)).isoformat()) == {
        c["id"] for c in everything
    }
    seg = api.post(
        "/v1/segments",
        json={"name": "z", "filter": {"all": [{"field": "tag", "op": "has", "value": "writer"}]}},
        headers=owner.headers,
    ).json()
    assert ids(segment_id=seg["id"]) == {special["id"]}
    r = api.get("/v1/contacts", params={"segment_id": str(uuid.uuid4())}, headers=owner.headers)
    assert r.status_code == 404
    r = api.get("/v1/contacts", params={"cursor": "garbage"}, headers=owner.headers)
    assert r.status_code == 422


def test_bulk_tag_untag_and_delete(api: httpx.Client) -> None:
    owner = signup(api, "contacts")
    contacts = [create(api, owner, first_name=f"B{i}") for i in range(5)]
    ids = [c["id"] for c in contacts]
    r = api.post(
        "/v1/contacts/bulk",
        json={"contact_ids": ids[:3], "add_tags": ["Promo", "q3"]},
        headers=owner.headers,
    )
    assert r.status_code == 200, r.text
    assert r.json() == {"matched": 3, "tags_added": 6, "tags_removed": 0, "deleted": 0}

    seg = api.post(
        "/v1/segments",
        json={
            "name": "promo",
            "filter": {"all": [{"field": "tag", "op": "has", "value": "promo"}]},
        },
        headers=owner.headers,
    ).json()
    r = api.post(
        "/v1/contacts/bulk",
        json={"segment_id": seg["id"], "remove_tags": ["q3"], "add_tags": ["seen"]},
        headers=owner.headers,
    )
    assert r.json() == {"matched": 3, "tags_added": 3, "tags_removed": 3, "deleted": 0}
    tags = {
        t["tag"]: t["contacts"] for t in api.get("/v1/tags", headers=owner.headers).json()["data"]
    }
    assert tags == {"promo": 3, "seen": 3}

    r = api.post(
        "/v1/contacts/bulk", json={"segment_id": seg["id"], "delete": True}, headers=owner.headers
    )
    assert r.json()["deleted"] == 3
    left = {c["id"] for c in all_contacts(api, owner)}
    assert left == set(ids[3:])

    # A foreign or unknown id just does not match.
    stranger = create(api, signup(api, "stranger"))
    r = api.post(
        "/v1/contacts/bulk",
        json={"contact_ids": [stranger["id"], ids[4]], "add_tags": ["x"]},
        headers=owner.headers,
    )
    assert r.json()["matched"] == 1

    for bad in (
        {"contact_ids": ids, "segment_id": seg["id"], "add_tags": ["x"]},
        {"add_tags": ["x"]},
        {"contact_ids": ids},
    ):
        r = api.post("/v1/contacts/bulk", json=bad, headers=owner.headers)
        assert r.status_code == 422, bad
    r = api.post(
        "/v1/contacts/bulk",
        json={"segment_id": str(uuid.uuid4()), "add_tags": ["x"]},
        headers=owner.headers,
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "body.segment_id"


def test_unknown_and_malformed_ids(api: httpx.Client) -> None:
    owner = signup(api, "contacts")
    assert api.get(f"/v1/contacts/{uuid.uuid4()}", headers=owner.headers).status_code == 404
    r = api.get("/v1/contacts/not-a-uuid", headers=owner.headers)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "path.contact_id"
    assert api.get("/v1/contacts").status_code == 401


def test_consent_history_lists_a_contacts_events_newest_first(api: httpx.Client) -> None:
    owner = signup(api, "contacts")
    c = create(api, owner)
    other = create(api, owner)
    url = f"/v1/contacts/{c['id']}/consent-events"
    assert api.get(url, headers=owner.headers).json() == {"data": [], "next_cursor": None}
    api.post(f"/v1/contacts/{c['id']}/opt-out", json={"reason": "asked"}, headers=owner.headers)
    api.post(f"/v1/contacts/{c['id']}/opt-in", json={}, headers=owner.headers)
    api.post(f"/v1/contacts/{other['id']}/opt-out", json={}, headers=owner.headers)
    page = api.get(url, params={"limit": 1}, headers=owner.headers).json()
    assert [(e["kind"], e["source"], e["reason"]) for e in page["data"]] == [
        ("opt_in", "api", None)
    ]
    rest = api.get(url, params={"cursor": page["next_cursor"]}, headers=owner.headers).json()
    assert [(e["kind"], e["reason"]) for e in rest["data"]] == [("opt_out", "asked")]
    assert rest["next_cursor"] is None
    # Another workspace, or an unknown contact: 404.
    stranger = signup(api, "contacts")
    assert api.get(url, headers=stranger.headers).status_code == 404
    missing = f"/v1/contacts/{uuid.uuid4()}/consent-events"
    assert api.get(missing, headers=owner.headers).status_code == 404
