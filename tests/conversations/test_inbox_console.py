"""What the console's inbox needs: the has_inbound filter, full counts, the "changes since"
poll (ETag / 304), mark unread, snooze until reply, the lead, the reply preview, MMS media."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import text

from shared.conversations.models import Conversation
from shared.db.session import tenant_session
from tests.conversations.helpers import conversation_of, counts, patch, send, text_in
from tests.fakes.twilio import FakeTwilio
from tests.messaging.helpers import TwilioWorkspace, connect_twilio, new_phone


@pytest.fixture
def ws(api: httpx.Client, fake_twilio: FakeTwilio) -> TwilioWorkspace:
    return connect_twilio(api, fake_twilio, "inboxui")


def _list(api: httpx.Client, ws: TwilioWorkspace, **params: object) -> list[str]:
    r = api.get("/v1/conversations", params=params, headers=ws.headers)
    assert r.status_code == 200, r.text
    return [c["contact"]["phone"] for c in r.json()["data"]]


def test_has_inbound_keeps_campaign_only_threads_out_of_the_queue(
    api: httpx.Client, fake_twilio: FakeTwilio, ws: TwilioWorkspace
) -> None:
    quiet, answered = new_phone(), new_phone()
    send(api, ws, quiet, "Sale today")
    send(api, ws, answered, "Sale today")
    text_in(fake_twilio, ws, answered, "tell me more")
    assert _list(api, ws, has_inbound=True) == [answered]
    assert _list(api, ws, has_inbound=False) == [quiet]
    assert set(_list(api, ws)) == {quiet, answered}
    # Still reachable from the contact (its conversation, by phone search).
    assert conversation_of(api, ws, quiet)["last_inbound_at"] is None
    got = api.get("/v1/conversations/counts", params={"has_inbound": True}, headers=ws.headers)
    assert got.json()["open"] == 1
    assert counts(api, ws.headers)["open"] == 2
    bad = api.get("/v1/conversations", params={"has_inbound": "maybe"}, headers=ws.headers)
    assert bad.status_code == 422


def test_counts_snoozed_closed_and_per_stage(
    api: httpx.Client, fake_twilio: FakeTwilio, ws: TwilioWorkspace
) -> None:
    ids = []
    for body in ("a", "b", "c"):
        phone = new_phone()
        text_in(fake_twilio, ws, phone, body)
        ids.append(conversation_of(api, ws, phone)["id"])
    assert patch(api, ws.headers, ids[0], status="closed").status_code == 200
    assert patch(api, ws.headers, ids[1], status="snoozed").status_code == 200
    r = api.put(
        f"/v1/conversations/{ids[2]}/lead",
        json={"stage": "qualified", "fields": {"budget": "5k"}},
        headers=ws.headers,
    )
    assert r.status_code == 200, r.text
    got = counts(api, ws.headers)
    assert (got["open"], got["snoozed"], got["closed"]) == (1, 1, 1)
    assert got["by_lead_stage"] == {"qualified": 1}


def test_snooze_until_reply_reopens_on_the_reply(
    api: httpx.Client, fake_twilio: FakeTwilio, ws: TwilioWorkspace
) -> None:
    phone = new_phone()
    text_in(fake_twilio, ws, phone, "hello")
    conversation_id = conversation_of(api, ws, phone)["id"]
    r = patch(api, ws.headers, conversation_id, status="snoozed")
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["snoozed_until"]) == ("snoozed", None)
    text_in(fake_twilio, ws, phone, "back again")
    assert conversation_of(api, ws, phone)["status"] == "open"


def _changes(
    api: httpx.Client, ws: TwilioWorkspace, since: str | None = None, etag: str | None = None
) -> httpx.Response:
    headers = dict(ws.headers)
    if etag:
        headers["If-None-Match"] = etag
    params = {"since": since} if since else {}
    return api.get("/v1/conversations/changes", params=params, headers=headers)


def test_changes_since_with_etag_and_304(
    api: httpx.Client, fake_twilio: FakeTwilio, ws: TwilioWorkspace
) -> None:
    first = _changes(api, ws)
    assert first.status_code == 200
    assert first.json()["changed"] == []
    cursor = first.json()["cursor"]
    phone = new_phone()
    text_in(fake_twilio, ws, phone, "hi there")
    conversation_id = conversation_of(api, ws, phone)["id"]
    r = _changes(api, ws, cursor)
    assert r.status_code == 200
    assert [c["id"] for c in r.json()["changed"]] == [conversation_id]
    assert r.headers["ETag"]
    assert r.headers["Cache-Control"] == "no-cache"
    cursor, etag = r.json()["cursor"], r.headers["ETag"]
    # Nothing changed: 304 with no body, as often as asked.
    for _ in range(2):
        same = _changes(api, ws, cursor, etag)
        assert same.status_code == 304
        assert same.content == b""
        assert same.headers["ETag"] == etag
    # A state change by anyone changes the answer.
    assert patch(api, ws.headers, conversation_id, status="closed").status_code == 200
    moved = _changes(api, ws, cursor, etag)
    assert moved.status_code == 200
    assert moved.headers["ETag"] != etag
    assert moved.json()["cursor"] != cursor
    # Another workspace's changes are not seen (nor its conversations).
    other = connect_twilio(api, fake_twilio, "other")
    text_in(fake_twilio, other, new_phone(), "elsewhere")
    again = _changes(api, ws, moved.json()["cursor"], moved.headers["ETag"])
    assert again.status_code == 304
    assert _changes(api, ws, "garbage").status_code == 422


def test_changes_sees_a_transaction_that_committed_late(
    api: httpx.Client, fake_twilio: FakeTwilio, ws: TwilioWorkspace
) -> None:
    """updated_at is its transaction's start: a change stamped before the cursor but
    committed after it is still reported (the overlap window)."""
    phones = [new_phone(), new_phone()]
    for phone in phones:
        text_in(fake_twilio, ws, phone, "hello")
    late_id = conversation_of(api, ws, phones[0])["id"]
    r = _changes(api, ws, _changes(api, ws).json()["cursor"])
    cursor, etag = r.json()["cursor"], r.headers["ETag"]
    assert _changes(api, ws, cursor, etag).status_code == 304
    with tenant_session(uuid.UUID(ws.account.workspace_id)) as s:
        row = s.get_one(Conversation, uuid.UUID(late_id))
        s.execute(
            text("update conversations set updated_at = :at where id = :id"),
            {"at": row.updated_at - timedelta(seconds=5), "id": row.id},
        )
    late = _changes(api, ws, cursor, etag)
    assert late.status_code == 200
    assert late_id in [c["id"] for c in late.json()["changed"]]


def test_changes_is_one_index_range_scan(
    api: httpx.Client, fake_twilio: FakeTwilio, ws: TwilioWorkspace
) -> None:
    from sqlalchemy import select

    text_in(fake_twilio, ws, new_phone(), "hello")
    tenant_id = uuid.UUID(ws.account.workspace_id)
    since = datetime.now(UTC) - timedelta(minutes=1)
    stmt = (
        select(Conversation.id, Conversation.updated_at)
        .where(Conversation.tenant_id == tenant_id, Conversation.updated_at > since)
        .order_by(Conversation.updated_at.desc(), Conversation.id.desc())
        .limit(101)
    )
    with tenant_session(tenant_id) as s:
        # A few rows make any plan cheap: what is checked is that the index serves the
        # feed's filter and order alone (no scan of the table, no sort).
        s.execute(text("set local enable_seqscan = off"))
        s.execute(text("set local enable_sort = off"))
        compiled = stmt.compile(compile_kwargs={"literal_binds": True})
        plan = "\n".join(r[0] for r in s.execute(text(f"explain {compiled}")))
    assert "ix_conversations_changes" in plan, plan
    assert "Sort" not in plan, plan


def test_mark_unread(api: httpx.Client, fake_twilio: FakeTwilio, ws: TwilioWorkspace) -> None:
    phone = new_phone()
    text_in(fake_twilio, ws, phone, "hello")
    conversation_id = conversation_of(api, ws, phone)["id"]
    read = api.post(f"/v1/conversations/{conversation_id}/read", headers=ws.headers)
    assert read.json()["unread"] is False
    unread = api.delete(f"/v1/conversations/{conversation_id}/read", headers=ws.headers)
    assert unread.status_code == 200
    assert unread.json()["unread"] is True
    assert counts(api, ws.headers)["unread"] == 1
    missing = api.delete(f"/v1/conversations/{uuid.uuid4()}/read", headers=ws.headers)
    assert missing.status_code == 404


def test_lead_set_by_the_agent_with_history(
    api: httpx.Client, fake_twilio: FakeTwilio, ws: TwilioWorkspace
) -> None:
    phone = new_phone()
    text_in(fake_twilio, ws, phone, "hello")
    conversation_id = conversation_of(api, ws, phone)["id"]
    url = f"/v1/conversations/{conversation_id}/lead"
    assert api.get(url, headers=ws.headers).json() == {"stage": "new", "fields": {}, "history": []}
    one = api.put(
        url,
        json={"stage": "engaged", "fields": {"budget": "5k", "size": "12", "vip": True}},
        headers=ws.headers,
    )
    assert one.status_code == 200, one.text
    two = api.put(
        url,
        json={"stage": "qualified", "fields": {"size": None, "city": "Paris"}, "note": "call"},
        headers=ws.headers,
    )
    body = two.json()
    assert body["stage"] == "qualified"
    assert body["fields"] == {"budget": "5k", "vip": True, "city": "Paris"}
    assert [(h["stage"], h["source"], h["note"]) for h in body["history"]] == [
        ("qualified", "agent", "call"),
        ("engaged", "agent", None),
    ]
    assert conversation_of(api, ws, phone)["lead_stage"] == "qualified"
    contact = api.get(
        f"/v1/contacts/{conversation_of(api, ws, phone)['contact']['id']}", headers=ws.headers
    ).json()
    assert contact["lead_stage"] == "qualified"
    for bad in (
        {"stage": "hot"},
        {"stage": "new", "fields": {"": "x"}},
        {"stage": "new", "fields": {"a": {"nested": 1}}},
        {"stage": "new", "fields": {"a": "x" * 501}},
        {"stage": "new", "extra": 1},
    ):
        assert api.put(url, json=bad, headers=ws.headers).status_code == 422, bad
    assert api.get(f"/v1/conversations/{uuid.uuid4()}/lead", headers=ws.headers).status_code == 404


def test_reply_preview_encoding_and_segments(
    api: httpx.Client, fake_twilio: FakeTwilio, ws: TwilioWorkspace
) -> None:
    phone = new_phone()
    text_in(fake_twilio, ws, phone, "hello")
    conversation_id = conversation_of(api, ws, phone)["id"]
    url = f"/v1/conversations/{conversation_id}/messages/preview"
    gsm = api.post(url, json={"body": "x" * 161}, headers=ws.headers).json()
    assert (gsm["encoding"], gsm["segments"], gsm["characters"]) == ("GSM-7", 2, 161)
    ucs = api.post(url, json={"body": "hi 😀"}, headers=ws.headers).json()
    assert ucs["encoding"] == "UCS-2"
    assert ucs["unicode_chars"] == ["😀"]
    tpl = api.post(
        "/v1/templates",
        json={"name": "hi", "body": "Hi {{first_name|there}}!"},
        headers=ws.headers,
    )
    assert tpl.status_code == 201, tpl.text
    rendered = api.post(url, json={"template_id": tpl.json()["id"]}, headers=ws.headers)
    assert rendered.status_code == 200, rendered.text
    assert rendered.json()["text"] == "Hi there!"
    assert api.post(url, json={}, headers=ws.headers).status_code == 422
    # Nothing was sent.
    thread = api.get(f"/v1/conversations/{conversation_id}/messages", headers=ws.headers).json()
    assert [m["direction"] for m in thread["data"]] == ["inbound"]


def test_inbound_mms_media_in_the_thread(
    api: httpx.Client, fake_twilio: FakeTwilio, ws: TwilioWorkspace
) -> None:
    phone = new_phone()
    media = "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1"
    assert (
        fake_twilio.send_inbound(
            to=ws.number["phone_number"],
            from_=phone,
            body="look",
            NumMedia="1",
            MediaUrl0=media,
            MediaContentType0="image/jpeg",
        )
        == 200
    )
    conversation_id = conversation_of(api, ws, phone)["id"]
    thread = api.get(f"/v1/conversations/{conversation_id}/messages", headers=ws.headers).json()
    assert thread["data"][0]["media_urls"] == [media]
