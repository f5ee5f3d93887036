"""Signed deliveries to a real receiver, verified with the `standardwebhooks` library."""

from __future__ import annotations

import json

import httpx
import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from tests.identity_helpers import Account
from tests.webhooks.conftest import create_endpoint, deliveries
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.usefixtures("local")


def _buy_number(api: httpx.Client, account: Account) -> str:
    phone = api.get("/v1/numbers/available?area_code=555", headers=account.headers).json()
    number = phone["data"][0]["phone_number"]
    r = api.post("/v1/numbers/purchase", json={"phone_number": number}, headers=account.headers)
    assert r.status_code == 201, r.text
    return str(number)


def test_a_message_sends_signed_events_that_verify_and_show_the_object(
    api: httpx.Client, account: Account, receiver: Receiver
) -> None:
    endpoint = create_endpoint(
        api, account, receiver.url, event_types=["message.sent", "message.delivered"]
    )
    assert endpoint["secret"].startswith("whsec_")
    assert (
        "secret"
        not in api.get(f"/v1/webhook-endpoints/{endpoint['id']}", headers=account.headers).json()
    )
    _buy_number(api, account)
    sent = api.post(
        "/v1/messages", json={"to": "+14155550123", "body": "Hi hooks"}, headers=account.headers
    )
    assert sent.status_code == 201, sent.text
    message_id = sent.json()["id"]
    receiver.wait_for(lambda: receiver.of_type("message.delivered"))
    (delivered,) = receiver.of_type("message.delivered")
    payload = delivered.verify(endpoint["secret"])
    assert payload["type"] == "message.delivered"
    assert payload["data"]["id"] == message_id
    assert payload["data"]["body"] == "Hi hooks"
    assert payload["data"]["status"] == "delivered"
    assert set(delivered.headers) >= {"webhook-id", "webhook-timestamp", "webhook-signature"}
    assert delivered.headers["webhook-id"].startswith("msg_")
    # Only what the endpoint subscribed to.
    types = {json.loads(r.body)["type"] for r in receiver.requests}
    assert types <= {"message.sent", "message.delivered"}
    # The log shows the attempt; the delivery's webhook_id is the header.
    log = receiver.wait_for(
        lambda: [
            d
            for d in deliveries(api, account, endpoint["id"], event_type="message.delivered")
            if d["status"] == "succeeded"
        ]
    )
    assert log[0]["webhook_id"] == delivered.headers["webhook-id"]
    (attempt,) = log[0]["attempt_log"]
    assert attempt["status_code"] == 200
    assert attempt["response_body"] == "ok"
    assert attempt["latency_ms"] is not None


def test_a_tampered_payload_or_a_wrong_secret_does_not_verify(
    api: httpx.Client, account: Account, receiver: Receiver
) -> None:
    endpoint = create_endpoint(api, account, receiver.url)
    r = api.post(f"/v1/webhook-endpoints/{endpoint['id']}/test", headers=account.headers)
    assert r.status_code == 202, r.text
    (ping,) = receiver.wait_for(lambda: receiver.of_type("ping"))
    assert ping.verify(endpoint["secret"])["data"]["endpoint_id"] == endpoint["id"]
    tampered = ping.body.replace(b"Test event", b"Evil event")
    assert tampered != ping.body
    with pytest.raises(WebhookVerificationError):
        ping.verify(endpoint["secret"], body=tampered)
    other = create_endpoint(api, account, receiver.url)
    with pytest.raises(WebhookVerificationError):
        ping.verify(other["secret"])
    replayed_as_another = {**ping.headers, "webhook-id": "msg_x"}
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint["secret"]).verify(ping.body, replayed_as_another)


