"""webhook-fanout: consumer of the internal events that have public webhook events."""

from __future__ import annotations

from shared.queue.entry import event_handler
from shared.queue.events import Envelope
from shared.webhooks.delivery import fan_out


def consume(envelope: Envelope) -> None:
    fan_out(envelope)


handler = event_handler(consume)
