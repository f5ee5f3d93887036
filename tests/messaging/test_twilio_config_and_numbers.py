"""Connecting Twilio, and numbers: import, search, buy, pause, release; pools."""

from __future__ import annotations

import os

import httpx
import pytest
from sqlalchemy import text

from shared.db.engine import get_engine
from shared.providers.twilio import TwilioProvider
from tests.fakes.twilio import FakeTwilio
from tests.identity_helpers import signup
from tests.messaging.helpers import connect_twilio


def test_credentials_are_checked_encrypted_and_masked(
    api: httpx.Client, fake_twilio: FakeTwilio
) -> None:
    account = signup(api, "cfg")
    sid, token = fake_twilio.add_account()
    bad = api.put(
        "/v1/twilio/config",
        json={"account_sid": sid, "auth_token": "f" * 32},
        headers=account.headers,
    )
    assert bad.status_code == 422
    assert bad.json()["type"].endswith("/invalid-credentials")

    ok = api.put(
        "/v1/twilio/config", json={"account_sid": sid, "auth_token": token}, headers=account.headers
    )
    assert ok.status_code == 200
    shown = api.get("/v1/twilio/config", headers=account.headers).json()
    assert shown["account_sid"] == sid
    assert shown["auth_token"].endswith(token[-4:])
    assert token not in str(shown)

    with get_engine().connect() as conn:
        raw = conn.execute(
            text(
                "SELECT auth_token_ciphertext, auth_token_wrapped_key FROM twilio_configs"
                " WHERE account_sid = :s"
            ),
            {"s": sid},
        ).one()
    assert token.encode() not in bytes(raw[0]) + bytes(raw[1])

    assert api.delete("/v1/twilio/config", headers=account.headers).status_code == 204
    assert api.get("/v1/twilio/config", headers=account.headers).status_code == 404


def test_malformed_credentials_are_422(api: httpx.Client) -> None:
    account = signup(api, "cfg")
    r = api.put(
        "/v1/twilio/config",
        json={"account_sid": "nope", "auth_token": "x"},
        headers=account.headers,
    )
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} == {"body.account_sid", "body.auth_token"}


def test_import_is_idempotent_and_skips_numbers_without_sms(
    api: httpx.Client, fake_twilio: FakeTwilio
) -> None:
    ws = connect_twilio(api, fake_twilio)
    fake_twilio.own_number(ws.sid, "+12125550150", sms=False)
    again = api.post("/v1/numbers/import", headers=ws.headers).json()
    assert again["imported"] == 0
    assert again["already_present"] == 1
    assert again["skipped"] == ["+12125550150"]
    owned = next(
        n for n in fake_twilio.numbers.values() if n["phone_number"] == ws.number["phone_number"]
    )
    assert owned["sms_url"].endswith("/webhooks/twilio/inbound")
    assert owned["status_callback"].endswith("/webhooks/twilio/status")
    listed = api.get("/v1/numbers", headers=ws.headers).json()["data"]
    assert [n["phone_number"] for n in listed] == [ws.number["phone_number"]]
    assert listed[0]["mps"] == 1.0
    assert listed[0]["number_type"] == "long_code"


def test_search_buy_pause_release(api: httpx.Client, fake_twilio: FakeTwilio) -> None:
    ws = connect_twilio(api, fake_twilio)
    found = api.get(
        "/v1/numbers/available?country=US&area_code=628&contains=0142", headers=ws.headers
    )
    assert found.status_code == 200, found.text
    numbers = [n["phone_number"] for n in found.json()["data"]]
    assert numbers == ["+16285550142"]

    bought = api.post(
        "/v1/numbers/purchase", json={"phone_number": "+16285550142"}, headers=ws.headers
    )
    assert bought.status_code == 201, bought.text
    number_id = bought.json()["id"]
    at_twilio = next(n for n in fake_twilio.numbers.values() if n["phone_number"] == "+16285550142")
    assert at_twilio["sms_url"].endswith("/webhooks/twilio/inbound")

    again = api.post(
        "/v1/numbers/purchase", json={"phone_number": "+16285550142"}, headers=ws.headers
    )
    assert again.status_code == 409

    paused = api.patch(
        f"/v1/numbers/{number_id}", json={"status": "paused", "mps": 2.5}, headers=ws.headers
    )
    assert paused.json()["status"] == "paused"
    assert paused.json()["mps"] == 2.5

    assert api.delete(f"/v1/numbers/{number_id}", headers=ws.headers).status_code == 204
    assert not any(n["phone_number"] == "+16285550142" for n in fake_twilio.numbers.values())
    assert api.get(f"/v1/numbers/{number_id}", headers=ws.headers).status_code == 404


def test_bad_search_input_is_422(api: httpx.Client, fake_twilio: FakeTwilio) -> None:
    ws = connect_twilio(api, fake_twilio)
    r = api.get("/v1/numbers/available?area_code=41&contains=abc", headers=ws.headers)
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} == {"query.area_code", "query.contains"}


def test_pools(api: httpx.Client, fake_twilio: FakeTwilio) -> None:
    ws = connect_twilio(api, fake_twilio)
    pool = api.post("/v1/number-pools", json={"name": "Main"}, headers=ws.headers)
    assert pool.status_code == 201
    pool_id = pool.json()["id"]
    assert (
        api.post("/v1/number-pools", json={"name": "Main"}, headers=ws.headers).status_code == 409
    )
    r = api.put(
        f"/v1/number-pools/{pool_id}/numbers",
        json={"number_ids": [ws.number["id"]]},
        headers=ws.headers,
    )
    assert r.status_code == 200
    assert r.json()["number_ids"] == [ws.number["id"]]
    assert r.json()["capacity_mps"] == 1.0
    other = signup(api, "other")
    foreign = api.put(
        f"/v1/number-pools/{pool_id}/numbers", json={"number_ids": []}, headers=other.headers
    )
    assert foreign.status_code == 404
    bogus = api.put(
        f"/v1/number-pools/{pool_id}/numbers",
        json={"number_ids": ["00000000-0000-0000-0000-000000000001"]},
        headers=ws.headers,
    )
    assert bogus.status_code == 422
    assert api.delete(f"/v1/number-pools/{pool_id}", headers=ws.headers).status_code == 204


def test_the_sdk_reaches_the_fake_even_with_region_and_edge(
    fake_twilio: FakeTwilio, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shared.providers import twilio as adapter

    sid, token = fake_twilio.add_account()
    monkeypatch.setenv("TWILIO_REGION", "au1")
    monkeypatch.setenv("TWILIO_EDGE", "sydney")
    adapter._client.cache_clear()
    try:
        TwilioProvider(sid, token).validate()  # would go to api.sydney.au1.twilio.com
    finally:
        adapter._client.cache_clear()
    assert os.environ["TWILIO_EDGE"] == "sydney"
    assert fake_twilio.requests[-1].account == sid
