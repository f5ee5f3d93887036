"""RabbitMQ backend (the parity adapter of the original design) and its worker.

Topology (all durable; messages persistent):
- exchange `events` (topic): `publish` routes by topic to one queue per consuming function,
  `fn.<function>`, so each consumer gets its own copy and its own retries;
- exchange `tasks` (direct): routing key = the destination queue's full name, `task.<queue>`
  for `schedule`, or `fn.<function>` for one consumer's retry;
- exchange `delays.q` (headers) and one queue per delay bucket, `delay.q.<ms>`, with
  `x-message-ttl` = ms and `x-dead-letter-exchange` = `tasks`: an expired message goes to
  `tasks` with its original routing key, the destination queue. The buckets are quorum
  queues with at-least-once dead-lettering: a classic queue dead-letters at most once (an
  expired message whose destination queue is not running - a broker stopping or still
  recovering - is dropped, and with it a campaign batch or a send). A quorum bucket keeps
  it until the destination confirms. (The first design's classic `delays` / `delay.<ms>`
  are no longer published to; what they hold still drains to `tasks`.) One queue per bucket,
  because a per-message TTL only expires at the head of a queue (a short delay would wait
  behind a long one). The broker here has no delayed-message plugin, so buckets are the
  only mechanism. A longer delay hops: the due time travels in the `x-due-ms` header and
  the worker re-delays a message that arrives before it (the largest bucket not past it),
  and waits out the last stretch under the smallest bucket itself (see LOCAL_WAIT_MS);
- queue `dead-letter`: what failed QUEUE_MAX_ATTEMPTS times, with its source and error.

Delivery: a publish returns only after the broker's confirm (publisher confirms), and is
retried on a fresh connection while the broker is unreachable (tenacity), so a broker
restart loses nothing (a retry may duplicate: at-least-once). The worker acks manually
after the handler and after any retry/dead-letter publish is confirmed, with basic_qos
prefetch; unacked messages are redelivered when its connection drops, and it reconnects.

Deduplication by key is a Redis `SET NX EX` on `queue:dedup:<queue>:<key>` for a day past
the due time (Cloud Tasks likewise keeps a task name reserved after the task ran), taken
before the publish and released if the publish fails. Redis, not the broker, because
RabbitMQ has no message-id deduplication.

pika's BlockingConnection is not thread-safe: each publish checks a connection out of a
small pool (one connection per concurrent publisher, never shared at once). A pool rather
than a threading.local, because the local gateway serves each request on a new thread and
a per-thread connection would leak one broker connection per request.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import queue as stdqueue
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pika
import pika.exceptions
import redis
from tenacity import (
    Retrying,
    retry_if_exception_type,
    stop_after_delay,
    wait_exponential,
)

from shared.config import get_settings
from shared.queue.base import Dispatcher, QueueBackend, TopicHandler
from shared.queue.events import Envelope
from shared.queue.topology import consumed_topics, task_queues

log = logging.getLogger("queue.rabbitmq")

EVENTS_EXCHANGE = "events"
TASKS_EXCHANGE = "tasks"
DELAYS_EXCHANGE = "delays.q"
DEAD_LETTER_QUEUE = "dead-letter"
DELAY_BUCKETS_MS = (
    100,
    250,
    500,
    1_000,
    2_000,
    5_000,
    10_000,
    30_000,
    60_000,
    300_000,
    900_000,
    3_600_000,
)
HDR_DUE = "x-due-ms"  # epoch milliseconds at which the message may run
HDR_ATTEMPT = "x-attempt"  # 1 for the first delivery
HDR_BUCKET = "delay-bucket"  # routes on `delays` (a headers exchange ignores "x-" headers)
EARLY_MS = 5  # arriving this early still runs (timer granularity)
# Handlers a worker runs at once. A campaign batch's handler waits for its sends' answers
# (up to about the bulk horizon): with 8, a pool-bound campaign's retries can queue behind
# waiting handlers (its DIDs idle for hundreds of ms in one run of three). 16 and 32 gave
# the pool's capacity back, but were reverted while a 100,000-contact run was slow (its
# causes were elsewhere, see bench/RESULTS.md; 16 was not measured again).
WORKER_CONCURRENCY = 8
# The last stretch of a delay, under the smallest bucket, is waited out by the worker that
# took the message, on its connection's timer (it holds it unacked meanwhile): a bucket
# would run it up to that bucket's length late, and each hop is a publish and a delivery
# more.
LOCAL_WAIT_MS = DELAY_BUCKETS_MS[0]
DEDUP_TTL_SECONDS = 86_400

RETRYABLE: tuple[type[BaseException], ...] = (
    pika.exceptions.AMQPConnectionError,
    pika.exceptions.AMQPChannelError,
    OSError,
)


def consumer_queue(function: str) -> str:
    return f"fn.{function}"


def task_queue(queue: str) -> str:
    return f"task.{queue}"


def delay_queue(ms: int) -> str:
    return f"delay.q.{ms}"


def pick_bucket(remaining_ms: float) -> int:
    """The largest bucket not past `remaining_ms` (never early), else the smallest (a
    publish waits out a delay under the smallest bucket at the worker instead)."""
    fitting = [b for b in DELAY_BUCKETS_MS if b <= remaining_ms]
    return fitting[-1] if fitting else DELAY_BUCKETS_MS[0]


def now_ms() -> int:
    return int(time.time() * 1000)


def delay_arguments(ms: int) -> dict[str, Any]:
    """A delay bucket: expired messages go on to `tasks`, at least once."""
    return {
        "x-queue-type": "quorum",
        "x-message-ttl": ms,
        "x-dead-letter-exchange": TASKS_EXCHANGE,
        "x-dead-letter-strategy": "at-least-once",
        "x-overflow": "reject-publish",  # required by at-least-once dead-lettering
    }


def declare_base(channel: Any) -> None:
    """Exchanges, delay buckets and the dead-letter queue (idempotent)."""
    channel.exchange_declare(EVENTS_EXCHANGE, exchange_type="topic", durable=True)
    channel.exchange_declare(TASKS_EXCHANGE, exchange_type="direct", durable=True)
    channel.exchange_declare(DELAYS_EXCHANGE, exchange_type="headers", durable=True)
    for ms in DELAY_BUCKETS_MS:
        name = delay_queue(ms)
        channel.queue_declare(name, durable=True, arguments=delay_arguments(ms))
        channel.queue_bind(name, DELAYS_EXCHANGE, arguments={"x-match": "all", HDR_BUCKET: str(ms)})
    channel.queue_declare(DEAD_LETTER_QUEUE, durable=True)


def declare_consumer(channel: Any, topic: str, function: str) -> str:
    name = consumer_queue(function)
    channel.queue_declare(name, durable=True)
    channel.queue_bind(name, EVENTS_EXCHANGE, routing_key=topic)
    channel.queue_bind(name, TASKS_EXCHANGE, routing_key=name)  # its own retries
    return name


def _declare_consumer_topics(channel: Any, topics: tuple[str, ...], function: str) -> str:
    for topic in topics:
        name = declare_consumer(channel, topic, function)
    return name


def declare_task_queue(channel: Any, queue: str) -> str:
    name = task_queue(queue)
    channel.queue_declare(name, durable=True)
    channel.queue_bind(name, TASKS_EXCHANGE, routing_key=name)
    return name


def _parameters(url: str) -> Any:
    params = pika.URLParameters(url)
    params.connection_attempts = 1
    params.socket_timeout = 5
    params.blocked_connection_timeout = 30
    return params


def _registry_consumers(topic: str) -> list[str]:
    return consumed_topics().get(topic, [])


@dataclass
class _Link:
    """One connection with a confirming channel, and what it has declared."""

    connection: Any
    channel: Any
    declared: set[str] = field(default_factory=set)
    transacted: Any = None  # a second channel in tx mode, for batches (opened on first use)

    def batch_channel(self) -> Any:
        if self.transacted is None or not self.transacted.is_open:
            self.transacted = self.connection.channel()
            self.transacted.tx_select()
        return self.transacted

    @property
    def is_open(self) -> bool:
        return bool(self.connection.is_open and self.channel.is_open)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            if self.connection.is_open:
                self.connection.close()


class RabbitPublisher:
    """Confirmed, retried publishes over a small pool of connections."""

    def __init__(
        self,
        url: str,
        *,
        consumers_of: Callable[[str], Sequence[str]] | None = None,
        publish_timeout: float = 60.0,
        pool_size: int = 8,
    ) -> None:
        self._params = _parameters(url)
        self._consumers_of = consumers_of or _registry_consumers
        self._publish_timeout = publish_timeout
        self._idle: stdqueue.LifoQueue[_Link] = stdqueue.LifoQueue(maxsize=pool_size)
        self._closed = False

    # --- connections ---
    def _connect(self) -> _Link:
        connection = pika.BlockingConnection(self._params)
        channel = connection.channel()
        channel.confirm_delivery()
        declare_base(channel)
        return _Link(connection, channel)

    def _checkout(self) -> _Link:
        while True:
            try:
                link = self._idle.get_nowait()
            except stdqueue.Empty:
                return self._connect()
            try:
                link.connection.process_data_events(0)  # heartbeats; notices a dead socket
            except RETRYABLE:
                link.close()
                continue
            if link.is_open:
                return link
            link.close()

    def _checkin(self, link: _Link) -> None:
        if self._closed or not link.is_open:
            link.close()
            return
        try:
            self._idle.put_nowait(link)
        except stdqueue.Full:
            link.close()

    def _run(self, operation: Callable[[_Link], None], *, retry: bool = True) -> None:
        """Run `operation` on a pooled link; on a broker error, again on a fresh one."""

        def attempt() -> None:
            link = self._checkout()
            try:
                operation(link)
            except BaseException:
                link.close()  # its state is unknown: never reuse it
                raise
            self._checkin(link)

        if not retry:
            attempt()
            return
        retrying = Retrying(
            retry=retry_if_exception_type(RETRYABLE),
            wait=wait_exponential(multiplier=0.1, max=2.0),
            stop=stop_after_delay(self._publish_timeout),
            before_sleep=lambda state: log.warning(
                "RabbitMQ publish failed (%r); retrying",
                state.outcome.exception() if state.outcome else "?",
            ),
            reraise=True,
        )
        retrying(attempt)

    # --- publishing ---
    def publish_event(self, topic: str, envelope: Envelope) -> None:
        self.publish_events(topic, [envelope])

    def publish_events(self, topic: str, envelopes: Sequence[Envelope]) -> None:
        """Over one pooled connection: one event confirmed, several in one transaction
        (committed once the broker has them, as a confirm: one round trip instead of one
        per event, which was a tenth of a webhook process's CPU). A retry after a broker
        error publishes them all again: at-least-once, as always."""
        messages = [self._event_message(envelope) for envelope in envelopes]
        consumers = list(self._consumers_of(topic))

        def operation(link: _Link) -> None:
            # The consumers' queues exist before the first event: none is dropped because
            # the worker has not started yet.
            for function in consumers:
                binding = f"{consumer_queue(function)}<-{topic}"  # a queue may bind several
                if binding not in link.declared:
                    declare_consumer(link.channel, topic, function)
                    link.declared.add(binding)
            if len(messages) == 1:
                body, properties = messages[0]
                link.channel.basic_publish(EVENTS_EXCHANGE, topic, body, properties)
                return
            channel = link.batch_channel()
            for body, properties in messages:
                channel.basic_publish(EVENTS_EXCHANGE, topic, body, properties)
            channel.tx_commit()

        if messages:
            self._run(operation)

    @staticmethod
    def _event_message(envelope: Envelope) -> tuple[bytes, pika.BasicProperties]:
        body = envelope.model_dump_json().encode()
        headers: dict[str, Any] = {
            "x-event-type": envelope.type,
            "x-event-version": envelope.version,
        }
        if envelope.tenant_id is not None:
            headers["x-tenant-id"] = str(envelope.tenant_id)
        properties = pika.BasicProperties(
            content_type="application/json",
            delivery_mode=pika.DeliveryMode.Persistent,
            message_id=str(envelope.id),
            type=envelope.type,
            headers=headers,
        )
        return body, properties

    def send(
        self,
        destination: str,
        body: bytes,
        *,
        due_ms: int | None = None,
        attempt: int = 1,
        message_id: str | None = None,
        declare: Callable[[Any], str] | None = None,
    ) -> None:
        """Put `body` on queue `destination` (`task.*` / `fn.*`), now or at `due_ms`."""
        headers: dict[str, Any] = {HDR_ATTEMPT: attempt}
        remaining = (due_ms - now_ms()) if due_ms is not None else 0
        if due_ms is not None:
            headers[HDR_DUE] = due_ms
        if remaining > LOCAL_WAIT_MS:
            bucket = pick_bucket(remaining)
            headers[HDR_BUCKET] = str(bucket)
            exchange = DELAYS_EXCHANGE
        else:
            exchange = TASKS_EXCHANGE
        properties = pika.BasicProperties(
            content_type="application/json",
            delivery_mode=pika.DeliveryMode.Persistent,
            message_id=message_id or uuid.uuid4().hex,
            headers=headers,
        )

        def operation(link: _Link) -> None:
            if declare is not None and destination not in link.declared:
                link.declared.add(declare(link.channel))
            # mandatory: an unroutable message is an error, not a silent drop.
            link.channel.basic_publish(exchange, destination, body, properties, mandatory=True)

        self._run(operation)

    def dead_letter(self, source: str, body: bytes, attempts: int, error: str) -> None:
        properties = pika.BasicProperties(
            content_type="application/json",
            delivery_mode=pika.DeliveryMode.Persistent,
            headers={"x-source-queue": source, "x-attempts": attempts, "x-error": error[:1000]},
        )
        self._run(
            lambda link: link.channel.basic_publish(
                "", DEAD_LETTER_QUEUE, body, properties, mandatory=True
            )
        )

    def ping(self) -> None:
        """One attempt, no retries: a health check answers quickly."""
        self._run(lambda link: None, retry=False)

    def close(self) -> None:
        self._closed = True
        while True:
            try:
                self._idle.get_nowait().close()
            except stdqueue.Empty:
                return


class RabbitBackend(QueueBackend):
    name = "rabbitmq"

    def __init__(
        self,
        url: str,
        *,
        max_attempts: int = 10,
        prefetch: int = 32,
        backoff_base: float = 1.0,
        backoff_max: float = 300.0,
        redis_client: redis.Redis | None = None,
        consumers_of: Callable[[str], Sequence[str]] | None = None,
        publish_timeout: float = 60.0,
    ) -> None:
        self.url = url
        self.max_attempts = max_attempts
        self.prefetch = prefetch
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self._redis = redis_client
        self.publisher = RabbitPublisher(
            url, consumers_of=consumers_of, publish_timeout=publish_timeout
        )
        self._workers: list[RabbitWorker] = []

    @classmethod
    def from_settings(cls) -> RabbitBackend:
        settings = get_settings()
        return cls(
            settings.rabbitmq_url,
            max_attempts=settings.queue_max_attempts,
            prefetch=settings.rabbitmq_prefetch,
        )

    def _redis_client(self) -> redis.Redis:
        if self._redis is None:
            from shared.cache import get_redis

            self._redis = get_redis()
        return self._redis

    def publish(self, topic: str, envelope: Envelope) -> None:
        self.publisher.publish_event(topic, envelope)

    def publish_many(self, topic: str, envelopes: Sequence[Envelope]) -> None:
        self.publisher.publish_events(topic, envelopes)

    def schedule(
        self,
        queue: str,
        payload: Mapping[str, Any],
        at: datetime | None = None,
        key: str | None = None,
    ) -> bool:
        due = int(at.timestamp() * 1000) if at is not None else None
        dedup = f"queue:dedup:{queue}:{key}" if key is not None else None
        if dedup is not None:
            # Reserved a day past the run, however far ahead it is scheduled.
            ttl = DEDUP_TTL_SECONDS + max(0, ((due or 0) - now_ms()) // 1000)
            if not self._redis_client().set(dedup, b"1", nx=True, ex=ttl):
                return False
        body = json.dumps(dict(payload), separators=(",", ":")).encode()
        try:
            self.publisher.send(
                task_queue(queue),
                body,
                due_ms=due,
                declare=functools.partial(declare_task_queue, queue=queue),
            )
        except BaseException:
            if dedup is not None:
                with contextlib.suppress(redis.RedisError):
                    self._redis_client().delete(dedup)
            raise
        return True

    def health(self) -> tuple[bool, str]:
        try:
            self.publisher.ping()
        except Exception as exc:
            return False, f"broker unreachable: {exc!r}"
        return True, "broker reachable"

    def start_worker(
        self,
        dispatcher: Dispatcher,
        *,
        consumers: Iterable[tuple[str, str]] | None = None,
        queues: Iterable[str] | None = None,
        concurrency: int = WORKER_CONCURRENCY,
    ) -> RabbitWorker:
        """An in-process worker with this backend's settings, stopped by `close()`."""
        worker = RabbitWorker(
            dispatcher,
            url=self.url,
            consumers=consumers,
            queues=queues,
            prefetch=self.prefetch,
            concurrency=concurrency,
            max_attempts=self.max_attempts,
            backoff_base=self.backoff_base,
            backoff_max=self.backoff_max,
            publisher=self.publisher,
        )
        self._workers.append(worker)
        worker.start_in_thread()
        return worker

    def close(self) -> None:
        for worker in self._workers:
            worker.stop()
        self._workers.clear()
        self.publisher.close()


class _Poison(Exception):
    """A message no attempt can handle (malformed): dead-lettered at once."""


@dataclass(frozen=True)
class _Message:
    tag: int
    headers: dict[str, Any]
    body: bytes
    message_id: str | None


@dataclass(frozen=True)
class _Target:
    queue: str  # fn.<function> or task.<queue>
    run: Callable[[bytes], None]
    declare: Callable[[Any], str]


def _event_runner(handler: Callable[[Envelope], None]) -> Callable[[bytes], None]:
    def run(body: bytes) -> None:
        try:
            envelope = Envelope.model_validate_json(body)
        except ValueError as exc:
            raise _Poison(f"malformed envelope: {exc}") from exc
        handler(envelope)

    return run


def _task_runner(handler: Callable[[dict[str, Any]], None]) -> Callable[[bytes], None]:
    def run(body: bytes) -> None:
        try:
            payload = json.loads(body)
        except ValueError as exc:
            raise _Poison(f"malformed task payload: {exc}") from exc
        handler(payload)

    return run


class RabbitWorker:
    """Consumes `fn.*` and `task.*` queues and runs the same consumer functions.

    `consumers` lists (topic, function name); for a topic, the names must be listed in the
    order of `dispatcher.topic_handlers(topic)` (the registry's order). `queues` lists task
    queues. Both default to every event and task function of the registry. More can be
    added while it runs (`subscribe`, `consume`).
    """

    def __init__(
        self,
        dispatcher: Dispatcher,
        *,
        url: str | None = None,
        consumers: Iterable[tuple[str, str]] | None = None,
        queues: Iterable[str] | None = None,
        prefetch: int | None = None,
        concurrency: int = WORKER_CONCURRENCY,
        max_attempts: int | None = None,
        backoff_base: float = 1.0,
        backoff_max: float = 300.0,
        publisher: RabbitPublisher | None = None,
        drain_timeout: float = 10.0,
    ) -> None:
        settings = get_settings()
        self._dispatcher = dispatcher
        self._params = _parameters(url or settings.rabbitmq_url)
        self._prefetch = prefetch or settings.rabbitmq_prefetch
        self._max_attempts = max_attempts or settings.queue_max_attempts
        self._backoff_base = backoff_base
        self._backoff_max = backoff_max
        self._publisher = publisher or RabbitPublisher(url or settings.rabbitmq_url)
        self._owns_publisher = publisher is None
        self._drain_timeout = drain_timeout
        self._pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="rabbit")
        from shared.db.engine import size_pool_for

        size_pool_for(concurrency + 2)  # each handler thread holds a connection at times
        self._lock = threading.Lock()
        self._targets: dict[str, _Target] = {}
        self._requests: stdqueue.SimpleQueue[threading.Event] = stdqueue.SimpleQueue()
        self._stop = threading.Event()
        self._connected = threading.Event()
        self._consuming: dict[str, str] = {}  # queue -> consumer tag, this connection
        self._inflight = 0
        self._thread: threading.Thread | None = None
        self.handled = 0  # messages acked (observability, tests)

        if consumers is None:
            consumers = [(t, f) for t, fs in consumed_topics().items() for f in fs]
        if queues is None:
            queues = task_queues()
        self._add_targets(self._consumer_targets(consumers) + self._task_targets(queues))

    # --- what to consume ---
    def _consumer_targets(self, consumers: Iterable[tuple[str, str]]) -> list[_Target]:
        by_topic: dict[str, list[str]] = {}
        for topic, function in consumers:
            by_topic.setdefault(topic, []).append(function)
        # A function consuming several topics has one queue bound to each of them.
        per_function: dict[str, tuple[TopicHandler, list[str]]] = {}
        for topic, functions in by_topic.items():
            handlers = self._handlers(topic, functions)
            for function, handler in zip(functions, handlers, strict=True):
                per_function.setdefault(function, (handler, []))[1].append(topic)
        return [
            _Target(
                consumer_queue(function),
                _event_runner(handler),
                functools.partial(
                    _declare_consumer_topics, topics=tuple(topics), function=function
                ),
            )
            for function, (handler, topics) in per_function.items()
        ]

    def _handlers(self, topic: str, functions: list[str]) -> list[TopicHandler]:
        """The handlers of these consumers of `topic`: by name when the dispatcher knows
        them so (a worker may run any subset, as deployed functions run their own), else
        the dispatcher's handlers of the topic, which must be exactly these."""
        by_name = getattr(self._dispatcher, "consumer_handler", None)
        if by_name is not None:
            return [by_name(topic, function) for function in functions]
        handlers = self._dispatcher.topic_handlers(topic)
        if len(handlers) != len(functions):
            raise ValueError(
                f"{topic}: {len(functions)} consumer names for {len(handlers)} handlers"
            )
        return handlers

    def _task_targets(self, queues: Iterable[str]) -> list[_Target]:
        return [
            _Target(
                task_queue(q),
                _task_runner(self._dispatcher.queue_handler(q)),
                functools.partial(declare_task_queue, queue=q),
            )
            for q in queues
        ]

    def _add_targets(self, targets: list[_Target]) -> None:
        with self._lock:
            for target in targets:
                self._targets[target.queue] = target

    def subscribe(self, topic: str, functions: Sequence[str], timeout: float = 30.0) -> None:
        """Also consume `topic` as these functions; returns once their queues are bound."""
        self._add_targets(self._consumer_targets([(topic, f) for f in functions]))
        self._wait_applied(timeout)

    def consume(self, queue: str, timeout: float = 30.0) -> None:
        self._add_targets(self._task_targets([queue]))
        self._wait_applied(timeout)

    def _wait_applied(self, timeout: float) -> None:
        if self._thread is None:
            return  # applied when it starts
        done = threading.Event()
        self._requests.put(done)
        if not done.wait(timeout):
            raise TimeoutError("the RabbitMQ worker did not pick up the new queues in time")

    # --- running ---
    def start_in_thread(self) -> threading.Thread:
        self._thread = threading.Thread(target=self.run_forever, name="rabbit-worker", daemon=True)
        self._thread.start()
        return self._thread

    def wait_connected(self, timeout: float = 30.0) -> bool:
        return self._connected.wait(timeout)

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def run_forever(self) -> None:
        """Consume until `stop()`; reconnects with backoff when the broker goes away."""
        delay = 0.2
        try:
            while not self._stop.is_set():
                try:
                    self._session()
                    delay = 0.2
                except RETRYABLE as exc:
                    log.warning("RabbitMQ worker disconnected (%r); reconnecting", exc)
                    self._stop.wait(delay)
                    delay = min(delay * 2, 5.0)
        finally:
            self._pool.shutdown(wait=True)
            if self._owns_publisher:
                self._publisher.close()

    def _session(self) -> None:
        connection = pika.BlockingConnection(self._params)
        try:
            channel = connection.channel()
            channel.basic_qos(prefetch_count=self._prefetch)
            declare_base(channel)
            self._consuming = {}
            self._apply_targets(connection, channel)
            self._connected.set()
            log.info("RabbitMQ worker consuming %d queues", len(self._consuming))
            while not self._stop.is_set():
                self._apply_targets(connection, channel)
                connection.process_data_events(time_limit=0.05)
            self._drain(connection, channel)
        finally:
            self._connected.clear()
            with contextlib.suppress(Exception):
                if connection.is_open:
                    connection.close()

    def _apply_targets(self, connection: Any, channel: Any) -> None:
        """Start consuming registered queues not yet consumed; release waiting callers."""
        pending: list[threading.Event] = []
        while True:
            try:
                pending.append(self._requests.get_nowait())
            except stdqueue.Empty:
                break
        with self._lock:
            targets = [t for q, t in self._targets.items() if q not in self._consuming]
        for target in targets:
            target.declare(channel)
            self._consuming[target.queue] = channel.basic_consume(
                target.queue,
                functools.partial(self._on_message, connection, target),
                auto_ack=False,
            )
        for done in pending:
            done.set()

    def _drain(self, connection: Any, channel: Any) -> None:
        """Stop taking messages; let running handlers finish and ack (bounded)."""
        for tag in self._consuming.values():
            with contextlib.suppress(Exception):
                channel.basic_cancel(tag)
        deadline = time.monotonic() + self._drain_timeout
        while self._inflight > 0 and time.monotonic() < deadline:
            connection.process_data_events(time_limit=0.05)

    def _on_message(
        self, connection: Any, target: _Target, channel: Any, method: Any, props: Any, body: bytes
    ) -> None:
        with self._lock:
            self._inflight += 1
        message = _Message(method.delivery_tag, dict(props.headers or {}), body, props.message_id)

        def submit() -> None:
            self._pool.submit(self._handle, connection, channel, target, message)

        due = message.headers.get(HDR_DUE)
        wait = int(due) - now_ms() if due is not None else 0
        if EARLY_MS < wait <= LOCAL_WAIT_MS:
            # Its last stretch on this connection's timer, not on a handler thread: hundreds
            # of batches coming back would otherwise keep every handler asleep.
            connection.call_later(wait / 1000, submit)
        else:
            submit()

    def _handle(
        self,
        connection: Any,
        channel: Any,
        target: _Target,
        message: _Message,
    ) -> None:
        """Runs in a pool thread: everything but the ack, which the connection's thread does."""
        ack = True
        try:
            self._process(target, message)
        except Exception:
            log.exception("could not settle a message of %s; it will be redelivered", target.queue)
            ack = False
        try:
            connection.add_callback_threadsafe(
                functools.partial(self._settle, channel, message.tag, ack)
            )
        except Exception:  # the connection is gone: the broker redelivers the message
            self._done()

    def _process(self, target: _Target, message: _Message) -> None:
        body, headers, message_id = message.body, message.headers, message.message_id
        attempt = int(headers.get(HDR_ATTEMPT, 1))
        due = headers.get(HDR_DUE)
        if due is not None and (wait := int(due) - now_ms()) > EARLY_MS:
            if wait > LOCAL_WAIT_MS:
                # Not yet due (a delay longer than one bucket): hop through another bucket.
                self._publisher.send(
                    target.queue, body, due_ms=int(due), attempt=attempt, message_id=message_id
                )
                return
            time.sleep(wait / 1000)  # its connection's timer (`_on_message`) fired early
        try:
            target.run(body)
        except _Poison as exc:
            log.error("dead-lettered a malformed message of %s: %s", target.queue, exc)
            self._publisher.dead_letter(target.queue, body, attempt, repr(exc))
        except Exception as exc:
            if attempt >= self._max_attempts:
                log.error(
                    "dead-lettered a message of %s after %d attempts: %r",
                    target.queue,
                    attempt,
                    exc,
                )
                self._publisher.dead_letter(target.queue, body, attempt, repr(exc))
            else:
                backoff = min(self._backoff_max, self._backoff_base * 2 ** (attempt - 1))
                log.warning(
                    "retrying a message of %s in %.2fs (attempt %d): %r",
                    target.queue,
                    backoff,
                    attempt,
                    exc,
                )
                self._publisher.send(
                    target.queue,
                    body,
                    due_ms=now_ms() + int(backoff * 1000),
                    attempt=attempt + 1,
                    message_id=message_id,
                )

    def _settle(self, channel: Any, tag: int, ack: bool) -> None:
        try:
            if channel.is_open:
                if ack:
                    channel.basic_ack(tag)
                    self.handled += 1
                else:
                    channel.basic_nack(tag, requeue=True)
        finally:
            self._done()

    def _done(self) -> None:
        with self._lock:
            self._inflight -= 1
