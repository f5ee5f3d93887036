"""The AI without ANTHROPIC_API_KEY: turning it on is refused; a workspace that turned it on
before has each conversation that needed it handed to a human, with the reason logged."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

import httpx
import pytest

from tests.ai.helpers import (
    ai_workspace,
    conversation,
    quiet,
    sent_bodies,
    set_conversation,
    text_in,
)
from tests.fakes.anthropic import FakeAnthropic
from tests.fakes.twilio import FakeTwilio
from tests.identity_helpers import signup
from tests.messaging.helpers import new_phone, wait_until


def _refresh() -> None:
    from shared.config import get_settings
    from shared.providers.anthropic import reset_client

    get_settings.cache_clear()
    reset_client()


@pytest.fixture
def no_key(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The platform runs without ANTHROPIC_API_KEY (the key comes back afterwards)."""
    monkeypatch.setitem(os.environ, "ANTHROPIC_API_KEY", "")
    _refresh()
    yield
    monkeypatch.undo()
    _refresh()


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.mark.parametrize("mode", ["auto", "suggest"])
def test_turning_the_ai_on_without_a_key_is_refused(
    api: httpx.Client, no_key: None, mode: str
) -> None:
    account = signup(api, "ainokey")
    r = api.put("/v1/ai/config", json={"enabled": True, "mode": mode}, headers=account.headers)
    assert r.status_code == 409, r.text
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["type"].endswith("/ai-not-configured")
    assert "ANTHROPIC_API_KEY" in problem["detail"]
    got = api.get("/v1/ai/config", headers=account.headers).json()
    assert got["enabled"] is False  # nothing was saved
    assert got["api_key_configured"] is False
    # Saving the rest of the configuration with the AI off is fine.
    off = {"enabled": False, "mode": mode, "persona": "Ava"}
    assert api.put("/v1/ai/config", json=off, headers=account.headers).status_code == 200
    on_but_off = {"enabled": True, "mode": "off"}
    assert api.put("/v1/ai/config", json=on_but_off, headers=account.headers).status_code == 200


def test_a_workspace_already_on_gets_a_human_and_a_logged_reason(
    api: httpx.Client,
    fake_twilio: FakeTwilio,
    fake_anthropic: FakeAnthropic,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ws = ai_workspace(api, fake_twilio)  # turned on while the key was set
    monkeypatch.setitem(os.environ, "ANTHROPIC_API_KEY", "")
    _refresh()
    records = _Records()
    engine_log = logging.getLogger("ai.engine")
    engine_log.addHandler(records)
    try:
        phone = new_phone()
        text_in(fake_twilio, ws, phone, "How much is a survey?")
        wait_until(lambda: conversation(ws, phone).needs_human)
        flagged = conversation(ws, phone)
        assert flagged.needs_human_reason is not None
        assert "ANTHROPIC_API_KEY" in flagged.needs_human_reason
        shown = api.get(f"/v1/conversations/{flagged.id}", headers=ws.headers).json()
        assert shown["needs_human"] is True
        assert "ANTHROPIC_API_KEY" in shown["needs_human_reason"]
        wait_until(lambda: any(str(flagged.id) in m for m in records.messages))
        (why,) = [m for m in records.messages if str(flagged.id) in m]
        assert "ANTHROPIC_API_KEY is not set" in why
        assert "auto mode" in why
        quiet(0.5)
        assert sent_bodies(fake_twilio, phone) == []
        assert fake_anthropic.calls(ws.marker) == []
        # A conversation the AI is off for is left alone: nobody was waiting for the AI.
        other = new_phone()
        sent = api.post("/v1/messages", json={"to": other, "body": "Hi"}, headers=ws.headers)
        assert sent.status_code == 201, sent.text
        set_conversation(ws, conversation(ws, other).id, ai_mode="off")
        text_in(fake_twilio, ws, other, "hello")
        quiet(0.5)
        assert conversation(ws, other).needs_human is False
    finally:
        engine_log.removeHandler(records)
        monkeypatch.undo()
        _refresh()
