"""POST /v1/ai/try: a draft for a sample message, with the configuration being edited."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import func, select

from shared.ai.models import AiConfig, AiDraft
from shared.db.session import tenant_session
from tests.fakes import anthropic as fake
from tests.fakes.anthropic import FakeAnthropic
from tests.identity_helpers import signup


def test_try_uses_the_unsaved_config_and_stores_nothing(
    api: httpx.Client, fake_anthropic: FakeAnthropic
) -> None:
    account = signup(api, "aitry")
    marker = f"Persona-{uuid.uuid4().hex[:8]}"
    fake_anthropic.script(
        marker,
        fake.tool_reply(
            "We open at 9. Want to book?", lead_stage="engaged", fields={"budget": 300}
        ),
    )
    config = {
        "persona": marker,
        "business_facts": "Open 9-5 weekdays.",
        "criteria": [{"name": "budget", "type": "number", "description": "USD"}],
        "model": "claude-test-model",
    }
    r = api.post(
        "/v1/ai/try",
        json={"message": "When do you open?", "config": config},
        headers=account.headers,
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["reply"] == "We open at 9. Want to book?"
    assert body["lead_stage"] == "engaged"
    assert body["fields"] == {"budget": 300}
    assert body["model"] == "claude-test-model"

    (call,) = fake_anthropic.calls(marker)
    assert "Open 9-5 weekdays." in call.system_text()
    assert call.message_text() == "When do you open?"
    assert call.body["model"] == "claude-test-model"
    assert call.body["tools"][0]["input_schema"]["properties"]["fields"]["properties"]["budget"]

    tenant = uuid.UUID(account.workspace_id)
    with tenant_session(tenant) as s:
        assert s.scalar(select(func.count()).select_from(AiConfig)) == 0
        assert s.scalar(select(func.count()).select_from(AiDraft)) == 0


def test_try_validates_and_maps_failures(api: httpx.Client, fake_anthropic: FakeAnthropic) -> None:
    account = signup(api, "aitry2")
    for body, field in (
        ({"message": ""}, "body.message"),
        ({"message": "   "}, "body.message"),
        ({"message": "x" * 1601}, "body.message"),
        ({"message": "hi", "config": {"reply_delay_min_seconds": -1}}, "body.config"),
    ):
        r = api.post("/v1/ai/try", json=body, headers=account.headers)
        assert r.status_code == 422, body
        assert r.json()["errors"][0]["field"].startswith(field), r.text

    marker = f"Persona-{uuid.uuid4().hex[:8]}"
    fake_anthropic.script(marker, fake.malformed({"reply": 5}))
    r = api.post(
        "/v1/ai/try",
        json={"message": "hi", "config": {"persona": marker}},
        headers=account.headers,
    )
    assert r.status_code == 502
    assert r.json()["type"].endswith("/ai-bad-output")
