"""The RabbitMQ backend and worker pass the queue contract on a real broker, and survive a
broker restart mid-run without losing a message."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pika
import pytest

from shared.queue.base import QueueBackend
from shared.queue.events import Envelope
from shared.queue.rabbitmq import (
    DEAD_LETTER_QUEUE,
    DELAY_BUCKETS_MS,
    RabbitBackend,
    RabbitWorker,
    consumer_queue,
    pick_bucket,
    task_queue,
)
from shared.queue.topology import consumed_topics, task_queues
from tests import services
from tests.queue.contract import QueueContract, RecordingDispatcher, ThingHappened, wait_for

pytestmark = pytest.mark.rabbitmq


def _channel(url: str) -> tuple[pika.BlockingConnection, object]:
    connection = pika.BlockingConnection(pika.URLParameters(url))
    return connection, connection.channel()


def _delete_queues(url: str, names: list[str]) -> None:
    connection, channel = _channel(url)
    for name in names:
        channel.queue_delete(name)  # type: ignore[attr-defined]
    connection.close()


def _take_dead_letters(url: str, source: str) -> list[tuple[dict[str, object], bytes]]:
    """Dead letters of `source` (acked); others are put back."""
    connection, channel = _channel(url)
    found, others = [], []
    while True:
        method, props, body = channel.basic_get(DEAD_LETTER_QUEUE)  # type: ignore[attr-defined]
        if method is None:
            break
        headers = dict(props.headers or {})
        if headers.get("x-source-queue") == source:
            found.append((headers, body))
            channel.basic_ack(method.delivery_tag)  # type: ignore[attr-defined]
        else:
            others.append(method.delivery_tag)
    for tag in others:
        channel.basic_nack(tag, requeue=True)  # type: ignore[attr-defined]
    connection.close()
    return found


class TestRabbitBackend(QueueContract):
    @pytest.fixture(autouse=True)
    def _broker(self, rabbitmq_url: str) -> Iterator[None]:
        self.url = rabbitmq_url
        self.created: list[str] = []
        yield
        for name in self.created:
            _take_dead_letters(rabbitmq_url, name)
        _delete_queues(rabbitmq_url, self.created)

    def make_backend(self, dispatcher: RecordingDispatcher, max_attempts: int) -> QueueBackend:
        backend = RabbitBackend(
            self.url, max_attempts=max_attempts, backoff_base=0.05, consumers_of=lambda _: []
        )
        self.worker = backend.start_worker(dispatcher, consumers=[], queues=[])
        assert self.worker.wait_connected(30)
        return backend

    def prepare_topic(
        self, backend: QueueBackend, dispatcher: RecordingDispatcher, topic: str
    ) -> None:
        names = [f"{topic}#{i}" for i in range(len(dispatcher.topic_handlers(topic)))]
        self.worker.subscribe(topic, names)
        self.created += [consumer_queue(n) for n in names]

    def prepare_queue(
        self, backend: QueueBackend, dispatcher: RecordingDispatcher, queue: str
    ) -> None:
        self.worker.consume(queue)
        self.created.append(task_queue(queue))

    # --- beyond the contract ---
    def test_a_task_that_always_fails_lands_in_the_dead_letter_queue(
        self, backend: QueueBackend, dispatcher: RecordingDispatcher
    ) -> None:
        queue = f"q-{uuid.uuid4().hex[:6]}"
        self.prepare_queue(backend, dispatcher, queue)
        dispatcher.fail_first[queue] = 10_000
        backend.schedule(queue, {"n": 9})
        found: list[tuple[dict[str, object], bytes]] = []
        assert wait_for(
            lambda: bool(found.extend(_take_dead_letters(self.url, task_queue(queue))) or found), 20
        )
        ((headers, body),) = found
        assert json.loads(body) == {"n": 9}
        assert headers["x-attempts"] == self.max_attempts
        assert "fails on attempt 3" in str(headers["x-error"])
        assert len(dispatcher.calls[queue]) == self.max_attempts

    def test_a_delay_longer_than_a_bucket_hops_until_due(
        self, backend: QueueBackend, dispatcher: RecordingDispatcher
    ) -> None:
        queue = f"q-{uuid.uuid4().hex[:6]}"
        self.prepare_queue(backend, dispatcher, queue)
        start = time.monotonic()
        backend.schedule(queue, {"n": 1}, at=datetime.now(UTC) + timedelta(seconds=2.35))
        assert wait_for(lambda: len(dispatcher.calls[queue]) == 1, timeout=10)
        elapsed = dispatcher.times[queue][0] - start
        assert 2.3 <= elapsed < 2.35 + 0.6  # 2 s + 250 ms + 100 ms hops, never early

    def test_a_delay_under_the_smallest_bucket_runs_on_time(
        self, backend: QueueBackend, dispatcher: RecordingDispatcher
    ) -> None:
        """The last stretch of a delay is waited out by the worker: not up to a bucket late."""
        queue = f"q-{uuid.uuid4().hex[:6]}"
        self.prepare_queue(backend, dispatcher, queue)
        for delay in (0.06, 0.16):  # straight to the worker; one 100 ms hop, then the worker
            start = time.monotonic()
            backend.schedule(queue, {"d": delay}, at=datetime.now(UTC) + timedelta(seconds=delay))
            assert wait_for(lambda: len(dispatcher.calls[queue]) == 1, timeout=10)
            elapsed = dispatcher.times[queue][0] - start
            assert delay - 0.006 <= elapsed < delay + 0.04
            dispatcher.calls[queue].clear()
            dispatcher.times[queue].clear()

    def test_health_says_down_when_the_broker_is_unreachable(self) -> None:
        backend = RabbitBackend("amqp://guest:guest@127.0.0.1:1/%2F", publish_timeout=0.5)
        up, detail = backend.health()
        assert not up
        assert "unreachable" in detail
        backend.close()


def test_pick_bucket_is_never_early() -> None:
    assert pick_bucket(50) == 100  # below the smallest: late by at most 100 ms
    assert pick_bucket(100) == 100
    assert pick_bucket(1_999) == 1_000
    assert pick_bucket(10 * 3_600_000) == DELAY_BUCKETS_MS[-1]


def _restart_broker() -> None:
    subprocess.run(["rabbitmqctl", "stop_app"], check=True, capture_output=True, timeout=60)
    time.sleep(0.5)
    subprocess.run(["rabbitmqctl", "start_app"], check=True, capture_output=True, timeout=60)


def test_a_broker_restart_mid_run_loses_nothing(rabbitmq_url: str) -> None:
    """Events, immediate and delayed tasks are published before, during and after
    `rabbitmqctl stop_app && start_app`; every one is handled at least once."""
    if not shutil.which("rabbitmqctl"):
        services.unavailable("rabbitmqctl", "the broker cannot be restarted")
    topic = f"test.restart.{uuid.uuid4().hex[:6]}"
    queue = f"q-restart-{uuid.uuid4().hex[:6]}"
    names = [f"{topic}#0", f"{topic}#1"]
    dispatcher = RecordingDispatcher()
    backend = RabbitBackend(
        rabbitmq_url,
        max_attempts=5,
        backoff_base=0.05,
        consumers_of=lambda t: names if t == topic else [],
    )
    worker = backend.start_worker(
        dispatcher, consumers=[(topic, n) for n in names], queues=[queue], concurrency=4
    )
    assert worker.wait_connected(30)
    events: list[uuid.UUID] = []
    tasks: list[int] = []

    def send(count: int) -> None:
        for _ in range(count):
            envelope = Envelope.wrap(ThingHappened(thing_id=uuid.uuid4()))
            backend.publish(topic, envelope)
            events.append(envelope.id)
            i = len(tasks)
            at = datetime.now(UTC) + timedelta(seconds=1.5) if i % 2 else None
            assert backend.schedule(queue, {"i": i}, at=at, key=f"{queue}-{i}")
            tasks.append(i)

    try:
        send(20)
        restart = threading.Thread(target=_restart_broker)
        restart.start()
        while restart.is_alive():  # publishes block and retry while the broker is away
            send(1)
            time.sleep(0.05)
        restart.join()
        send(20)

        def all_handled() -> bool:
            with dispatcher.lock:
                got = [{e.id for e in dispatcher.calls[n]} for n in names]
                done = {p["i"] for p in dispatcher.calls[queue]}
            return all(g >= set(events) for g in got) and done >= set(tasks)

        assert wait_for(all_handled, timeout=60), (
            f"events {[len(dispatcher.calls[n]) for n in names]}/{len(events)}, "
            f"tasks {len(dispatcher.calls[queue])}/{len(tasks)}"
        )
        assert len(events) > 40  # some were published while the broker was down
    finally:
        backend.close()
        _delete_queues(rabbitmq_url, [*map(consumer_queue, names), task_queue(queue)])


def test_the_worker_command_consumes_the_registry_queues(rabbitmq_url: str) -> None:
    """`smsctl worker` declares and consumes every fn.*/task.* queue, and stops on SIGTERM."""
    env = {**os.environ, "QUEUE_BACKEND": "rabbitmq", "RABBITMQ_URL": rabbitmq_url}
    proc = subprocess.Popen(
        [sys.executable, "-m", "shared.cli", "worker", "--concurrency", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    expected = [consumer_queue(f) for fs in consumed_topics().values() for f in fs]
    expected += [task_queue(q) for q in task_queues()]

    def consumed() -> bool:
        connection, channel = _channel(rabbitmq_url)
        try:
            for name in expected:
                ok = channel.queue_declare(name, passive=True)  # type: ignore[attr-defined]
                if ok.method.consumer_count < 1:
                    return False
            return True
        except pika.exceptions.ChannelClosedByBroker:
            return False
        finally:
            if connection.is_open:
                connection.close()

    try:
        assert wait_for(lambda: proc.poll() is not None or consumed(), timeout=30)
        output = proc.stdout.read1().decode() if proc.stdout else ""
        assert proc.poll() is None, f"the worker exited: {output[-3000:]}"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_the_worker_refuses_names_that_do_not_match_the_handlers() -> None:
    with pytest.raises(ValueError, match="consumer names"):
        RabbitWorker(RecordingDispatcher(), consumers=[("t.x", "only-one")], queues=[])
