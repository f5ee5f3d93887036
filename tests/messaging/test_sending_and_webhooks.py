"""Single send, signed status callbacks, inbound threading, keywords, 21610, idempotency."""

from __future__ import annotations

import urllib.parse

import httpx
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from shared.contacts.models import ConsentEvent, Contact
from shared.db.session import system_session
from shared.messaging.models import Message
from tests.fakes.twilio import FakeTwilio
from tests.messaging.helpers import connect_twilio, message_status, new_phone, wait_until


def _send(
    api: httpx.Client, headers: dict[str, str], to: str, body: str = "Hello there"
) -> httpx.Response:
    return api.post("/v1/messages", json={"to": to, "body": body}, headers=headers)


def _signed_post(
    api: httpx.Client,
    gateway_url: str,
    path: str,
    params: dict[str, str],
    token: str,
    signature: str | None = None,
) -> httpx.Response:
    url = gateway_url + path
    sig = (
        signature
        if signature is not None
        else RequestValidator(token).compute_signature(url, params)
    )
    return api.post(
        path,
        content=urllib.parse.urlencode(params),
        headers={"X-Twilio-Signature": sig, "Content-Type": "application/x-www-form-urlencoded"},
    )


def test_send_then_callbacks_move_it_to_delivered(
    api: httpx.Client, fake_twilio: FakeTwilio
) -> None:
    ws = connect_twilio(api, fake_twilio)
    to = new_phone()
    r = _send(api, ws.headers, to)
    assert r.status_code == 201, r.text
    message = r.json()
    # The provider has it; its first callback (naming the message) may already be applied.
    assert message["status"] in ("sending", "sent")
    assert message["provider_sid"].startswith("SM")
    assert message["segments"] == 1
    (sent,) = fake_twilio.sent_to(to)
    assert sent["from"] == ws.number["phone_number"]
    assert sent["body"] == "Hello there"
    wait_until(lambda: message_status(api, ws.headers, message["id"]) == "delivered")
    final = api.get(f"/v1/messages/{message['id']}", headers=ws.headers).json()
    assert final["sent_at"]
    assert final["delivered_at"]


def _stored(message_id: str) -> tuple[object, ...]:
    with system_session() as s:
        m = s.get_one(Message, message_id)
        return (m.status, m.provider_sid, m.sent_at, m.delivered_at, m.updated_at)


def test_status_never_moves_backwards_and_redelivery_changes_nothing(
    api: httpx.Client, fake_twilio: FakeTwilio, gateway_url: str
) -> None:
    ws = connect_twilio(api, fake_twilio)
    message = _send(api, ws.headers, new_phone()).json()
    wait_until(lambda: message_status(api, ws.headers, message["id"]) == "delivered")
    before = _stored(message["id"])
    late = {
        "MessageSid": message["provider_sid"],
        "MessageStatus": "sent",
        "From": ws.number["phone_number"],
        "To": message["to_number"],
        "AccountSid": ws.sid,
    }
    again = {**late, "MessageStatus": "delivered"}
    for params in (late, again, again):
        for path in ("/webhooks/twilio/status", f"/webhooks/twilio/status?m={message['id']}"):
            assert _signed_post(api, gateway_url, path, params, ws.token).status_code == 200
    assert _stored(message["id"]) == before


def test_a_callback_naming_its_message_is_applied_before_the_sid_is_recorded(
    api: httpx.Client, fake_twilio: FakeTwilio, gateway_url: str
) -> None:
    ws = connect_twilio(api, fake_twilio)
    message = _send(api, ws.headers, new_phone()).json()
    (sent,) = fake_twilio.sent_to(message["to_number"])
    assert sent["_callback"].endswith(f"/webhooks/twilio/status?m={message['id']}")
    wait_until(lambda: message_status(api, ws.headers, message["id"]) == "delivered")
    with system_session() as s:  # as if the send's answer were still on its way
        m = s.get_one(Message, message["id"])
        m.status, m.provider_sid, m.delivered_at = "sending", None, None
    params = {
        "MessageSid": message["provider_sid"],
        "MessageStatus": "delivered",
        "From": ws.number["phone_number"],
        "To": message["to_number"],
        "AccountSid": ws.sid,
    }
    path = f"/webhooks/twilio/status?m={message['id']}"
    assert _signed_post(api, gateway_url, path, params, ws.token).status_code == 200
    status, sid, _, delivered_at, _ = _stored(message["id"])
    assert (status, sid) == ("delivered", message["provider_sid"])
    assert delivered_at is not None
    # Another message's sid cannot be written through a callback naming this one.
    with system_session() as s:
        s.get_one(Message, message["id"]).status = "sending"
    other = {**params, "MessageSid": "SM" + "f" * 32}
    assert _signed_post(api, gateway_url, path, other, ws.token).status_code == 200
    assert _stored(message["id"])[:2] == ("sending", message["provider_sid"])


