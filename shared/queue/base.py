"""The queue interface: `publish` (fan-out) and `schedule` (one delayed, deduplicated call).

Delivery is at-least-once on every backend: consumers must be idempotent. A handler that
raises is retried with backoff and, past the attempt limit, dead-lettered.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from shared.queue.events import Envelope

TopicHandler = Callable[[Envelope], None]
TaskHandler = Callable[[dict[str, Any]], None]


class Dispatcher(Protocol):
    """Who handles what: the registry in production, plain callables in contract tests."""

    def topic_handlers(self, topic: str) -> list[TopicHandler]: ...

    def queue_handler(self, queue: str) -> TaskHandler: ...


class QueueBackend(abc.ABC):
    name: str = "abstract"

    @abc.abstractmethod
    def publish(self, topic: str, envelope: Envelope) -> None:
        """Deliver to every consumer of `topic`, at least once."""

    def publish_many(self, topic: str, envelopes: Sequence[Envelope]) -> None:
        """`publish` each (a backend that can do it in fewer round trips does)."""
        for envelope in envelopes:
            self.publish(topic, envelope)

    @abc.abstractmethod
    def schedule(
        self,
        queue: str,
        payload: Mapping[str, Any],
        at: datetime | None = None,
        key: str | None = None,
    ) -> bool:
        """Call `queue`'s target with `payload` at `at` (now when None).

        With a `key`, a second schedule of the same key is dropped and returns False.
        """

    @abc.abstractmethod
    def health(self) -> tuple[bool, str]:
        """(up, detail) for /health."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections and threads."""
