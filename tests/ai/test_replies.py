"""Auto and suggest modes, debounce, handoff, caps, opt-out and per-conversation modes."""

from __future__ import annotations

import uuid

import httpx

from tests.ai.helpers import (
    ai_workspace,
    contact,
    conversation,
    drafted_conversation,
    qualifications,
    quiet,
    sent_bodies,
    set_conversation,
    text_in,
    wait_sent,
)
from tests.fakes.anthropic import FakeAnthropic, tool_reply
from tests.fakes.twilio import FakeTwilio
from tests.identity_helpers import signup
from tests.messaging.helpers import new_phone, wait_until

CRITERIA = [
    {"name": "budget", "type": "number", "description": "Monthly budget in USD"},
    {"name": "timeline", "type": "string", "description": "When they want it"},
    {"name": "interest", "type": "scale", "min": 1, "max": 5},
]


def test_auto_mode_sends_one_reply_and_stores_the_qualification(
    api: httpx.Client, fake_twilio: FakeTwilio, fake_anthropic: FakeAnthropic
) -> None:
    ws = ai_workspace(api, fake_twilio, criteria=CRITERIA)
    fake_anthropic.script(
        ws.marker,
        tool_reply(
            "Great! When would you like the install?",
            fields={"budget": 500, "timeline": None, "interest": 4},
            confidence=0.8,
        ),
    )
    phone = new_phone()
    text_in(fake_twilio, ws, phone, "Hi, I want solar panels, budget around $500/month")
    assert wait_sent(fake_twilio, phone) == ["Great! When would you like the install?"]
    (sent,) = fake_twilio.sent_to(phone)
    assert sent["from"] == ws.number
    conv = conversation(ws, phone)
    assert conv.lead_stage == "engaged"
    assert conv.qualification == {"budget": 500, "interest": 4}
    assert conv.consecutive_ai_replies == 1
    assert not conv.needs_human
    assert contact(ws, phone).lead_stage == "engaged"
    (history,) = qualifications(ws, conv.id)
    assert (history.stage, history.source, history.confidence) == ("engaged", "ai", 0.8)
    messages = api.get("/v1/messages", params={"direction": "outbound"}, headers=ws.headers).json()[
        "data"
    ]
    (ai_message,) = [m for m in messages if m["to_number"] == phone]
    assert ai_message["sender_type"] == "ai"
    assert ai_message["conversation_id"] == str(conv.id)


def test_a_burst_of_inbound_messages_gets_one_reply(
    api: httpx.Client, fake_twilio: FakeTwilio, fake_anthropic: FakeAnthropic
) -> None:
    ws = ai_workspace(api, fake_twilio, reply_delay_min_seconds=2, reply_delay_max_seconds=2)
    fake_anthropic.script(ws.marker, tool_reply("Happy to help with all three!"))
    phone = new_phone()
    for body in ("Hello", "I need a quote", "for a 3 bedroom house"):
        text_in(fake_twilio, ws, phone, body)
    assert wait_sent(fake_twilio, phone) == ["Happy to help with all three!"]
    quiet(1.0)
    (call,) = fake_anthropic.calls(ws.marker)
    text = call.message_text()
    assert "Hello" in text
    assert "I need a quote" in text
    assert "3 bedroom" in text
    assert [m["role"] for m in call.body["messages"]] == ["user"]  # one merged user turn
    assert len(fake_twilio.sent_to(phone)) == 1


def test_the_next_message_after_a_reply_gets_its_own_reply(
    api: httpx.Client, fake_twilio: FakeTwilio, fake_anthropic: FakeAnthropic
) -> None:
    ws = ai_workspace(api, fake_twilio)
    fake_anthropic.script(ws.marker, tool_reply("First answer"), tool_reply("Second answer"))
    phone = new_phone()
    text_in(fake_twilio, ws, phone, "Question one")
    wait_sent(fake_twilio, phone, 1)
    text_in(fake_twilio, ws, phone, "Question two")
    assert wait_sent(fake_twilio, phone, 2) == ["First answer", "Second answer"]
    second = fake_anthropic.calls(ws.marker)[1]
    assert [m["role"] for m in second.body["messages"]] == ["user", "assistant", "user"]
    assert conversation(ws, phone).consecutive_ai_replies == 2