def test_after_a_rotation_two_signatures_each_verify_with_its_secret(
    api: httpx.Client, account: Account, receiver: Receiver
) -> None:
    endpoint = create_endpoint(api, account, receiver.url)
    r = api.post(f"/v1/webhook-endpoints/{endpoint['id']}/rotate-secret", headers=account.headers)
    assert r.status_code == 200, r.text
    new_secret = r.json()["secret"]
    assert new_secret.startswith("whsec_")
    assert new_secret != endpoint["secret"]
    shown = api.get(f"/v1/webhook-endpoints/{endpoint['id']}", headers=account.headers).json()
    assert shown["secret_rotating_until"] == r.json()["previous_secret_expires_at"]
    api.post(f"/v1/webhook-endpoints/{endpoint['id']}/test", headers=account.headers)
    (ping,) = receiver.wait_for(lambda: receiver.of_type("ping"))
    signatures = ping.headers["webhook-signature"].split(" ")
    assert len(signatures) == 2
    assert ping.verify(new_secret)
    assert ping.verify(endpoint["secret"])  # the old one still signs for 24 h
    # Each signature alone verifies with its own secret.
    for secret, signature in zip((new_secret, endpoint["secret"]), signatures, strict=True):
        Webhook(secret).verify(ping.body, {**ping.headers, "webhook-signature": signature})


def test_replay_sends_the_same_webhook_id_and_body_again(
    api: httpx.Client, account: Account, receiver: Receiver
) -> None:
    endpoint = create_endpoint(api, account, receiver.url)
    api.post(f"/v1/webhook-endpoints/{endpoint['id']}/test", headers=account.headers)
    receiver.wait_for(lambda: receiver.of_type("ping"))
    (delivery,) = deliveries(api, account, endpoint["id"])
    r = api.post(
        f"/v1/webhook-endpoints/{endpoint['id']}/deliveries/{delivery['id']}/replay",
        headers=account.headers,
    )
    assert r.status_code == 202, r.text
    first, again = receiver.wait_for(
        lambda: len(receiver.of_type("ping")) == 2 and receiver.of_type("ping")
    )
    assert again.headers["webhook-id"] == first.headers["webhook-id"]
    assert json.loads(again.body) == json.loads(first.body)
    assert again.verify(endpoint["secret"])

    def logged() -> dict[str, object] | None:
        d = deliveries(api, account, endpoint["id"])[0]
        return d if len(d["attempt_log"]) == 2 else None

    assert receiver.wait_for(logged)["status"] == "succeeded"


def test_endpoints_crud_and_validation(api: httpx.Client, account: Account) -> None:
    bad = api.post(
        "/v1/webhook-endpoints",
        json={"url": "https://example.com/h", "event_types": ["message.nope"]},
        headers=account.headers,
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "body.event_types"
    for url in ("ftp://example.com/x", "not a url", "https://"):
        r = api.post("/v1/webhook-endpoints", json={"url": url}, headers=account.headers)
        assert r.status_code == 422, (url, r.text)
    endpoint = create_endpoint(api, account, "https://example.com/hooks", description="mine")
    assert endpoint["event_types"] == ["*"]
    path = f"/v1/webhook-endpoints/{endpoint['id']}"
    r = api.patch(
        path,
        json={"enabled": False, "event_types": ["campaign.completed"]},
        headers=account.headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["enabled"] is False
    assert r.json()["disabled_reason"] == "disabled by a user"
    assert api.post(f"{path}/test", headers=account.headers).status_code == 409
    assert api.patch(path, json={"url": None}, headers=account.headers).status_code == 422
    listed = api.get("/v1/webhook-endpoints", headers=account.headers).json()["data"]
    assert [e["id"] for e in listed] == [endpoint["id"]]
    assert api.delete(path, headers=account.headers).status_code == 204
    assert api.get(path, headers=account.headers).status_code == 404


def test_the_catalogue_lists_every_type_with_its_schema(
    api: httpx.Client, account: Account
) -> None:
    r = api.get("/v1/webhook-events", headers=account.headers)
    assert r.status_code == 200
    types = {t["type"]: t for t in r.json()["data"]}
    for name in (
        "message.sent",
        "message.delivered",
        "message.failed",
        "message.received",
        "contact.opted_out",
        "contact.opted_in",
        "conversation.updated",
        "campaign.launched",
        "campaign.paused",
        "campaign.completed",
        "lead.qualified",
        "import.completed",
        "ping",
    ):
        schema = types[name]["schema"]
        assert schema["properties"]["type"]["const"] == name
        assert {"type", "timestamp", "data"} <= set(schema["required"])
    doc = api.get("/openapi.json").json()
    assert set(doc["webhooks"]) == set(types)
    ref = doc["webhooks"]["message.delivered"]["post"]["requestBody"]["content"][
        "application/json"
    ]["schema"]["$ref"]
    assert ref.rsplit("/", 1)[-1] in doc["components"]["schemas"]