def test_a_callback_by_sid_alone_before_the_sid_is_recorded_waits_for_the_record(
    api: httpx.Client, fake_twilio: FakeTwilio, gateway_url: str
) -> None:
    """A callback that does not name its message (a Messaging Service's own) and comes
    before the send's answer recorded the sid is parked, and applied by the record."""
    import uuid
    from datetime import UTC, datetime

    from shared.messaging.delivery import Accepted, record_accepted

    ws = connect_twilio(api, fake_twilio)
    message = _send(api, ws.headers, new_phone()).json()
    wait_until(lambda: message_status(api, ws.headers, message["id"]) == "delivered")
    with system_session() as s:  # as if the send's answer were still on its way
        m = s.get_one(Message, message["id"])
        m.status, m.provider_sid, m.delivered_at = "sending", None, None
        tenant_id = m.tenant_id
    params = {
        "MessageSid": message["provider_sid"],
        "MessageStatus": "delivered",
        "From": ws.number["phone_number"],
        "To": message["to_number"],
        "AccountSid": ws.sid,
    }
    path = "/webhooks/twilio/status"
    assert _signed_post(api, gateway_url, path, params, ws.token).status_code == 200
    assert _stored(message["id"])[:2] == ("sending", None)  # parked: no message has the sid
    answer = Accepted(uuid.UUID(message["id"]), message["provider_sid"], 1, datetime.now(UTC))
    record_accepted(tenant_id, [answer])
    assert _stored(message["id"])[:2] == ("delivered", message["provider_sid"])


def test_bad_or_missing_signature_is_403_and_stores_nothing(
    api: httpx.Client, fake_twilio: FakeTwilio, gateway_url: str
) -> None:
    ws = connect_twilio(api, fake_twilio)
    params = {
        "MessageSid": "SM" + "a" * 32,
        "From": new_phone(),
        "To": ws.number["phone_number"],
        "Body": "hi",
        "AccountSid": ws.sid,
    }
    for signature in ("", "bm90LWEtc2lnbmF0dXJl"):
        r = _signed_post(api, gateway_url, "/webhooks/twilio/inbound", params, ws.token, signature)
        assert r.status_code == 403
        assert r.headers["content-type"] == "application/problem+json"
    # Signed with another account's token: refused too.
    r = _signed_post(api, gateway_url, "/webhooks/twilio/inbound", params, "0" * 32)
    assert r.status_code == 403
    with system_session() as s:
        assert s.scalar(select(Message).where(Message.provider_sid == params["MessageSid"])) is None


def test_inbound_is_stored_threaded_and_idempotent(
    api: httpx.Client, fake_twilio: FakeTwilio
) -> None:
    ws = connect_twilio(api, fake_twilio)
    phone = new_phone()
    outbound = _send(api, ws.headers, phone).json()
    sid_params = {"MessageSid": "SM" + "b" * 31 + phone[-1], "ExtraUnknownParam": "ok"}
    assert (
        fake_twilio.send_inbound(
            to=ws.number["phone_number"], from_=phone, body="Yes please", **sid_params
        )
        == 200
    )
    assert (
        fake_twilio.send_inbound(
            to=ws.number["phone_number"], from_=phone, body="Yes please", **sid_params
        )
        == 200
    )
    inbound = api.get(
        f"/v1/messages?direction=inbound&contact_id={outbound['contact_id']}", headers=ws.headers
    ).json()["data"]
    assert len(inbound) == 1
    assert inbound[0]["conversation_id"] == outbound["conversation_id"]
    assert inbound[0]["body"] == "Yes please"


def test_inbound_from_an_unknown_number_creates_the_contact(
    api: httpx.Client, fake_twilio: FakeTwilio
) -> None:
    ws = connect_twilio(api, fake_twilio)
    phone = new_phone()
    assert (
        fake_twilio.send_inbound(to=ws.number["phone_number"], from_=phone, body="Who is this?")
        == 200
    )
    (message,) = api.get("/v1/messages?direction=inbound", headers=ws.headers).json()["data"]
    assert message["from_number"] == phone
    assert message["contact_id"]
    assert message["conversation_id"]


