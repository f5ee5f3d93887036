"""The catalogue is the one declaration: the fan-out consumes its topics, and each internal
event maps to the public types it means."""

from __future__ import annotations

import uuid

import pytest

from shared import registry
from shared.campaigns.events import CampaignLaunched
from shared.conversations.events import ConversationUpdated
from shared.messaging.events import MessageStatusChanged
from shared.queue.events import Event
from shared.webhooks.catalogue import CATALOGUE, for_internal, source_topics

T = uuid.uuid4()


def test_the_fanout_consumes_exactly_the_catalogue_topics() -> None:
    fanout = registry.by_name("webhook-fanout")
    missing = source_topics() - set(fanout.topics)
    assert not missing, f"add {sorted(missing)} to webhook-fanout's topics in shared/registry.py"
    assert set(fanout.topics) == source_topics()


@pytest.mark.parametrize(
    ("event", "types"),
    [
        (MessageStatusChanged(tenant_id=T, message_id=T, status="sent"), ["message.sent"]),
        (
            MessageStatusChanged(tenant_id=T, message_id=T, status="delivered"),
            ["message.delivered"],
        ),
        (
            MessageStatusChanged(tenant_id=T, message_id=T, status="undelivered", error_code=30003),
            ["message.failed"],
        ),
        (MessageStatusChanged(tenant_id=T, message_id=T, status="failed"), ["message.failed"]),
        (MessageStatusChanged(tenant_id=T, message_id=T, status="queued"), []),
        (CampaignLaunched(tenant_id=T, campaign_id=T), ["campaign.launched"]),
        (CampaignLaunched(tenant_id=T, campaign_id=T, resumed=True), ["campaign.resumed"]),
        (ConversationUpdated(tenant_id=T, conversation_id=T, changes=["read"]), []),
        (
            ConversationUpdated(tenant_id=T, conversation_id=T, changes=["status", "read"]),
            ["conversation.updated"],
        ),
    ],
)
def test_internal_events_map_to_public_types(event: Event, types: list[str]) -> None:
    assert [p.name for p in for_internal(event)] == types


def test_every_public_type_has_a_payload_schema_with_its_name() -> None:
    for name, event in CATALOGUE.items():
        schema = event.payload_model.model_json_schema()
        assert schema["properties"]["type"]["const"] == name
        assert event.description
