"""Events of the webhooks domain."""

from __future__ import annotations

import uuid

from shared.queue.events import Event


class EndpointDisabled(Event):
    """An endpoint was disabled for failing (410 Gone, or the failure window)."""

    event_type = "endpoint.disabled"
    tenant_id: uuid.UUID
    endpoint_id: uuid.UUID
    reason: str
