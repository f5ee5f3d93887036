"""The queue contract every backend passes: delivery, delay, key deduplication, redelivery.

A backend's test module subclasses `QueueContract` and provides `make_backend`; a backend
whose topology lives outside the process (subscriptions, queues, a worker) also provides
`prepare_topic` / `prepare_queue`, run before the first publish or schedule.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.queue.base import QueueBackend, TaskHandler, TopicHandler
from shared.queue.events import Envelope, Event


class ThingHappened(Event):
    event_type = "test.thing_happened"
    thing_id: uuid.UUID
    note: str = ""


class RecordingDispatcher:
    """Handlers that record what they receive; `fail_first[name]` failures before success."""

    def __init__(self) -> None:
        self.calls: dict[str, list[Any]] = defaultdict(list)
        self.fail_first: dict[str, int] = {}
        self.times: dict[str, list[float]] = defaultdict(list)
        self.lock = threading.Lock()

    def _record(self, name: str, item: Any) -> None:
        with self.lock:
            self.calls[name].append(item)
            self.times[name].append(time.monotonic())
            attempts = len(self.calls[name])
        if attempts <= self.fail_first.get(name, 0):
            raise RuntimeError(f"{name} fails on attempt {attempts}")

    def topic_handlers(self, topic: str) -> list[TopicHandler]:
        return [lambda env, n=f"{topic}#{i}": self._record(n, env) for i in range(2)]

    def queue_handler(self, queue: str) -> TaskHandler:
        return lambda payload: self._record(queue, payload)


def wait_for(condition: Callable[[], bool], timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


class QueueContract:
    """Subclasses set `make_backend(dispatcher, max_attempts)`; tests run on each backend."""

    max_attempts = 3

    def make_backend(self, dispatcher: RecordingDispatcher, max_attempts: int) -> QueueBackend:
        raise NotImplementedError

    def prepare_topic(
        self, backend: QueueBackend, dispatcher: RecordingDispatcher, topic: str
    ) -> None:
        """Make `topic`'s consumers (the dispatcher's handlers) reachable before a publish.

        What Terraform or a deployed worker provides in production; nothing in-process.
        """

    def prepare_queue(
        self, backend: QueueBackend, dispatcher: RecordingDispatcher, queue: str
    ) -> None:
        """Make `queue` exist and reach `dispatcher.queue_handler(queue)`."""

    @pytest.fixture
    def dispatcher(self) -> RecordingDispatcher:
        return RecordingDispatcher()

    @pytest.fixture
    def backend(self, dispatcher: RecordingDispatcher) -> Iterator[QueueBackend]:
        backend = self.make_backend(dispatcher, self.max_attempts)
        yield backend
        backend.close()

    def test_publish_reaches_every_consumer_once(
        self, backend: QueueBackend, dispatcher: RecordingDispatcher
    ) -> None:
        topic = f"test.topic.{uuid.uuid4().hex[:6]}"
        self.prepare_topic(backend, dispatcher, topic)
        event = ThingHappened(thing_id=uuid.uuid4(), note="héllo")
        envelope = Envelope.wrap(event, tenant_id=uuid.uuid4())
        backend.publish(topic, envelope)
        assert wait_for(lambda: all(len(dispatcher.calls[f"{topic}#{i}"]) == 1 for i in range(2)))
        time.sleep(0.3)  # and no extra copies arrive
        for i in range(2):
            (received,) = dispatcher.calls[f"{topic}#{i}"]
            assert received.id == envelope.id
            assert received.tenant_id == envelope.tenant_id
            assert received.event() == event

    def test_publish_many_reaches_every_consumer_once_each(
        self, backend: QueueBackend, dispatcher: RecordingDispatcher
    ) -> None:
        topic = f"test.topic.{uuid.uuid4().hex[:6]}"
        self.prepare_topic(backend, dispatcher, topic)
        envelopes = [
            Envelope.wrap(ThingHappened(thing_id=uuid.uuid4(), note=str(i))) for i in range(5)
        ]
        backend.publish_many(topic, envelopes)
        assert wait_for(lambda: all(len(dispatcher.calls[f"{topic}#{i}"]) == 5 for i in range(2)))
        time.sleep(0.3)  # and no extra copies arrive
        for i in range(2):
            received = dispatcher.calls[f"{topic}#{i}"]
            assert sorted(r.id for r in received) == sorted(e.id for e in envelopes)

    def test_schedule_now_delivers_the_payload(
        self, backend: QueueBackend, dispatcher: RecordingDispatcher
    ) -> None:
        queue = f"q-{uuid.uuid4().hex[:6]}"
        self.prepare_queue(backend, dispatcher, queue)
        assert backend.schedule(queue, {"n": 1, "s": "x"}) is True
        assert wait_for(lambda: len(dispatcher.calls[queue]) == 1)
        assert dispatcher.calls[queue][0] == {"n": 1, "s": "x"}

    def test_schedule_at_waits_until_its_time(
        self, backend: QueueBackend, dispatcher: RecordingDispatcher
    ) -> None:
        queue = f"q-{uuid.uuid4().hex[:6]}"
        self.prepare_queue(backend, dispatcher, queue)
        start = time.monotonic()
        backend.schedule(queue, {"n": 2}, at=datetime.now(UTC) + timedelta(seconds=1.5))
        time.sleep(0.8)
        assert dispatcher.calls[queue] == []
        assert wait_for(lambda: len(dispatcher.calls[queue]) == 1, timeout=10)
        assert dispatcher.times[queue][0] - start >= 1.4

    def test_schedule_key_deduplicates(
        self, backend: QueueBackend, dispatcher: RecordingDispatcher
    ) -> None:
        queue = f"q-{uuid.uuid4().hex[:6]}"
        self.prepare_queue(backend, dispatcher, queue)
        key = f"k-{uuid.uuid4().hex}"
        at = datetime.now(UTC) + timedelta(seconds=0.5)
        assert backend.schedule(queue, {"n": 1}, at=at, key=key) is True
        assert backend.schedule(queue, {"n": 2}, at=at, key=key) is False
        assert wait_for(lambda: len(dispatcher.calls[queue]) == 1)
        time.sleep(1.0)
        assert dispatcher.calls[queue] == [{"n": 1}]

    def test_a_failing_task_is_redelivered_until_it_succeeds(
        self, backend: QueueBackend, dispatcher: RecordingDispatcher
    ) -> None:
        queue = f"q-{uuid.uuid4().hex[:6]}"
        self.prepare_queue(backend, dispatcher, queue)
        dispatcher.fail_first[queue] = 2
        backend.schedule(queue, {"n": 3})
        assert wait_for(lambda: len(dispatcher.calls[queue]) == 3, timeout=30)
        time.sleep(0.5)
        assert len(dispatcher.calls[queue]) == 3  # succeeded on the third, then stopped

    def test_a_failing_consumer_is_redelivered(
        self, backend: QueueBackend, dispatcher: RecordingDispatcher
    ) -> None:
        topic = f"test.topic.{uuid.uuid4().hex[:6]}"
        self.prepare_topic(backend, dispatcher, topic)
        dispatcher.fail_first[f"{topic}#0"] = 1
        envelope = Envelope.wrap(ThingHappened(thing_id=uuid.uuid4()))
        backend.publish(topic, envelope)
        assert wait_for(lambda: len(dispatcher.calls[f"{topic}#0"]) == 2, timeout=30)
        # The other consumer is not disturbed by its sibling's failure.
        assert len(dispatcher.calls[f"{topic}#1"]) == 1
        assert {e.id for e in dispatcher.calls[f"{topic}#0"]} == {envelope.id}

    def test_a_task_that_always_fails_stops_after_max_attempts(
        self, backend: QueueBackend, dispatcher: RecordingDispatcher
    ) -> None:
        queue = f"q-{uuid.uuid4().hex[:6]}"
        self.prepare_queue(backend, dispatcher, queue)
        dispatcher.fail_first[queue] = 10_000
        backend.schedule(queue, {"n": 4})
        assert wait_for(lambda: len(dispatcher.calls[queue]) == self.max_attempts, timeout=60)
        time.sleep(1.5)
        assert len(dispatcher.calls[queue]) == self.max_attempts

    def test_health(self, backend: QueueBackend) -> None:
        up, detail = backend.health()
        assert up, detail
