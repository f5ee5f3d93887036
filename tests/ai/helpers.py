"""Helpers for AI tests: a workspace with AI on, inbound texts, and what came of them."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import select

from shared.ai.models import AiDraft
from shared.contacts.models import Contact
from shared.conversations.models import Conversation, LeadQualification
from shared.db.session import tenant_session
from tests.fakes.twilio import FakeTwilio
from tests.messaging.helpers import TwilioWorkspace, connect_twilio, wait_until


@dataclass
class AiWorkspace:
    tw: TwilioWorkspace
    marker: str  # unique text of the persona: keys the fake's scripts and finds its calls

    @property
    def headers(self) -> dict[str, str]:
        return self.tw.headers

    @property
    def number(self) -> str:
        return str(self.tw.number["phone_number"])

    @property
    def tenant_id(self) -> uuid.UUID:
        return uuid.UUID(self.tw.account.workspace_id)


def ai_workspace(api: httpx.Client, fake_twilio: FakeTwilio, **config: Any) -> AiWorkspace:
    tw = connect_twilio(api, fake_twilio, "ai")
    marker = f"persona-{uuid.uuid4().hex[:12]}"
    body = {
        "enabled": True,
        "mode": "auto",
        "persona": f"You are Ava, the assistant of Sunny Solar ({marker}).",
        "reply_delay_min_seconds": 0,
        "reply_delay_max_seconds": 0,
        **config,
    }
    r = api.put("/v1/ai/config", json=body, headers=tw.headers)
    assert r.status_code == 200, r.text
    return AiWorkspace(tw, marker)


def text_in(fake_twilio: FakeTwilio, ws: AiWorkspace, phone: str, body: str) -> None:
    assert fake_twilio.send_inbound(to=ws.number, from_=phone, body=body) == 200


def sent_bodies(fake_twilio: FakeTwilio, phone: str) -> list[str]:
    return [str(m["body"]) for m in fake_twilio.sent_to(phone)]


def wait_sent(fake_twilio: FakeTwilio, phone: str, count: int = 1) -> list[str]:
    wait_until(lambda: len(fake_twilio.sent_to(phone)) >= count)
    return sent_bodies(fake_twilio, phone)


def quiet(seconds: float = 1.0) -> None:
    """Let scheduled work that should NOT happen have its chance to happen."""
    time.sleep(seconds)


def conversation(ws: AiWorkspace, phone: str) -> Conversation:
    with tenant_session(ws.tenant_id) as s:
        contact = s.scalars(select(Contact).where(Contact.phone == phone)).one()
        return s.scalars(select(Conversation).where(Conversation.contact_id == contact.id)).one()


def contact(ws: AiWorkspace, phone: str) -> Contact:
    with tenant_session(ws.tenant_id) as s:
        return s.scalars(select(Contact).where(Contact.phone == phone)).one()


def qualifications(ws: AiWorkspace, conversation_id: uuid.UUID) -> list[LeadQualification]:
    with tenant_session(ws.tenant_id) as s:
        stmt = select(LeadQualification).where(LeadQualification.conversation_id == conversation_id)
        return list(s.scalars(stmt.order_by(LeadQualification.created_at)))


def set_conversation(ws: AiWorkspace, conversation_id: uuid.UUID, **values: Any) -> None:
    """What the inbox (another function) does: take over, switch the AI mode, ..."""
    with tenant_session(ws.tenant_id) as s:
        row = s.get_one(Conversation, conversation_id)
        for name, value in values.items():
            setattr(row, name, value)


def drafted_conversation(ws: AiWorkspace, phone: str) -> str | None:
    """The id of the contact's conversation once it has an AI draft."""
    with tenant_session(ws.tenant_id) as s:
        found = s.scalar(
            select(Conversation.id)
            .join(Contact, Contact.id == Conversation.contact_id)
            .join(AiDraft, AiDraft.conversation_id == Conversation.id)
            .where(Contact.phone == phone)
        )
    return str(found) if found else None
