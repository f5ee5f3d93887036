"""Inbox test setup: a Twilio-connected workspace, contacts texting in, a recording queue."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import httpx

from shared.queue import RegistryDispatcher
from shared.queue.events import Envelope
from shared.queue.inline import InlineBackend
from tests.fakes.smtp import Mailbox
from tests.fakes.twilio import FakeTwilio
from tests.identity_helpers import Account, signup
from tests.messaging.helpers import TwilioWorkspace, wait_until


class RecordingBackend(InlineBackend):
    """The real inline backend, keeping a copy of what was published and scheduled."""

    def __init__(self) -> None:
        super().__init__(RegistryDispatcher())
        self.published: list[tuple[str, Envelope]] = []
        self.scheduled: list[tuple[str, dict[str, Any], datetime | None, str | None]] = []

    def publish(self, topic: str, envelope: Envelope) -> None:
        self.published.append((topic, envelope))
        super().publish(topic, envelope)

    def schedule(
        self,
        queue: str,
        payload: Mapping[str, Any],
        at: datetime | None = None,
        key: str | None = None,
    ) -> bool:
        self.scheduled.append((queue, dict(payload), at, key))
        return super().schedule(queue, payload, at=at, key=key)

    def events(self, topic: str, conversation_id: str) -> list[dict[str, Any]]:
        return [
            e.data
            for t, e in self.published
            if t == topic and e.data.get("conversation_id") == conversation_id
        ]


def text_in(fake: FakeTwilio, ws: TwilioWorkspace, phone: str, body: str) -> None:
    """The contact texts our number (a signed inbound webhook from the fake Twilio)."""
    assert fake.send_inbound(to=ws.number["phone_number"], from_=phone, body=body) == 200


def send(api: httpx.Client, ws: TwilioWorkspace, phone: str, body: str) -> dict[str, Any]:
    r = api.post("/v1/messages", json={"to": phone, "body": body}, headers=ws.headers)
    assert r.status_code == 201, r.text
    return dict(r.json())


def conversation_of(api: httpx.Client, ws: TwilioWorkspace, phone: str) -> dict[str, Any]:
    """The contact's conversation, found through the inbox search by phone digits."""
    r = api.get("/v1/conversations", params={"q": phone}, headers=ws.headers)
    assert r.status_code == 200, r.text
    (found,) = [c for c in r.json()["data"] if c["contact"]["phone"] == phone]
    return dict(found)


def thread(
    api: httpx.Client, headers: dict[str, str], conversation_id: str, **params: Any
) -> dict[str, Any]:
    r = api.get(f"/v1/conversations/{conversation_id}/messages", params=params, headers=headers)
    assert r.status_code == 200, r.text
    return dict(r.json())


def bodies(api: httpx.Client, headers: dict[str, str], conversation_id: str) -> list[str]:
    return [m["body"] for m in thread(api, headers, conversation_id, limit=200)["data"]]


def wait_bodies(
    api: httpx.Client, headers: dict[str, str], conversation_id: str, count: int
) -> list[str]:
    return list(
        wait_until(lambda: (b := bodies(api, headers, conversation_id)) and len(b) >= count and b)
    )


def patch(
    api: httpx.Client, headers: dict[str, str], conversation_id: str, **body: Any
) -> httpx.Response:
    return api.patch(f"/v1/conversations/{conversation_id}", json=body, headers=headers)


def counts(api: httpx.Client, headers: dict[str, str]) -> dict[str, Any]:
    r = api.get("/v1/conversations/counts", headers=headers)
    assert r.status_code == 200, r.text
    return dict(r.json())


def invite_member(api: httpx.Client, mailbox: Mailbox, owner: Account) -> Account:
    """A second user of the owner's workspace (invited by email, then accepted)."""
    member = signup(api, "agent")
    r = api.post(
        "/v1/members/invitations",
        json={"email": member.email, "role": "member"},
        headers=owner.headers,
    )
    assert r.status_code == 201, r.text
    token = mailbox.wait_for(member.email, "invited").link_token()
    joined = api.post("/v1/invitations/accept", json={"token": token}, headers=member.headers)
    assert joined.status_code == 200, joined.text
    member.access_token = joined.json()["access_token"]
    member.workspace_id = owner.workspace_id
    return member


def api_key_headers(api: httpx.Client, owner: Account) -> dict[str, str]:
    r = api.post("/v1/api-keys", json={"name": "inbox", "role": "admin"}, headers=owner.headers)
    assert r.status_code == 201, r.text
    return {"Authorization": f"Bearer {r.json()['secret']}"}


def problem_type(r: httpx.Response) -> str:
    assert r.headers["content-type"].startswith("application/problem+json"), r.text
    return str(r.json()["type"]).rsplit("/", 1)[-1]
