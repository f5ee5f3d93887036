"""What a prompt holds (and never holds), prompt caching, structured output, token usage."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx

from tests.ai.helpers import ai_workspace, text_in, wait_sent
from tests.fakes.anthropic import FakeAnthropic, refusal, tool_reply, usage
from tests.fakes.twilio import FakeTwilio
from tests.messaging.helpers import new_phone


def test_the_prompt_holds_what_it_must_and_nothing_of_another_workspace(
    api: httpx.Client, fake_twilio: FakeTwilio, fake_anthropic: FakeAnthropic
) -> None:
    other = ai_workspace(
        api,
        fake_twilio,
        business_facts="SECRET-B: we sell boats at 5% off",
        instructions="SECRET-B-INSTRUCTIONS",
    )
    other_phone = new_phone()
    made = api.post(
        "/v1/contacts",
        json={"phone": other_phone, "first_name": "Bartholomew", "fields": {"code": "SECRET-B"}},
        headers=other.headers,
    )
    assert made.status_code == 201, made.text
    text_in(fake_twilio, other, other_phone, "SECRET-B inbound text")
    wait_sent(fake_twilio, other_phone)

    ws = ai_workspace(
        api,
        fake_twilio,
        instructions="Always offer a free roof survey.",
        business_facts="We install solar panels in Ohio only. Survey: free.",
        criteria=[
            {"name": "budget", "type": "number", "description": "Monthly budget in USD"},
            {"name": "roof", "type": "enum", "options": ["tile", "metal", "flat"]},
        ],
        handoff_rules={"keywords": [], "negative_sentiment": True},
    )
    phone = new_phone()
    made = api.post(
        "/v1/contacts",
        json={"phone": phone, "first_name": "Zelda", "fields": {"city": "Springfield"}},
        headers=ws.headers,
    )
    assert made.status_code == 201, made.text
    text_in(fake_twilio, ws, phone, "How much for a metal roof install?")
    wait_sent(fake_twilio, phone)

    (call,) = fake_anthropic.calls(ws.marker)
    assert call.headers.get("anthropic-version") or call.headers.get("Anthropic-Version")
    body = call.body
    stable, volatile = body["system"]
    assert stable["cache_control"] == {"type": "ephemeral"}
    assert "cache_control" not in volatile
    assert ws.marker in stable["text"]
    assert "Always offer a free roof survey." in stable["text"]
    assert "We install solar panels in Ohio only." in stable["text"]
    assert "card numbers" in stable["text"]  # compliance rules
    assert "320 characters" in stable["text"]
    assert "opted out" in stable["text"]
    assert "Zelda" in volatile["text"]
    assert "Springfield" in volatile["text"]
    assert body["messages"] == [{"role": "user", "content": "How much for a metal roof install?"}]

    (tool,) = body["tools"]
    assert tool["name"] == "record_reply"
    assert tool["strict"] is True
    schema = tool["input_schema"]
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {
        "reply",
        "lead_stage",
        "fields",
        "confidence",
        "handoff",
        "handoff_reason",
    }
    assert schema["properties"]["lead_stage"]["enum"] == [
        "new",
        "engaged",
        "qualified",
        "unqualified",
        "handoff",
    ]
    fields = schema["properties"]["fields"]
    assert set(fields["properties"]) == {"budget", "roof"}
    assert fields["properties"]["roof"]["anyOf"][0]["enum"] == ["tile", "metal", "flat"]
    assert body["tool_choice"] == {"type": "tool", "name": "record_reply"}

    raw = json.dumps(body)
    for secret in ("SECRET-B", "Bartholomew", other.marker, other_phone):
        assert secret not in raw


def test_token_usage_is_recorded_per_workspace_and_kind(
    api: httpx.Client, fake_twilio: FakeTwilio, fake_anthropic: FakeAnthropic
) -> None:
    ws = ai_workspace(api, fake_twilio)
    fake_anthropic.script(
        ws.marker,
        tool_reply("first", used=usage(100, 20, cache_write=1500)),
        refusal(),  # tokens spent on a refusal are billed too
        tool_reply("second", used=usage(110, 25, cache_read=1500)),
    )
    phone = new_phone()
    text_in(fake_twilio, ws, phone, "one")
    wait_sent(fake_twilio, phone, 1)
    text_in(fake_twilio, ws, phone, "two")
    assert wait_sent(fake_twilio, phone, 2) == ["first", "second"]

    r = api.get("/v1/ai/usage", headers=ws.headers)
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["totals"] == {
        "input_tokens": 260,
        "output_tokens": 45,
        "cache_read_tokens": 1500,
        "cache_write_tokens": 1500,
    }
    today = datetime.now(UTC).date()
    assert data["end"] == today.isoformat()
    (day,) = data["days"]
    assert day["day"] == today.isoformat()
    assert day["input_tokens"] == 260

    ranged = api.get(
        "/v1/ai/usage",
        params={"from": (today - timedelta(days=10)).isoformat(), "to": today.isoformat()},
        headers=ws.headers,
    ).json()
    assert ranged["totals"] == data["totals"]
    before = api.get(
        "/v1/ai/usage",
        params={"from": "2020-01-01", "to": "2020-01-31"},
        headers=ws.headers,
    ).json()
    assert before["totals"]["input_tokens"] == 0
    assert before["days"] == []

    stranger = ai_workspace(api, fake_twilio)
    theirs = api.get("/v1/ai/usage", headers=stranger.headers).json()
    assert theirs["totals"]["input_tokens"] == 0


def test_bad_usage_queries_are_422(api: httpx.Client, fake_twilio: FakeTwilio) -> None:
    ws = ai_workspace(api, fake_twilio)
    for params in (
        {"from": "2024-02-01", "to": "2024-01-01"},
        {"from": "yesterday"},
        {"from": "2020-01-01", "to": "2024-01-01"},
        {"from": "2999-01-01"},
        {"to": "0001-01-05"},
        {"from": "9999-12-31", "to": "9999-12-31"},
    ):
        r = api.get("/v1/ai/usage", params=params, headers=ws.headers)
        assert r.status_code == 422, (params, r.text)
        assert r.headers["content-type"] == "application/problem+json"
