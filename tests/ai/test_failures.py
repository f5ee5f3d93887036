"""Claude failing: nothing broken is ever sent; retries through the queue; then a human."""

from __future__ import annotations

import httpx
import pytest

from shared.ai import engine
from tests.ai.helpers import ai_workspace, conversation, quiet, sent_bodies, text_in, wait_sent
from tests.fakes.anthropic import (
    FakeAnthropic,
    Scripted,
    error,
    malformed,
    refusal,
    slow,
    text_reply,
    tool_reply,
)
from tests.fakes.twilio import FakeTwilio
from tests.messaging.helpers import new_phone, wait_until

GOOD = "Sure, we can help with that."


@pytest.mark.parametrize(
    "failure",
    [
        error(429),
        error(529),
        error(500, "api_error"),
        text_reply("I'd rather just chat"),  # no tool_use block
        refusal(),
        malformed({"reply": 42, "lead_stage": "engaged"}),  # wrong types, fields missing
        malformed(
            {
                "reply": "x" * 400,  # longer than an SMS reply may be
                "lead_stage": "engaged",
                "fields": {},
                "confidence": 0.5,
                "handoff": False,
                "handoff_reason": None,
            }
        ),
        malformed(
            {
                "reply": "ok",
                "lead_stage": "hot",  # not a stage
                "fields": {},
                "confidence": 2,
                "handoff": False,
                "handoff_reason": None,
            }
        ),
    ],
    ids=[
        "429",
        "529",
        "500",
        "plain-text",
        "refusal",
        "wrong-types",
        "too-long",
        "bad-enum",
    ],
)
def test_a_failed_call_is_retried_and_never_sends_anything_broken(
    api: httpx.Client,
    fake_twilio: FakeTwilio,
    fake_anthropic: FakeAnthropic,
    failure: Scripted,
) -> None:
    ws = ai_workspace(api, fake_twilio)
    fake_anthropic.script(ws.marker, failure, tool_reply(GOOD))
    phone = new_phone()
    text_in(fake_twilio, ws, phone, "Do you install batteries too?")
    assert wait_sent(fake_twilio, phone) == [GOOD]
    assert len(fake_anthropic.calls(ws.marker)) == 2
    conv = conversation(ws, phone)
    assert not conv.needs_human
    assert conv.consecutive_ai_replies == 1


def test_unknown_criteria_values_are_malformed_too(
    api: httpx.Client, fake_twilio: FakeTwilio, fake_anthropic: FakeAnthropic
) -> None:
    ws = ai_workspace(
        api,
        fake_twilio,
        criteria=[{"name": "interest", "type": "scale", "min": 1, "max": 5}],
    )
    fake_anthropic.script(
        ws.marker,
        tool_reply("bad", fields={"interest": 9}),  # off the scale
        tool_reply("bad", fields={"colour": "red"}),  # not a criterion
        tool_reply(GOOD, fields={"interest": 3}),
    )
    phone = new_phone()
    text_in(fake_twilio, ws, phone, "maybe")
    assert wait_sent(fake_twilio, phone) == [GOOD]
    assert conversation(ws, phone).qualification == {"interest": 3}


def test_past_the_attempt_limit_the_conversation_needs_a_human(
    api: httpx.Client, fake_twilio: FakeTwilio, fake_anthropic: FakeAnthropic
) -> None:
    ws = ai_workspace(api, fake_twilio)
    fake_anthropic.script(ws.marker, *[refusal() for _ in range(engine.MAX_ATTEMPTS)])
    phone = new_phone()
    text_in(fake_twilio, ws, phone, "hello")
    wait_until(lambda: conversation(ws, phone).needs_human)
    quiet(0.5)
    assert len(fake_anthropic.calls(ws.marker)) == engine.MAX_ATTEMPTS
    assert fake_anthropic.left(ws.marker) == 0
    assert sent_bodies(fake_twilio, phone) == []
    text_in(fake_twilio, ws, phone, "anyone there?")
    quiet(0.5)
    assert len(fake_anthropic.calls(ws.marker)) == engine.MAX_ATTEMPTS  # a human has it now


def test_a_timeout_is_retried_and_the_late_answer_never_sent(
    api: httpx.Client,
    fake_twilio: FakeTwilio,
    fake_anthropic: FakeAnthropic,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from shared.providers import anthropic as adapter

    monkeypatch.setattr(adapter, "TIMEOUT_SECONDS", 0.5)
    adapter.reset_client()
    try:
        ws = ai_workspace(api, fake_twilio)
        fake_anthropic.script(ws.marker, slow(1.5, tool_reply("too late")), tool_reply(GOOD))
        phone = new_phone()
        text_in(fake_twilio, ws, phone, "quick question")
        assert wait_sent(fake_twilio, phone) == [GOOD]
        quiet(1.5)
        assert sent_bodies(fake_twilio, phone) == [GOOD]
    finally:
        monkeypatch.undo()
        adapter.reset_client()
