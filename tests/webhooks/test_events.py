"""The internal events become public ones where the state changes: contacts, inbound
messages, conversations, campaigns and imports (a receiver subscribed to everything)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.campaigns.helpers import add_contacts, create_campaign, wait_status, workspace_with_pool
from tests.fakes.twilio import FakeTwilio
from tests.identity_helpers import Account
from tests.webhooks.conftest import create_endpoint
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.usefixtures("local")


def _events(receiver: Receiver, secret: str, event_type: str) -> list[dict[str, Any]]:
    return [r.verify(secret) for r in receiver.of_type(event_type)]


def test_contact_consent_inbound_and_conversation_events(
    api: httpx.Client, account: Account, receiver: Receiver
) -> None:
    endpoint = create_endpoint(api, account, receiver.url)
    secret = endpoint["secret"]
    contact = api.post(
        "/v1/contacts", json={"phone": "+13125550111"}, headers=account.headers
    ).json()
    path = f"/v1/contacts/{contact['id']}"
    assert api.post(f"{path}/opt-out", json={}, headers=account.headers).status_code == 200
    assert api.post(f"{path}/opt-in", json={}, headers=account.headers).status_code == 200
    (out,) = receiver.wait_for(lambda: _events(receiver, secret, "contact.opted_out"))
    (back,) = receiver.wait_for(lambda: _events(receiver, secret, "contact.opted_in"))
    assert out["data"]["id"] == contact["id"]
    assert back["data"]["id"] == contact["id"]
    assert back["data"]["phone"] == "+13125550111"

    available = api.get("/v1/numbers/available?area_code=555", headers=account.headers).json()
    number = available["data"][0]["phone_number"]
    api.post("/v1/numbers/purchase", json={"phone_number": number}, headers=account.headers)
    r = api.post(
        "/v1/simulator/inbound",
        json={"from": "+13125550122", "to": number, "body": "Hello there"},
        headers=account.headers,
    )
    assert r.status_code == 200, r.text
    (received,) = receiver.wait_for(lambda: _events(receiver, secret, "message.received"))
    assert received["data"]["body"] == "Hello there"
    assert received["data"]["direction"] == "inbound"
    conversation_id = received["data"]["conversation_id"]
    r = api.patch(
        f"/v1/conversations/{conversation_id}", json={"status": "closed"}, headers=account.headers
    )
    assert r.status_code == 200, r.text
    (updated,) = receiver.wait_for(lambda: _events(receiver, secret, "conversation.updated"))
    assert updated["data"]["id"] == conversation_id
    assert updated["data"]["status"] == "closed"
    # A read marker is one user's business: no event.
    api.post(f"/v1/conversations/{conversation_id}/read", headers=account.headers)
    for word in ("STOP", "START"):
        api.post(
            "/v1/simulator/inbound",
            json={"from": "+13125550122", "to": number, "body": word},
            headers=account.headers,
        )
    receiver.wait_for(lambda: len(_events(receiver, secret, "contact.opted_in")) == 2)
    assert len(_events(receiver, secret, "contact.opted_out")) == 2
    assert len(_events(receiver, secret, "conversation.updated")) == 1
    # Every request's id is unique per event.
    ids = [r.headers["webhook-id"] for r in receiver.requests]
    assert len(ids) == len(set(ids))


def test_campaign_lifecycle_events(
    api: httpx.Client, fake_twilio: FakeTwilio, receiver: Receiver
) -> None:
    setup = workspace_with_pool(api, fake_twilio, dids=1, mps=4.0)
    account = setup.ws.account
    endpoint = create_endpoint(
        api,
        account,
        receiver.url,
        event_types=[
            "campaign.launched",
            "campaign.paused",
            "campaign.resumed",
            "campaign.completed",
        ],
    )
    add_contacts(api, setup, 8, ["vip"])
    campaign = create_campaign(api, setup)
    path = f"/v1/campaigns/{campaign['id']}"
    assert api.post(f"{path}/launch", headers=setup.headers).status_code == 200
    assert api.post(f"{path}/pause", headers=setup.headers).status_code == 200
    assert api.post(f"{path}/resume", headers=setup.headers).status_code == 200
    wait_status(api, setup, campaign["id"], "completed")
    secret = endpoint["secret"]
    for kind in ("launched", "paused", "resumed", "completed"):
        (event,) = receiver.wait_for(lambda k=kind: _events(receiver, secret, f"campaign.{k}"))
        assert event["data"]["id"] == campaign["id"]
    (done,) = _events(receiver, secret, "campaign.completed")
    assert done["data"]["status"] == "completed"
    types = [json.loads(r.body)["type"] for r in receiver.requests]
    assert sorted(types) == sorted(
        ["campaign.launched", "campaign.paused", "campaign.resumed", "campaign.completed"]
    )


def test_an_import_completing_is_an_event(
    api: httpx.Client, account: Account, receiver: Receiver
) -> None:
    endpoint = create_endpoint(api, account, receiver.url, event_types=["import.completed"])
    r = api.post(
        "/v1/contacts/imports",
        files={"file": ("c.csv", b"phone\n+13125550178\n+13125550179\n", "text/csv")},
        headers=account.headers,
    )
    assert r.status_code == 202, r.text
    (event,) = receiver.wait_for(lambda: _events(receiver, endpoint["secret"], "import.completed"))
    assert event["data"]["id"] == r.json()["id"]
    assert event["data"]["status"] == "completed"
    assert event["data"]["rows_created"] == 2
