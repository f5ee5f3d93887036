"""campaign-fanout: consumer of campaign.launched; schedules the send batches."""

from __future__ import annotations

from shared.campaigns.engine import fan_out
from shared.campaigns.events import CampaignLaunched
from shared.queue.entry import event_handler
from shared.queue.events import Envelope


def consume(envelope: Envelope) -> None:
    event = envelope.event()
    assert isinstance(event, CampaignLaunched)
    fan_out(event.tenant_id, event.campaign_id, launch_id=str(envelope.id), epoch=event.epoch)


handler = event_handler(consume)
