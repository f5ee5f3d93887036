"""Events of the campaign pipeline."""

from __future__ import annotations

import uuid

from shared.queue.events import Event


class CampaignLaunched(Event):
    """Published at launch and at resume: the fan-out pages through what is left."""

    event_type = "campaign.launched"
    tenant_id: uuid.UUID
    campaign_id: uuid.UUID


class CampaignBatch(Event):
    """A slice of the frozen audience (by seq) for one send consumer."""

    event_type = "campaign.batch"
    tenant_id: uuid.UUID
    campaign_id: uuid.UUID
    seq_from: int
    seq_to: int


class CampaignPaused(Event):
    event_type = "campaign.paused"
    tenant_id: uuid.UUID
    campaign_id: uuid.UUID
    reason: str
