"""The inbox: listing order, filters, search, assignment, unread counts, snooze, events."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from shared.conversations.models import Conversation
from shared.conversations.service import wake
from shared.db.session import tenant_session
from tests.conversations.helpers import (
    RecordingBackend,
    api_key_headers,
    conversation_of,
    counts,
    invite_member,
    patch,
    problem_type,
    send,
    text_in,
)
from tests.fakes.smtp import Mailbox
from tests.fakes.twilio import FakeTwilio
from tests.identity_helpers import signup
from tests.messaging.helpers import TwilioWorkspace, connect_twilio, new_phone, wait_until


def _ids(api: httpx.Client, ws: TwilioWorkspace, **params: object) -> list[str]:
    r = api.get("/v1/conversations", params=params, headers=ws.headers)
    assert r.status_code == 200, r.text
    return [c["id"] for c in r.json()["data"]]


def _in(api: httpx.Client, fake: FakeTwilio, ws: TwilioWorkspace, body: str) -> tuple[str, str]:
    """A new contact texts in; returns (phone, conversation id)."""
    phone = new_phone()
    text_in(fake, ws, phone, body)
    return phone, str(conversation_of(api, ws, phone)["id"])


@pytest.fixture
def ws(api: httpx.Client, fake_twilio: FakeTwilio) -> TwilioWorkspace:
    return connect_twilio(api, fake_twilio, "inbox")


def test_newest_activity_first_with_cursor_paging(
    api: httpx.Client, fake_twilio: FakeTwilio, ws: TwilioWorkspace
) -> None:
    phones, made = zip(*[_in(api, fake_twilio, ws, f"hello {i}") for i in range(4)], strict=True)
    assert _ids(api, ws) == list(made[::-1])
    # New activity moves a conversation to the top.
    send(api, ws, phones[0], "hi")
    expected = [made[0], made[3], made[2], made[1]]
    assert _ids(api, ws) == expected
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, object] = {"limit": 3}
        if cursor:
            params["cursor"] = cursor
        page = api.get("/v1/conversations", params=params, headers=ws.headers).json()
        seen += [c["id"] for c in page["data"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == expected
    bad = api.get("/v1/conversations", params={"cursor": "nope"}, headers=ws.headers)
    assert bad.status_code == 422


def test_filters_status_assignee_lead_stage(
    api: httpx.Client, fake_twilio: FakeTwilio, ws: TwilioWorkspace
) -> None:
    _, a = _in(api, fake_twilio, ws, "first")
    _, b = _in(api, fake_twilio, ws, "second")
    _, c = _in(api, fake_twilio, ws, "third")
    assert patch(api, ws.headers, a, status="closed").status_code == 200
    assert patch(api, ws.headers, b, assignee_id=ws.account.user_id).status_code == 200
    with tenant_session(uuid.UUID(ws.account.workspace_id)) as s:
        s.get_one(Conversation, uuid.UUID(c)).lead_stage = "qualified"  # what the AI records
    assert _ids(api, ws, status="closed") == [a]
    assert _ids(api, ws, status="open") == [c, b]
    assert _ids(api, ws, status="snoozed") == []
    assert _ids(api, ws, assignee="me") == [b]
    assert _ids(api, ws, assignee=ws.account.user_id) == [b]
    assert _ids(api, ws, assignee="none") == [c, a]
    assert _ids(api, ws, lead_stage="qualified") == [c]
    assert _ids(api, ws, status="open", assignee="none") == [c]
    for params in (
        {"status": "archived"},
        {"assignee": "someone"},
        {"lead_stage": "hot"},
        {"unread": "maybe"},
        {"limit": 1000},
    ):
        r = api.get("/v1/conversations", params=params, headers=ws.headers)
        assert r.status_code == 422, (params, r.text)


def test_search_over_bodies_names_and_phones(
    api: httpx.Client, fake_twilio: FakeTwilio, ws: TwilioWorkspace
) -> None:
    marker = f"zq{uuid.uuid4().hex[:8]}"
    _, by_body = _in(api, fake_twilio, ws, f"Is the {marker}tastic heat pump still available?")
    named = api.post(
        "/v1/contacts",
        json={"phone": new_phone(), "first_name": f"{marker}ottilie", "last_name": "Brandt"},
        headers=ws.headers,
    ).json()
    by_name = send(api, ws, named["phone"], "Hello Ottilie")["conversation_id"]
    phone, by_phone = _in(api, fake_twilio, ws, "nothing special")
    assert _ids(api, ws, q=f"{marker}tastic") == [by_body]
    assert _ids(api, ws, q=f"HEAT {marker}") == [by_body]  # every word, as prefixes, any case
    assert _ids(api, ws, q=f"{marker}tastic boiler") == []
    assert _ids(api, ws, q=f"{marker}ottilie brandt") == [by_name]
    assert set(_ids(api, ws, q=marker)) == {by_body, by_name}
    assert _ids(api, ws, q=phone[-7:]) == [by_phone]
    assert _ids(api, ws, q=f"{phone[2:5]}-{phone[5:8]}-{phone[8:]}") == [by_phone]
    assert _ids(api, ws, q="it's a (tsquery) & | ! : * injection") == []
    for odd in ("_", "a_b", "\u00fcber", "\u65e5\u672c\u8a9e", "x" * 200, "1", "+1 (415)"):
        r = api.get("/v1/conversations", params={"q": odd}, headers=ws.headers)
        assert r.status_code == 200, (odd, r.text)
    r = api.get("/v1/conversations", params={"q": "!!!"}, headers=ws.headers)
    assert r.status_code == 422
    # Another workspace finds nothing of ours.
    other = signup(api, "inbox-other")
    r = api.get("/v1/conversations", params={"q": marker}, headers=other.headers)
    assert r.status_code == 200
    assert r.json()["data"] == []


def test_assignment_and_per_user_unread_counts(
    api: httpx.Client, fake_twilio: FakeTwilio, ws: TwilioWorkspace, mailbox: Mailbox
) -> None:
    owner = ws.account
    agent = invite_member(api, mailbox, owner)
    phone, a = _in(api, fake_twilio, ws, "one")
    _, b = _in(api, fake_twilio, ws, "two")
    send(api, ws, new_phone(), "outbound only")  # no inbound: never unread
    assert counts(api, owner.headers) == {
        "open": 3,
        "unread": 2,
        "mine": 0,
        "unassigned": 3,
        "snoozed": 0,
        "closed": 0,
        "by_lead_stage": {"new": 3},
    }
    assert counts(api, agent.headers)["unread"] == 2

    r = patch(api, owner.headers, a, assignee_id=agent.user_id)
    assert r.status_code == 200, r.text
    assert r.json()["assignee_id"] == agent.user_id
    assert counts(api, agent.headers)["mine"] == 1
    assert counts(api, owner.headers)["mine"] == 0
    assert counts(api, owner.headers)["unassigned"] == 2

    # Reading is per user.
    read = api.post(f"/v1/conversations/{a}/read", headers=agent.headers)
    assert read.status_code == 200, read.text
    assert read.json()["unread"] is False
    assert counts(api, agent.headers)["unread"] == 1
    assert counts(api, owner.headers)["unread"] == 2
    assert api.get(f"/v1/conversations/{a}", headers=owner.headers).json()["unread"] is True
    agent_ws = TwilioWorkspace(agent, ws.sid, ws.token, ws.number)
    assert _ids(api, agent_ws, unread="true") == [b]
    assert set(_ids(api, agent_ws, unread="false")) >= {a}
    # A new inbound message makes it unread again.
    text_in(fake_twilio, ws, phone, "one more thing")
    assert counts(api, agent.headers)["unread"] == 2
    # A reply marks the thread read for whoever sent it.
    r = api.post(f"/v1/conversations/{a}/messages", json={"body": "on it"}, headers=agent.headers)
    assert r.status_code == 201, r.text
    assert counts(api, agent.headers)["unread"] == 1

    # Only members can be assigned; null unassigns.
    stranger = signup(api, "stranger")
    r = patch(api, owner.headers, a, assignee_id=stranger.user_id)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "body.assignee_id"
    r = patch(api, owner.headers, a, assignee_id=None)
    assert r.status_code == 200
    assert r.json()["assignee_id"] is None
    # Closed conversations leave the open counts.
    assert patch(api, owner.headers, b, status="closed").status_code == 200
    got = counts(api, owner.headers)
    assert {k: got[k] for k in ("open", "unread", "mine", "unassigned", "closed")} == {
        "open": 2,
        "unread": 1,
        "mine": 0,
        "unassigned": 2,
        "closed": 1,
    }


def test_an_api_key_sees_unread_by_the_whole_workspace(
    api: httpx.Client, fake_twilio: FakeTwilio, ws: TwilioWorkspace, mailbox: Mailbox
) -> None:
    """An API key has no user: for it, unread means no member has read the conversation
    since its last inbound message. `assignee=me` and read markers still need a user."""
    agent = invite_member(api, mailbox, ws.account)
    phone, a = _in(api, fake_twilio, ws, "hello")
    _, b = _in(api, fake_twilio, ws, "hi there")
    key = api_key_headers(api, ws.account)
    got = counts(api, key)
    assert {k: got[k] for k in ("open", "unread", "mine", "unassigned")} == {
        "open": 2,
        "unread": 2,
        "mine": None,
        "unassigned": 2,
    }
    got = api.get(f"/v1/conversations/{a}", headers=key).json()
    assert got["unread"] is True
    assert got["last_read_at"] is None

    # One member reads `a`: nobody else has to for the workspace to have seen it.
    assert api.post(f"/v1/conversations/{a}/read", headers=agent.headers).status_code == 200
    listed = api.get("/v1/conversations", params={"unread": "true"}, headers=key)
    assert listed.status_code == 200, listed.text
    assert [c["id"] for c in listed.json()["data"]] == [b]
    read = api.get("/v1/conversations", params={"unread": "false"}, headers=key).json()
    assert [c["id"] for c in read["data"]] == [a]
    assert read["data"][0]["last_read_at"] is not None
    assert counts(api, key)["unread"] == 1
    assert counts(api, ws.account.headers)["unread"] == 2  # the owner has read nothing
    # A new inbound message makes it unread for the workspace again.
    text_in(fake_twilio, ws, phone, "one more thing")
    assert wait_until(lambda: counts(api, key)["unread"] == 2)
    # A removed member's reads no longer count.
    assert api.post(f"/v1/conversations/{b}/read", headers=agent.headers).status_code == 200
    assert counts(api, key)["unread"] == 1
    removed = api.delete(f"/v1/members/{agent.user_id}", headers=ws.account.headers)
    assert removed.status_code == 204, removed.text
    assert counts(api, key)["unread"] == 2

    r = api.get("/v1/conversations", params={"assignee": "me"}, headers=key)
    assert r.status_code == 422, r.text
    r = api.post(f"/v1/conversations/{a}/read", headers=key)
    assert r.status_code == 422
    assert problem_type(r) == "user-required"
    listed = api.get("/v1/conversations", params={"assignee": "none"}, headers=key)
    assert {c["id"] for c in listed.json()["data"]} == {a, b}


def test_patch_validation(api: httpx.Client, fake_twilio: FakeTwilio, ws: TwilioWorkspace) -> None:
    _, conversation_id = _in(api, fake_twilio, ws, "hello")
    soon = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    for body in (
        {},
        {"status": "closed", "snoozed_until": soon},
        {"snoozed_until": past},
        {"snoozed_until": (datetime.now(UTC) + timedelta(days=400)).isoformat()},
        {"snoozed_until": "2030-01-01T10:00:00"},  # no time zone
        {"status": None},
        {"ai_mode": "always"},
        {"status": "archived"},
        {"assignee_id": "not-a-uuid"},
        {"nickname": "x"},
    ):
        r = patch(api, ws.headers, conversation_id, **body)
        assert r.status_code == 422, (body, r.text)
    r = patch(api, ws.headers, conversation_id, ai_mode="off")
    assert r.status_code == 200
    assert r.json()["ai_mode"] == "off"
    missing = patch(api, ws.headers, str(uuid.uuid4()), status="closed")
    assert missing.status_code == 404


def test_snooze_reopens_when_its_time_comes(
    api: httpx.Client,
    fake_twilio: FakeTwilio,
    ws: TwilioWorkspace,
    recording_queue: RecordingBackend,
) -> None:
    _, conversation_id = _in(api, fake_twilio, ws, "ping me later")
    until = datetime.now(UTC) + timedelta(seconds=1.5)
    r = patch(api, ws.headers, conversation_id, snoozed_until=until.isoformat())
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "snoozed"
    assert _ids(api, ws, status="snoozed") == [conversation_id]
    assert counts(api, ws.headers)["open"] == 0
    (task,) = [t for t in recording_queue.scheduled if t[0] == "snoozes"]
    assert task[1]["conversation_id"] == conversation_id
    # Snoozing again to the same time schedules nothing more.
    assert (
        patch(api, ws.headers, conversation_id, snoozed_until=until.isoformat()).status_code == 200
    )
    assert len([t for t in recording_queue.scheduled if t[0] == "snoozes"]) == 1

    def reopened() -> bool:
        got = api.get(f"/v1/conversations/{conversation_id}", headers=ws.headers).json()
        return bool(got["status"] == "open" and got["snoozed_until"] is None)

    wait_until(reopened, timeout=10)
    changes = [
        e["changes"] for e in recording_queue.events("conversation.updated", conversation_id)
    ]
    assert changes == [["status", "snoozed_until"], ["status", "snoozed_until"]]


def test_snooze_task_is_stale_after_a_change_and_hops_when_early(
    api: httpx.Client, fake_twilio: FakeTwilio, ws: TwilioWorkspace
) -> None:
    tenant_id = uuid.UUID(ws.account.workspace_id)
    _, conversation_id = _in(api, fake_twilio, ws, "hello")
    conversation = uuid.UUID(conversation_id)
    until = datetime.now(UTC) + timedelta(days=20)
    assert (
        patch(api, ws.headers, conversation_id, snoozed_until=until.isoformat()).status_code == 200
    )
    stored = api.get(f"/v1/conversations/{conversation_id}", headers=ws.headers).json()
    until = datetime.fromisoformat(stored["snoozed_until"])
    # A hop (Cloud Tasks schedules at most 30 days ahead) arriving early re-schedules itself.
    assert wake(tenant_id, conversation, until) == "rescheduled"
    assert wake(tenant_id, conversation, until + timedelta(seconds=1)) == "stale"
    # Re-snoozed later, or opened by hand: the old task changes nothing.
    assert patch(api, ws.headers, conversation_id, status="open").status_code == 200
    assert wake(tenant_id, conversation, until) == "stale"
    with tenant_session(tenant_id) as s:
        row = s.get_one(Conversation, conversation)
        row.status, row.snoozed_until = "snoozed", datetime.now(UTC) - timedelta(seconds=1)
        due = row.snoozed_until
    assert wake(tenant_id, conversation, due) == "reopened"
    assert wake(tenant_id, conversation, due) == "stale"  # a duplicate task


def test_a_reply_reopens_a_snoozed_or_closed_conversation(
    api: httpx.Client, fake_twilio: FakeTwilio, ws: TwilioWorkspace
) -> None:
    phone, snoozed = _in(api, fake_twilio, ws, "hello")
    later = (datetime.now(UTC) + timedelta(hours=3)).isoformat()
    assert patch(api, ws.headers, snoozed, snoozed_until=later).status_code == 200
    text_in(fake_twilio, ws, phone, "are you there?")
    got = api.get(f"/v1/conversations/{snoozed}", headers=ws.headers).json()
    assert (got["status"], got["snoozed_until"]) == ("open", None)
    assert got["last_message_preview"] == "are you there?"
    phone, closed = _in(api, fake_twilio, ws, "hello")
    assert patch(api, ws.headers, closed, status="closed").status_code == 200
    text_in(fake_twilio, ws, phone, "one more question")
    assert api.get(f"/v1/conversations/{closed}", headers=ws.headers).json()["status"] == "open"


def test_state_changes_publish_conversation_updated(
    api: httpx.Client,
    fake_twilio: FakeTwilio,
    ws: TwilioWorkspace,
    recording_queue: RecordingBackend,
) -> None:
    _, conversation_id = _in(api, fake_twilio, ws, "hello")
    received = recording_queue.events("message.received", conversation_id)
    assert len(received) == 1
    assert patch(api, ws.headers, conversation_id, status="closed").status_code == 200
    assert patch(api, ws.headers, conversation_id, status="closed").status_code == 200  # no-op
    r = patch(api, ws.headers, conversation_id, assignee_id=ws.account.user_id, ai_mode="suggest")
    assert r.status_code == 200
    assert api.post(f"/v1/conversations/{conversation_id}/read", headers=ws.headers).is_success
    events = recording_queue.events("conversation.updated", conversation_id)
    assert [e["changes"] for e in events] == [["status"], ["assignee_id", "ai_mode"], ["read"]]
    assert {e["tenant_id"] for e in events} == {ws.account.workspace_id}