def test_stop_opts_out_confirms_once_and_blocks_later_sends(
    api: httpx.Client, fake_twilio: FakeTwilio
) -> None:
    ws = connect_twilio(api, fake_twilio)
    phone = new_phone()
    assert (
        fake_twilio.send_inbound(to=ws.number["phone_number"], from_=phone, body="  Stop. ") == 200
    )
    confirmation = wait_until(lambda: fake_twilio.sent_to(phone))
    assert len(confirmation) == 1
    assert "unsubscribed" in confirmation[0]["body"]
    with system_session() as s:
        contact = s.execute(select(Contact).where(Contact.phone == phone)).scalar_one()
        assert contact.opted_out
        (event,) = s.scalars(select(ConsentEvent).where(ConsentEvent.contact_id == contact.id))
        assert (event.kind, event.source) == ("opt_out", "keyword")
        assert event.message_id is not None
    refused = _send(api, ws.headers, phone)
    assert refused.status_code == 409
    assert refused.json()["type"].endswith("/contact-opted-out")
    assert len(fake_twilio.sent_to(phone)) == 1

    assert fake_twilio.send_inbound(to=ws.number["phone_number"], from_=phone, body="START") == 200
    wait_until(lambda: len(fake_twilio.sent_to(phone)) == 2)
    assert _send(api, ws.headers, phone).status_code == 201


def test_stop_inside_a_sentence_is_not_an_opt_out(
    api: httpx.Client, fake_twilio: FakeTwilio
) -> None:
    ws = connect_twilio(api, fake_twilio)
    phone = new_phone()
    fake_twilio.send_inbound(
        to=ws.number["phone_number"], from_=phone, body="please stop texting me"
    )
    assert _send(api, ws.headers, phone).status_code == 201


def test_help_replies_and_advanced_opt_out_sends_no_confirmation(
    api: httpx.Client, fake_twilio: FakeTwilio
) -> None:
    ws = connect_twilio(api, fake_twilio)
    phone = new_phone()
    fake_twilio.send_inbound(to=ws.number["phone_number"], from_=phone, body="help")
    (reply,) = wait_until(lambda: fake_twilio.sent_to(phone))
    assert "STOP" in reply["body"]
    other = new_phone()
    fake_twilio.send_inbound(
        to=ws.number["phone_number"], from_=other, body="STOP", OptOutType="STOP"
    )
    assert _send(api, ws.headers, other).status_code == 409  # opted out all the same
    assert fake_twilio.sent_to(other) == []  # Twilio confirmed it; we did not


def test_21610_on_send_opts_the_contact_out(api: httpx.Client, fake_twilio: FakeTwilio) -> None:
    ws = connect_twilio(api, fake_twilio)
    phone = "+141555" + "21610"
    r = _send(api, ws.headers, phone)
    assert r.status_code == 201
    assert r.json()["status"] == "failed"
    assert r.json()["error_code"] == 21610
    with system_session() as s:
        contact = s.execute(select(Contact).where(Contact.phone == phone)).scalar_one()
        assert contact.opted_out
        sources = set(
            s.scalars(select(ConsentEvent.source).where(ConsentEvent.contact_id == contact.id))
        )
    assert sources == {"provider_error"}
    assert _send(api, ws.headers, phone).status_code == 409


def test_transient_errors_are_retried_not_lost(api: httpx.Client, fake_twilio: FakeTwilio) -> None:
    ws = connect_twilio(api, fake_twilio)
    phone = new_phone()
    fake_twilio.fail_next(429, 20429)
    r = _send(api, ws.headers, phone)
    assert r.status_code == 201
    assert r.json()["status"] == "queued"
    wait_until(lambda: message_status(api, ws.headers, r.json()["id"]) == "delivered", timeout=20)
    assert len(fake_twilio.sent_to(phone)) == 1


def test_idempotency_key_sends_once(api: httpx.Client, fake_twilio: FakeTwilio) -> None:
    ws = connect_twilio(api, fake_twilio)
    phone = new_phone()
    headers = {**ws.headers, "Idempotency-Key": "order-42"}
    first = api.post("/v1/messages", json={"to": phone, "body": "Once"}, headers=headers)
    second = api.post("/v1/messages", json={"to": phone, "body": "Once"}, headers=headers)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert len(fake_twilio.sent_to(phone)) == 1


def test_invalid_destination_is_422(api: httpx.Client, fake_twilio: FakeTwilio) -> None:
    ws = connect_twilio(api, fake_twilio)
    r = _send(api, ws.headers, "12")
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "body.to"
