"""The GCP pair behind QUEUE_BACKEND=pubsub: Pub/Sub for `publish`, Cloud Tasks for `schedule`.

Two services with different strengths: Pub/Sub fans out to every subscriber, Cloud Tasks
runs one named (deduplicated) HTTP call at a given time. This class only delegates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from shared.config import Settings, get_settings
from shared.queue.base import QueueBackend
from shared.queue.cloudtasks import CloudTasksScheduler
from shared.queue.events import Envelope
from shared.queue.pubsub import PubSubPublisher


class GcpBackend(QueueBackend):
    name = "pubsub"

    def __init__(self, publisher: PubSubPublisher, scheduler: CloudTasksScheduler) -> None:
        self.publisher = publisher
        self.scheduler = scheduler

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> GcpBackend:
        settings = settings or get_settings()
        publisher = PubSubPublisher(
            settings.gcp_project, emulator_host=settings.pubsub_emulator_host
        )
        return cls(publisher, CloudTasksScheduler.from_settings(settings))

    def publish(self, topic: str, envelope: Envelope) -> None:
        self.publisher.publish(topic, envelope)

    def publish_many(self, topic: str, envelopes: Sequence[Envelope]) -> None:
        self.publisher.publish_many(topic, envelopes)

    def schedule(
        self,
        queue: str,
        payload: Mapping[str, Any],
        at: datetime | None = None,
        key: str | None = None,
    ) -> bool:
        return self.scheduler.schedule(queue, payload, at=at, key=key)

    def health(self) -> tuple[bool, str]:
        checks = [self.publisher.health(), self.scheduler.health()]
        return all(up for up, _ in checks), "; ".join(detail for _, detail in checks)

    def close(self) -> None:
        try:
            self.publisher.close()
        finally:
            self.scheduler.close()
