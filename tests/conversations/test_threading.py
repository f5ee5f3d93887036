"""Threading: one conversation per contact, every message in it in order; replies; paging."""

from __future__ import annotations

import httpx

from tests.campaigns.helpers import add_contacts, create_campaign, wait_status, workspace_with_pool
from tests.conversations.helpers import (
    api_key_headers,
    bodies,
    conversation_of,
    problem_type,
    send,
    text_in,
    thread,
    wait_bodies,
)
from tests.fakes.twilio import FakeTwilio
from tests.messaging.helpers import connect_twilio, new_phone, wait_until


def test_inbound_and_outbound_share_one_thread_in_order(
    api: httpx.Client, fake_twilio: FakeTwilio
) -> None:
    ws = connect_twilio(api, fake_twilio, "inbox")
    phone = new_phone()
    first = send(api, ws, phone, "Hello from us")
    conversation_id = first["conversation_id"]
    text_in(fake_twilio, ws, phone, "Hi back")
    r = api.post(
        f"/v1/conversations/{conversation_id}/messages",
        json={"body": "Great to hear"},
        headers=ws.headers,
    )
    assert r.status_code == 201, r.text
    reply = r.json()
    assert reply["conversation_id"] == conversation_id
    assert reply["sender_type"] == "agent"
    assert reply["from_number"] == ws.number["phone_number"]  # the thread's number
    # STOP and its confirmation are written in one transaction: still in that order.
    text_in(fake_twilio, ws, phone, "STOP")
    got = wait_bodies(api, ws.headers, conversation_id, 5)
    assert got[:4] == ["Hello from us", "Hi back", "Great to hear", "STOP"]
    assert "unsubscribed" in got[4]
    # One conversation for the contact, over one number.
    conversation = conversation_of(api, ws, phone)
    assert conversation["id"] == conversation_id
    assert conversation["number_id"] == ws.number["id"]
    assert conversation["contact"]["opted_out"] is True
    assert {m["from"] for m in fake_twilio.sent_to(phone)} == {ws.number["phone_number"]}


def test_campaign_messages_thread_into_the_conversation(
    api: httpx.Client, fake_twilio: FakeTwilio
) -> None:
    setup = workspace_with_pool(api, fake_twilio, dids=2)
    (contact,) = add_contacts(api, setup, 1, ["inbox-vip"])
    campaign = create_campaign(api, setup, audience={"tags": ["inbox-vip"]}, body="Sale today")
    launch = api.post(f"/v1/campaigns/{campaign['id']}/launch", headers=setup.headers)
    assert launch.status_code == 200, launch.text
    wait_status(api, setup, campaign["id"], "completed")
    text_in(fake_twilio, setup.ws, contact["phone"], "Tell me more")
    listed = api.get(
        "/v1/conversations", params={"campaign_id": campaign["id"]}, headers=setup.headers
    ).json()["data"]
    (conversation,) = listed
    assert conversation["contact"]["id"] == contact["id"]
    assert conversation["last_campaign_id"] == campaign["id"]
    assert bodies(api, setup.headers, conversation["id"]) == ["Sale today", "Tell me more"]
    # The reply goes out over the number the campaign used (sticky), whichever it was.
    sale = fake_twilio.sent_to(contact["phone"])[0]
    r = api.post(
        f"/v1/conversations/{conversation['id']}/messages",
        json={"body": "Here you go"},
        headers=setup.headers,
    )
    assert r.status_code == 201, r.text
    assert r.json()["from_number"] == sale["from"]
    other = api.get(
        "/v1/conversations",
        params={"campaign_id": "00000000-0000-4000-8000-000000000000"},
        headers=setup.headers,
    )
    assert other.json()["data"] == []


def test_reply_to_an_opted_out_contact_is_refused(
    api: httpx.Client, fake_twilio: FakeTwilio
) -> None:
    ws = connect_twilio(api, fake_twilio, "inbox")
    phone = new_phone()
    conversation_id = send(api, ws, phone, "Hello")["conversation_id"]
    text_in(fake_twilio, ws, phone, "Stop.")
    wait_until(lambda: len(fake_twilio.sent_to(phone)) == 2)  # hello + the confirmation
    r = api.post(
        f"/v1/conversations/{conversation_id}/messages", json={"body": "Wait!"}, headers=ws.headers
    )
    assert r.status_code == 409, r.text
    assert problem_type(r) == "contact-opted-out"
    assert r.json()["contact_id"] == conversation_of(api, ws, phone)["contact"]["id"]
    assert "Wait!" not in bodies(api, ws.headers, conversation_id)
    assert len(fake_twilio.sent_to(phone)) == 2
    # START opts back in: replies go again.
    text_in(fake_twilio, ws, phone, "START")
    r = api.post(
        f"/v1/conversations/{conversation_id}/messages",
        json={"body": "Welcome"},
        headers=ws.headers,
    )
    assert r.status_code == 201, r.text


