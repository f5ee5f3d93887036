"""campaign-sender: consumer of campaign.batch; sends one slice of the audience."""

from __future__ import annotations

from shared.campaigns.engine import send_batch
from shared.campaigns.events import CampaignBatch
from shared.queue.entry import event_handler
from shared.queue.events import Envelope


def consume(envelope: Envelope) -> None:
    event = envelope.event()
    assert isinstance(event, CampaignBatch)
    send_batch(event.tenant_id, event.campaign_id, event.seq_from, event.seq_to)


handler = event_handler(consume)
