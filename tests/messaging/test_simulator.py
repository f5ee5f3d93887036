"""The local default with no Twilio account: the simulator end to end."""

from __future__ import annotations

import httpx

from tests.identity_helpers import signup
from tests.messaging.helpers import message_status, new_phone, wait_until


def _simulated_workspace(api: httpx.Client) -> tuple[dict[str, str], dict[str, object]]:
    account = signup(api, "sim")
    found = api.get("/v1/numbers/available?area_code=555", headers=account.headers)
    assert found.status_code == 200, found.text
    phone = found.json()["data"][0]["phone_number"]
    assert phone.startswith("+1555555")
    bought = api.post("/v1/numbers/purchase", json={"phone_number": phone}, headers=account.headers)
    assert bought.status_code == 201, bought.text
    assert bought.json()["provider"] == "simulator"
    return account.headers, bought.json()


def test_simulated_send_is_delivered_through_the_webhook(api: httpx.Client) -> None:
    headers, _ = _simulated_workspace(api)
    r = api.post(
        "/v1/messages", json={"to": new_phone(), "body": "Hi from the simulator"}, headers=headers
    )
    assert r.status_code == 201, r.text
    wait_until(lambda: message_status(api, headers, r.json()["id"]) == "delivered")


def test_magic_numbers_fail_like_carriers(api: httpx.Client) -> None:
    headers, _ = _simulated_workspace(api)
    filtered = api.post(
        "/v1/messages", json={"to": "+141555" + "30007", "body": "x"}, headers=headers
    )
    wait_until(lambda: message_status(api, headers, filtered.json()["id"]) == "undelivered")
    message = api.get(f"/v1/messages/{filtered.json()['id']}", headers=headers).json()
    assert message["error_code"] == 30007


def test_injected_reply_goes_through_keywords(api: httpx.Client) -> None:
    headers, number = _simulated_workspace(api)
    phone = new_phone()
    r = api.post(
        "/v1/simulator/inbound",
        json={"from": phone, "to": number["phone_number"], "body": "STOP"},
        headers=headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["direction"] == "inbound"
    refused = api.post("/v1/messages", json={"to": phone, "body": "x"}, headers=headers)
    assert refused.status_code == 409
    bad = api.post(
        "/v1/simulator/inbound",
        json={"from": phone, "to": "+15550000000", "body": "hi"},
        headers=headers,
    )
    assert bad.status_code == 422


def test_import_gives_the_simulated_account_its_numbers(api: httpx.Client) -> None:
    account = signup(api, "simimport")
    r = api.post("/v1/numbers/import", headers=account.headers)
    assert r.status_code == 200, r.text
    assert r.json()["imported"] >= 1
    again = api.post("/v1/numbers/import", headers=account.headers)
    assert again.json()["imported"] == 0
