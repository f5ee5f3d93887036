"""ai-responder: consumer of message.received; schedules one debounced AI reply per burst."""

from __future__ import annotations

from shared.ai.engine import on_message_received
from shared.messaging.events import MessageReceived
from shared.queue.entry import event_handler
from shared.queue.events import Envelope


def consume(envelope: Envelope) -> None:
    event = envelope.event()
    assert isinstance(event, MessageReceived)
    on_message_received(event)


handler = event_handler(consume)
