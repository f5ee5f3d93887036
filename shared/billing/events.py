"""Events the billing domain publishes (delivered to workspaces by outgoing webhooks)."""

from __future__ import annotations

import uuid
from datetime import datetime

from shared.queue.events import Event


class BillingUpdated(Event):
    """The workspace's plan or subscription changed (as read from Stripe)."""

    event_type = "billing.updated"
    tenant_id: uuid.UUID
    plan: str
    previous_plan: str
    subscription_status: str | None
    previous_status: str | None
    current_period_start: datetime | None = None
    current_period_end: datetime | None = None
    cancel_at_period_end: bool = False
    trial_end: datetime | None = None
    past_due_since: datetime | None = None
    grace_ends_at: datetime | None = None  # after it, bulk campaigns are refused
    cause: str  # the Stripe event type that led to the change


class UsageWarning(Event):
    """Usage crossed 80% or 100% of what the plan includes this period (once each)."""

    event_type = "billing.usage_warning"
    tenant_id: uuid.UUID
    meter: str  # sms_segments | ai_tokens
    threshold_percent: int
    used: int
    included: int
    plan: str
    period_start: datetime
    period_end: datetime