def test_suggest_mode_drafts_then_an_agent_sends_or_discards(
    api: httpx.Client, fake_twilio: FakeTwilio, fake_anthropic: FakeAnthropic
) -> None:
    ws = ai_workspace(api, fake_twilio, mode="suggest", criteria=CRITERIA)
    fake_anthropic.script(
        ws.marker,
        tool_reply("Draft one", fields={"budget": None, "timeline": "June", "interest": None}),
        tool_reply("Draft two"),
    )
    phone = new_phone()
    text_in(fake_twilio, ws, phone, "Can you install in June?")
    conv_id = wait_until(lambda: drafted_conversation(ws, phone))
    draft = api.get(f"/v1/conversations/{conv_id}/ai/draft", headers=ws.headers)
    assert draft.status_code == 200, draft.text
    assert draft.json()["body"] == "Draft one"
    assert draft.json()["qualification"]["fields"] == {
        "budget": None,
        "timeline": "June",
        "interest": None,
    }
    assert draft.json()["answered_message_id"]
    assert sent_bodies(fake_twilio, phone) == []  # nothing goes out without an agent
    set_conversation(ws, uuid.UUID(conv_id), consecutive_ai_replies=3)

    r = api.post(
        f"/v1/conversations/{conv_id}/ai/draft/send",
        json={"body": "Yes, June works (edited)"},
        headers=ws.headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["sender_type"] == "ai"
    assert wait_sent(fake_twilio, phone) == ["Yes, June works (edited)"]
    assert api.get(f"/v1/conversations/{conv_id}/ai/draft", headers=ws.headers).status_code == 404
    assert conversation(ws, phone).consecutive_ai_replies == 0  # an agent replied

    text_in(fake_twilio, ws, phone, "Great, what next?")
    wait_until(
        lambda: (
            api.get(f"/v1/conversations/{conv_id}/ai/draft", headers=ws.headers).status_code == 200
        )
    )
    before = conversation(ws, phone).updated_at
    gone = api.delete(f"/v1/conversations/{conv_id}/ai/draft", headers=ws.headers)
    assert gone.status_code == 204
    assert conversation(ws, phone).updated_at > before  # other agents' inboxes drop it too
    assert api.get(f"/v1/conversations/{conv_id}/ai/draft", headers=ws.headers).status_code == 404
    again = api.delete(f"/v1/conversations/{conv_id}/ai/draft", headers=ws.headers)
    assert again.status_code == 404
    assert again.headers["content-type"] == "application/problem+json"
    assert sent_bodies(fake_twilio, phone) == ["Yes, June works (edited)"]


def test_suggest_on_demand_drafts_whatever_the_mode(
    api: httpx.Client, fake_twilio: FakeTwilio, fake_anthropic: FakeAnthropic
) -> None:
    ws = ai_workspace(api, fake_twilio, enabled=False, mode="off")
    fake_anthropic.script(ws.marker, tool_reply("An on-demand suggestion"))
    phone = new_phone()
    text_in(fake_twilio, ws, phone, "Do you service Dayton?")
    quiet(0.5)
    assert fake_anthropic.calls(ws.marker) == []  # AI off: nothing on its own
    conv = conversation(ws, phone)
    r = api.post(f"/v1/conversations/{conv.id}/ai/suggest", headers=ws.headers)
    assert r.status_code == 200, r.text
    assert r.json()["body"] == "An on-demand suggestion"
    assert len(fake_anthropic.calls(ws.marker)) == 1
    assert sent_bodies(fake_twilio, phone) == []
    # A new draft that changes nothing else still changes the conversation: the live inbox
    # polls conversations' changes, and only so shows the draft.
    before = conversation(ws, phone).updated_at
    fake_anthropic.script(ws.marker, tool_reply("A second suggestion"))
    again = api.post(f"/v1/conversations/{conv.id}/ai/suggest", headers=ws.headers)
    assert again.json()["body"] == "A second suggestion"
    assert conversation(ws, phone).updated_at > before
    missing = api.post(f"/v1/conversations/{uuid.uuid4()}/ai/suggest", headers=ws.headers)
    assert missing.status_code == 404


def test_model_handoff_sends_its_last_words_then_stops(
    api: httpx.Client, fake_twilio: FakeTwilio, fake_anthropic: FakeAnthropic
) -> None:
    ws = ai_workspace(api, fake_twilio)
    fake_anthropic.script(
        ws.marker,
        tool_reply(
            "I'll get a teammate to call you shortly.",
            lead_stage="engaged",
            handoff=True,
            handoff_reason="asked for a person",
        ),
    )
    phone = new_phone()
    text_in(fake_twilio, ws, phone, "Can I talk to a real person please?")
    assert wait_sent(fake_twilio, phone) == ["I'll get a teammate to call you shortly."]
    conv = conversation(ws, phone)
    assert conv.needs_human
    assert conv.lead_stage == "handoff"
    (history,) = qualifications(ws, conv.id)
    assert history.handoff
    assert history.note == "asked for a person"
    text_in(fake_twilio, ws, phone, "Hello?")
    quiet()
    assert len(fake_anthropic.calls(ws.marker)) == 1  # no AI after a handoff
    assert len(fake_twilio.sent_to(phone)) == 1


def test_a_qualified_lead_is_handed_off_by_rule(
    api: httpx.Client, fake_twilio: FakeTwilio, fake_anthropic: FakeAnthropic
) -> None:
    ws = ai_workspace(api, fake_twilio, criteria=CRITERIA)
    fake_anthropic.script(
        ws.marker,
        tool_reply(
            "Perfect, a specialist will confirm the details.",
            lead_stage="qualified",
            fields={"budget": 900, "timeline": "next month", "interest": 5},
            confidence=0.95,
        ),
    )
    phone = new_phone()
    text_in(fake_twilio, ws, phone, "Budget 900, next month, very interested")
    wait_sent(fake_twilio, phone)
    conv = conversation(ws, phone)
    assert conv.needs_human
    assert conv.lead_stage == "qualified"
    assert contact(ws, phone).lead_stage == "qualified"


def test_a_handoff_keyword_hands_off_without_calling_claude(
    api: httpx.Client, fake_twilio: FakeTwilio, fake_anthropic: FakeAnthropic
) -> None:
    ws = ai_workspace(api, fake_twilio, handoff_rules={"keywords": ["lawyer", "refund"]})
    phone = new_phone()
    text_in(fake_twilio, ws, phone, "My LAWYER will hear about this")
    conv = wait_until(lambda: (c := conversation(ws, phone)).needs_human and c)
    assert conv.lead_stage == "handoff"
    (history,) = qualifications(ws, conv.id)
    assert history.source == "rule"
    assert "lawyer" in (history.note or "")
    quiet(0.5)
    assert fake_anthropic.calls(ws.marker) == []
    assert sent_bodies(fake_twilio, phone) == []


def test_the_reply_cap_stops_the_ai_and_asks_for_a_human(
    api: httpx.Client, fake_twilio: FakeTwilio, fake_anthropic: FakeAnthropic
) -> None:
    ws = ai_workspace(api, fake_twilio, max_consecutive_replies=2)
    fake_anthropic.script(ws.marker, tool_reply("one"), tool_reply("two"), tool_reply("three"))
    phone = new_phone()
    for n, body in enumerate(("a", "b"), start=1):
        text_in(fake_twilio, ws, phone, body)
        wait_sent(fake_twilio, phone, n)
    text_in(fake_twilio, ws, phone, "c")
    wait_until(lambda: conversation(ws, phone).needs_human)
    quiet(0.5)
    assert sent_bodies(fake_twilio, phone) == ["one", "two"]
    assert len(fake_anthropic.calls(ws.marker)) == 2


def test_an_opted_out_contact_never_reaches_claude(
    api: httpx.Client, fake_twilio: FakeTwilio, fake_anthropic: FakeAnthropic
) -> None:
    ws = ai_workspace(api, fake_twilio)
    phone = new_phone()
    text_in(fake_twilio, ws, phone, "STOP")
    wait_until(lambda: contact(ws, phone).opted_out)
    text_in(fake_twilio, ws, phone, "actually, what are your prices?")
    quiet()
    assert fake_anthropic.calls(ws.marker) == []
    assert [b for b in sent_bodies(fake_twilio, phone) if "unsubscribed" not in b] == []
    conv = conversation(ws, phone)
    r = api.post(f"/v1/conversations/{conv.id}/ai/suggest", headers=ws.headers)
    assert r.status_code == 409
    assert r.json()["type"].endswith("/contact-opted-out")


def test_a_conversation_mode_overrides_the_workspace(
    api: httpx.Client, fake_twilio: FakeTwilio, fake_anthropic: FakeAnthropic
) -> None:
    ws = ai_workspace(api, fake_twilio)
    fake_anthropic.script(ws.marker, tool_reply("auto reply"), tool_reply("a draft instead"))
    phone = new_phone()
    text_in(fake_twilio, ws, phone, "first")
    wait_sent(fake_twilio, phone)
    conv = conversation(ws, phone)

    set_conversation(ws, conv.id, ai_mode="off")  # a human took over
    text_in(fake_twilio, ws, phone, "second")
    quiet()
    assert len(fake_anthropic.calls(ws.marker)) == 1

    set_conversation(ws, conv.id, ai_mode="suggest")
    text_in(fake_twilio, ws, phone, "third")
    draft = wait_until(
        lambda: (
            (r := api.get(f"/v1/conversations/{conv.id}/ai/draft", headers=ws.headers)).status_code
            == 200
            and r.json()
        )
    )
    assert draft["body"] == "a draft instead"
    assert "second" in fake_anthropic.calls(ws.marker)[1].message_text()
    assert sent_bodies(fake_twilio, phone) == ["auto reply"]


def test_the_local_demo_on_the_simulator_gets_an_ai_reply(
    api: httpx.Client, fake_anthropic: FakeAnthropic
) -> None:
    """What README's demo does (with the fake instead of a real ANTHROPIC_API_KEY)."""
    account = signup(api, "aidemo")
    available = api.get("/v1/numbers/available?area_code=555", headers=account.headers)
    ours = available.json()["data"][0]["phone_number"]
    bought = api.post("/v1/numbers/purchase", json={"phone_number": ours}, headers=account.headers)
    assert bought.status_code == 201, bought.text
    marker = f"persona-{uuid.uuid4().hex[:12]}"
    config = {
        "enabled": True,
        "mode": "auto",
        "persona": f"You are Ava ({marker}).",
        "reply_delay_min_seconds": 0,
        "reply_delay_max_seconds": 0,
    }
    assert api.put("/v1/ai/config", json=config, headers=account.headers).status_code == 200
    fake_anthropic.script(marker, tool_reply("Hi! A survey is free. When suits you?"))
    r = api.post(
        "/v1/simulator/inbound",
        json={"from": "+14155550123", "to": ours, "body": "How much is a survey?"},
        headers=account.headers,
    )
    assert r.status_code == 200, r.text

    def ai_reply() -> dict[str, object] | None:
        listed = api.get(
            "/v1/messages", params={"direction": "outbound"}, headers=account.headers
        ).json()["data"]
        return next((m for m in listed if m["sender_type"] == "ai"), None)

    reply = wait_until(ai_reply)
    assert reply["body"] == "Hi! A survey is free. When suits you?"
    assert reply["provider"] == "simulator"
    assert reply["conversation_id"] == r.json()["conversation_id"]


def test_given_back_after_a_handoff_the_ai_answers_the_next_text(
    api: httpx.Client, fake_twilio: FakeTwilio, fake_anthropic: FakeAnthropic
) -> None:
    ws = ai_workspace(api, fake_twilio, handoff_rules={"keywords": ["manager"]})
    fake_anthropic.script(ws.marker, tool_reply("Back with you: how can I help?"))
    phone = new_phone()
    text_in(fake_twilio, ws, phone, "get me your manager")
    wait_until(lambda: conversation(ws, phone).needs_human)
    conv = conversation(ws, phone)
    set_conversation(ws, conv.id, needs_human=False)  # an agent gives it back to the AI
    text_in(fake_twilio, ws, phone, "never mind, what are your hours?")
    assert wait_sent(fake_twilio, phone) == ["Back with you: how can I help?"]
    (call,) = fake_anthropic.calls(ws.marker)
    assert "never mind" in call.message_text()


def test_redelivered_events_and_tasks_change_nothing(
    api: httpx.Client,
    fake_twilio: FakeTwilio,
    fake_anthropic: FakeAnthropic,
    gateway_url: str,
) -> None:
    from shared.messaging.events import MessageReceived
    from shared.queue.events import Envelope

    ws = ai_workspace(api, fake_twilio)
    fake_anthropic.script(ws.marker, tool_reply("only once"))
    phone = new_phone()
    text_in(fake_twilio, ws, phone, "hi there")
    wait_sent(fake_twilio, phone)
    conv = conversation(ws, phone)
    inbound = api.get("/v1/messages", params={"direction": "inbound"}, headers=ws.headers).json()[
        "data"
    ]
    (message,) = [m for m in inbound if m["from_number"] == phone]
    event = MessageReceived(
        tenant_id=ws.tenant_id,
        message_id=uuid.UUID(message["id"]),
        conversation_id=conv.id,
        contact_id=conv.contact_id,
    )
    envelope = Envelope.wrap(event).model_dump(mode="json")
    again = api.post(f"{gateway_url}/_functions/ai-responder", json=envelope)
    assert again.status_code == 204
    task = {
        "tenant_id": str(ws.tenant_id),
        "conversation_id": str(conv.id),
        "after_message_id": message["id"],
    }
    assert api.post(f"{gateway_url}/_functions/ai-reply-worker", json=task).status_code == 204
    junk = api.post(f"{gateway_url}/_functions/ai-reply-worker", json={"tenant_id": "x"})
    assert junk.status_code == 204  # dropped: a retry could not fix it
    quiet()
    assert len(fake_anthropic.calls(ws.marker)) == 1
    assert sent_bodies(fake_twilio, phone) == ["only once"]
