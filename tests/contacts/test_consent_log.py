"""The consent log (paged, filtered, CSV) and the keywords in force."""

from __future__ import annotations

import csv
import io

import httpx

from tests.identity_helpers import signup
from tests.messaging.helpers import new_phone


def test_consent_log_pages_filters_and_exports(api: httpx.Client) -> None:
    account, other = signup(api, "consent"), signup(api, "other")
    phones = [new_phone() for _ in range(3)]
    ids = []
    for phone in phones:
        r = api.post("/v1/contacts", json={"phone": phone}, headers=account.headers)
        ids.append(r.json()["id"])
    for contact_id in ids:
        r = api.post(
            f"/v1/contacts/{contact_id}/opt-out",
            json={"reason": "=HYPERLINK(1)"},
            headers=account.headers,
        )
        assert r.status_code == 200, r.text
    api.post(f"/v1/contacts/{ids[0]}/opt-in", headers=account.headers).raise_for_status()

    first = api.get("/v1/consent-events", params={"limit": 2}, headers=account.headers).json()
    assert len(first["data"]) == 2
    assert first["next_cursor"]
    assert first["data"][0]["kind"] == "opt_in"  # newest first
    assert first["data"][0]["phone"] == phones[0]
    rest = api.get(
        "/v1/consent-events",
        params={"limit": 2, "cursor": first["next_cursor"]},
        headers=account.headers,
    ).json()
    assert len(rest["data"]) == 2
    assert rest["next_cursor"] is None
    seen = [e["id"] for e in first["data"] + rest["data"]]
    assert len(set(seen)) == 4

    outs = api.get("/v1/consent-events", params={"kind": "opt_out"}, headers=account.headers)
    assert {e["kind"] for e in outs.json()["data"]} == {"opt_out"}
    assert {e["source"] for e in outs.json()["data"]} == {"api"}
    assert len(outs.json()["data"]) == 3
    bad = api.get("/v1/consent-events", params={"kind": "maybe"}, headers=account.headers)
    assert bad.status_code == 422
    # Another workspace sees none of it.
    assert api.get("/v1/consent-events", headers=other.headers).json()["data"] == []

    exported = api.get("/v1/consent-events/export.csv", headers=account.headers)
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert len(rows) == 4
    assert rows[0]["kind"] == "opt_in"
    assert rows[0]["phone"] == phones[0]
    assert {r["reason"] for r in rows if r["kind"] == "opt_out"} == {"'=HYPERLINK(1)"}
    only_in = api.get(
        "/v1/consent-events/export.csv", params={"kind": "opt_in"}, headers=account.headers
    )
    assert len(list(csv.DictReader(io.StringIO(only_in.text)))) == 1


def test_keywords_in_force(api: httpx.Client) -> None:
    account = signup(api, "kw")
    r = api.get("/v1/compliance/keywords", headers=account.headers)
    assert r.status_code == 200
    body = r.json()
    assert "STOP" in body["opt_out"]
    assert "UNSUBSCRIBE" in body["opt_out"]
    assert "START" in body["opt_in"]
    assert "HELP" in body["help"]
    assert api.get("/v1/compliance/keywords").status_code == 401
