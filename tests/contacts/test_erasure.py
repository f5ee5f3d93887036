"""Deleting a contact erases its personal data but keeps its number's opt-out."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import func, select

from shared.contacts.models import ConsentEvent, Contact, ContactTag
from shared.conversations.models import Conversation
from shared.db.session import tenant_session
from shared.messaging.models import Message
from tests.contacts.helpers import all_contacts, create
from tests.identity_helpers import signup


def _with_history(tenant_id: uuid.UUID, contact_id: uuid.UUID, phone: str) -> None:
    with tenant_session(tenant_id) as s:
        conversation = Conversation(
            tenant_id=tenant_id,
            contact_id=contact_id,
            last_message_preview="My address is 1 Main St",
            qualification={"budget": "10k"},
        )
        s.add(conversation)
        s.flush()
        for direction, body in (("outbound", "Hi Ada!"), ("inbound", "My address is 1 Main St")):
            s.add(
                Message(
                    tenant_id=tenant_id,
                    conversation_id=conversation.id,
                    contact_id=contact_id,
                    direction=direction,
                    sender_type="campaign" if direction == "outbound" else "contact",
                    from_number="+14155550000" if direction == "outbound" else phone,
                    to_number=phone if direction == "outbound" else "+14155550000",
                    body=body,
                    status="delivered" if direction == "outbound" else "received",
                )
            )


def test_delete_erases_personal_data_and_keeps_the_opt_out(api: httpx.Client) -> None:
    owner = signup(api, "erasure")
    tenant = uuid.UUID(owner.workspace_id)
    contact = create(
        api,
        owner,
        first_name="Ada",
        last_name="Lovelace",
        email="ada@example.com",
        fields={"notes": "likes engines"},
        tags=["vip"],
    )
    contact_id = uuid.UUID(contact["id"])
    api.post(
        f"/v1/contacts/{contact['id']}/opt-out", json={"reason": "STOP"}, headers=owner.headers
    )
    _with_history(tenant, contact_id, contact["phone"])

    assert api.delete(f"/v1/contacts/{contact['id']}", headers=owner.headers).status_code == 204

    # Hidden everywhere.
    assert api.get(f"/v1/contacts/{contact['id']}", headers=owner.headers).status_code == 404
    assert api.delete(f"/v1/contacts/{contact['id']}", headers=owner.headers).status_code == 404
    r = api.patch(f"/v1/contacts/{contact['id']}", json={}, headers=owner.headers)
    assert r.status_code == 404
    assert all_contacts(api, owner) == []
    assert api.get("/v1/tags", headers=owner.headers).json()["data"] == []

    with tenant_session(tenant) as s:
        row = s.get_one(Contact, contact_id)
        assert (row.first_name, row.last_name, row.email, row.fields) == (None, None, None, {})
        assert row.erased_at is not None
        assert row.phone == contact["phone"]
        assert row.opted_out is True
        tags = s.scalar(select(func.count()).where(ContactTag.contact_id == contact_id))
        assert tags == 0
        bodies = s.scalars(select(Message.body).where(Message.contact_id == contact_id)).all()
        assert bodies == [None, None]
        conversation = s.scalars(
            select(Conversation).where(Conversation.contact_id == contact_id)
        ).one()
        assert conversation.last_message_preview is None
        assert conversation.qualification == {}
        # The consent trail stays: it is what proves the number opted out.
        events = s.scalars(
            select(ConsentEvent.kind).where(ConsentEvent.phone == contact["phone"])
        ).all()
        assert events == ["opt_out"]

    # The same number again revives the same row, still opted out.
    r = api.post(
        "/v1/contacts",
        json={"phone": contact["phone"], "first_name": "New"},
        headers=owner.headers,
    )
    assert r.status_code == 201, r.text
    revived = r.json()
    assert revived["id"] == contact["id"]
    assert revived["opted_out"] is True
    assert revived["first_name"] == "New"
    assert revived["tags"] == []
    assert revived["fields"] == {}


def test_a_contact_that_never_opted_out_revives_reachable(api: httpx.Client) -> None:
    owner = signup(api, "erasure")
    contact = create(api, owner, first_name="Bo")
    assert api.delete(f"/v1/contacts/{contact['id']}", headers=owner.headers).status_code == 204
    r = api.post("/v1/contacts", json={"phone": contact["phone"]}, headers=owner.headers)
    assert r.status_code == 201
    assert r.json()["opted_out"] is False
    assert r.json()["first_name"] is None


def test_a_deleted_number_cannot_be_taken_by_patch(api: httpx.Client) -> None:
    owner = signup(api, "erasure")
    gone = create(api, owner)
    api.delete(f"/v1/contacts/{gone['id']}", headers=owner.headers)
    other = create(api, owner)
    r = api.patch(
        f"/v1/contacts/{other['id']}", json={"phone": gone["phone"]}, headers=owner.headers
    )
    assert r.status_code == 409
    assert "existing_id" not in r.json()
