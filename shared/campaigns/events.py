"""Events of the campaign pipeline."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from shared.queue.events import Event


class CampaignLaunched(Event):
    """Published at launch and at resume: the fan-out pages through what is left."""

    event_type = "campaign.launched"
    tenant_id: uuid.UUID
    campaign_id: uuid.UUID
    resumed: bool = False
    # The campaign's run this launch starts (None: whatever run is current, as before).
    epoch: int | None = None


class PlannedSend(BaseModel):
    """A queued message of a batch, and what its rate reservation and its quiet-hours
    check need (carried by a batch's retry, so that one reads nothing again)."""

    message_id: uuid.UUID
    number_id: uuid.UUID | None
    mps: float | None
    segments: int
    phone: str
    timezone: str | None


class CampaignBatch(Event):
    """A slice of the frozen audience (by seq) for one send consumer. `waiting`: a retry
    of the batch for its messages that had no rate slot yet; `retries`: how many such
    retries led to this one. `deferrals`: how often it found its senders behind already
    (each time it waits longer). `epoch`: the campaign's run that scheduled it; a batch of
    an older run (before a pause and resume) drops itself."""

    event_type = "campaign.batch"
    tenant_id: uuid.UUID
    campaign_id: uuid.UUID
    seq_from: int
    seq_to: int
    waiting: list[PlannedSend] = []
    retries: int = 0
    deferrals: int = 0
    epoch: int | None = None


class CampaignPaused(Event):
    """A campaign stopped sending: a user paused it, or its failure rate crossed the
    threshold (`cause: auto`). Meant for the workspace's developers (outgoing webhooks)."""

    event_type = "campaign.paused"
    tenant_id: uuid.UUID
    campaign_id: uuid.UUID
    cause: Literal["auto", "user"]
    reason: str = Field(description="Why, in words (the campaign's `pause_reason`).")
    paused_at: datetime


class CampaignCompleted(Event):
    event_type = "campaign.completed"
    tenant_id: uuid.UUID
    campaign_id: uuid.UUID
