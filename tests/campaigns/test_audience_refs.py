"""A campaign's audience names only this workspace's contacts and segments."""

from __future__ import annotations

import httpx

from tests.contacts.helpers import create
from tests.identity_helpers import Account, signup


def test_contact_ids_of_another_workspace_are_422_and_nothing_is_stored(
    api: httpx.Client,
) -> None:
    mine, theirs = signup(api, "aud"), signup(api, "aud")
    own = create(api, mine, phone="+14155550110")
    foreign = create(api, theirs, phone="+14155550111")
    r = api.post(
        "/v1/campaigns",
        json={"name": "c", "body": "Hi", "audience": {"contact_ids": [own["id"], foreign["id"]]}},
        headers=mine.headers,
    )
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "body.audience.contact_ids"
    assert foreign["id"] in r.json()["detail"]
    assert own["id"] not in r.json()["detail"]
    assert api.get("/v1/campaigns", headers=mine.headers).json()["data"] == []

    ok = api.post(
        "/v1/campaigns",
        json={"name": "c", "body": "Hi", "audience": {"contact_ids": [own["id"]]}},
        headers=mine.headers,
    )
    assert ok.status_code == 201, ok.text
    r = api.patch(
        f"/v1/campaigns/{ok.json()['id']}",
        json={"audience": {"contact_ids": [foreign["id"]]}},
        headers=mine.headers,
    )
    assert r.status_code == 422, r.text
    stored = api.get(f"/v1/campaigns/{ok.json()['id']}", headers=mine.headers).json()
    assert stored["audience"]["contact_ids"] == [own["id"]]


def test_segment_ids_of_another_workspace_are_422(api: httpx.Client) -> None:
    mine, theirs = signup(api, "aud"), signup(api, "aud")
    segment = api.post(
        "/v1/segments",
        json={"name": "s", "filter": {"all": []}},
        headers=theirs.headers,
    )
    assert segment.status_code == 201, segment.text
    r = api.post(
        "/v1/campaigns",
        json={"name": "c", "body": "Hi", "audience": {"segment_ids": [segment.json()["id"]]}},
        headers=mine.headers,
    )
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "body.audience.segment_ids"


def test_audience_count_before_saving(api: httpx.Client) -> None:
    mine, theirs = signup(api, "aud"), signup(api, "aud")
    for tags in (["vip"], ["vip", "staff"], ["new"]):
        create(api, mine, tags=tags)
    optout = create(api, mine, tags=["vip"])
    r = api.post(f"/v1/contacts/{optout['id']}/opt-out", headers=mine.headers)
    assert r.status_code in (200, 204), r.text

    def count(who: Account = mine, **audience: object) -> httpx.Response:
        return api.post("/v1/campaigns/audience-count", json=audience, headers=who.headers)

    assert count().json() == {"count": 0}
    assert count(tags=["vip"]).json() == {"count": 2}
    assert count(tags=["vip", "new"]).json() == {"count": 3}
    assert count(tags=["vip", "new"], exclude_tags=["staff"]).json() == {"count": 2}
    assert count(theirs, tags=["vip"]).json() == {"count": 0}
    assert api.get("/v1/campaigns", headers=mine.headers).json()["data"] == []

    segment = api.post(
        "/v1/segments", json={"name": "s", "filter": {"all": []}}, headers=theirs.headers
    ).json()
    r = count(segment_ids=[segment["id"]])
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "body.segment_ids"
    assert count(tags="vip").status_code == 422
    assert count(segment_ids=["nope"]).status_code == 422
