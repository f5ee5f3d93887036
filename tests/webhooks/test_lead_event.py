"""lead.qualified: the AI qualifies a lead (Claude through the fake Anthropic API)."""

from __future__ import annotations

import httpx
import pytest

from tests.ai.conftest import fake_anthropic  # noqa: F401 - the fixture
from tests.ai.helpers import ai_workspace, text_in
from tests.fakes.anthropic import FakeAnthropic, tool_reply
from tests.fakes.twilio import FakeTwilio
from tests.messaging.helpers import new_phone
from tests.webhooks.conftest import create_endpoint
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.usefixtures("local")

CRITERIA = [{"name": "budget", "type": "number", "description": "Monthly budget, USD"}]


def test_a_qualified_lead_is_an_event_with_the_contact_and_what_was_learned(
    api: httpx.Client,
    fake_twilio: FakeTwilio,
    fake_anthropic: FakeAnthropic,  # noqa: F811
    receiver: Receiver,
) -> None:
    ws = ai_workspace(api, fake_twilio, criteria=CRITERIA)
    endpoint = create_endpoint(api, ws.tw.account, receiver.url, event_types=["lead.qualified"])
    fake_anthropic.script(
        ws.marker,
        tool_reply(
            "Great, a specialist will call.", lead_stage="qualified", fields={"budget": 900}
        ),
    )
    phone = new_phone()
    text_in(fake_twilio, ws, phone, "Budget 900 a month")
    (event,) = receiver.wait_for(lambda: receiver.of_type("lead.qualified"))
    payload = event.verify(endpoint["secret"])
    assert payload["data"]["contact"]["phone"] == phone
    assert payload["data"]["contact"]["lead_stage"] == "qualified"
    assert payload["data"]["conversation"]["lead_stage"] == "qualified"
    assert payload["data"]["qualification"] == {"budget": 900}