def test_reply_by_api_key_with_idempotency_key(api: httpx.Client, fake_twilio: FakeTwilio) -> None:
    ws = connect_twilio(api, fake_twilio, "inbox")
    phone = new_phone()
    conversation_id = send(api, ws, phone, "Hello")["conversation_id"]
    key_headers = {**api_key_headers(api, ws.account), "Idempotency-Key": "reply-1"}
    path = f"/v1/conversations/{conversation_id}/messages"
    first = api.post(path, json={"body": "Once"}, headers=key_headers)
    assert first.status_code == 201, first.text
    assert first.json()["sender_type"] == "api"
    again = api.post(path, json={"body": "Once"}, headers=key_headers)
    assert again.status_code == 200, again.text
    assert again.json()["id"] == first.json()["id"]
    assert [m["body"] for m in fake_twilio.sent_to(phone)] == ["Hello", "Once"]
    # The same key on another conversation is a conflict, not a silent replay.
    other = send(api, ws, new_phone(), "Hi")["conversation_id"]
    r = api.post(f"/v1/conversations/{other}/messages", json={"body": "Once"}, headers=key_headers)
    assert r.status_code == 409
    assert problem_type(r) == "idempotency-key-reused"


def test_reply_bodies_are_validated(api: httpx.Client, fake_twilio: FakeTwilio) -> None:
    ws = connect_twilio(api, fake_twilio, "inbox")
    conversation_id = send(api, ws, new_phone(), "Hello")["conversation_id"]
    path = f"/v1/conversations/{conversation_id}/messages"
    template = "00000000-0000-4000-8000-000000000000"
    for body in (
        {},
        {"body": ""},
        {"body": "x", "template_id": template},
        {"template_version": 2, "body": "x"},
        {"body": "x", "media_urls": ["ftp://example.com/a.png"]},
        {"body": "x", "unknown": 1},
    ):
        r = api.post(path, json=body, headers=ws.headers)
        assert r.status_code == 422, (body, r.text)
    r = api.post(path, json={"template_id": template}, headers=ws.headers)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "body.template_id"
    missing = api.post(
        "/v1/conversations/00000000-0000-4000-8000-000000000000/messages",
        json={"body": "x"},
        headers=ws.headers,
    )
    assert missing.status_code == 404
    assert api.get("/v1/conversations/not-a-uuid", headers=ws.headers).status_code == 422


def test_messages_page_both_ways_in_chronological_order(
    api: httpx.Client, fake_twilio: FakeTwilio
) -> None:
    ws = connect_twilio(api, fake_twilio, "inbox")
    phone = new_phone()
    conversation_id = send(api, ws, phone, "m0")["conversation_id"]
    for i in range(1, 7):
        text_in(fake_twilio, ws, phone, f"m{i}")
    newest = thread(api, ws.headers, conversation_id, limit=3)
    assert [m["body"] for m in newest["data"]] == ["m4", "m5", "m6"]
    assert (newest["has_older"], newest["has_newer"]) == (True, False)
    older = thread(api, ws.headers, conversation_id, limit=3, before=newest["before_cursor"])
    assert [m["body"] for m in older["data"]] == ["m1", "m2", "m3"]
    assert (older["has_older"], older["has_newer"]) == (True, True)
    oldest = thread(api, ws.headers, conversation_id, limit=3, before=older["before_cursor"])
    assert [m["body"] for m in oldest["data"]] == ["m0"]
    assert oldest["has_older"] is False
    forward = thread(api, ws.headers, conversation_id, limit=4, after=oldest["after_cursor"])
    assert [m["body"] for m in forward["data"]] == ["m1", "m2", "m3", "m4"]
    assert forward["has_newer"] is True
    # Polling past the end: nothing yet, and the cursor to poll with again.
    end = thread(api, ws.headers, conversation_id, after=newest["after_cursor"])
    assert end["data"] == []
    assert end["has_newer"] is False
    assert end["after_cursor"] == newest["after_cursor"]
    text_in(fake_twilio, ws, phone, "m7")
    polled = thread(api, ws.headers, conversation_id, after=end["after_cursor"])
    assert [m["body"] for m in polled["data"]] == ["m7"]
    path = f"/v1/conversations/{conversation_id}/messages"
    for params in (
        {"before": "garbage"},
        {"after": "garbage"},
        {"before": newest["before_cursor"], "after": newest["after_cursor"]},
        {"limit": 0},
    ):
        r = api.get(path, params=params, headers=ws.headers)
        assert r.status_code == 422, (params, r.text)
