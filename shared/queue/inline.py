"""In-process backend for the local default: a timer heap and a small worker pool.

Same semantics as the cloud backends (at-least-once, delays, key deduplication, retries
with backoff, dead letters); nothing survives a restart of the process.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from shared.queue.base import Dispatcher, QueueBackend
from shared.queue.events import Envelope

log = logging.getLogger("queue.inline")


@dataclass(order=True)
class _Job:
    due: float
    seq: int
    label: str = field(compare=False)
    run: Callable[[], None] = field(compare=False)
    attempt: int = field(default=1, compare=False)


@dataclass
class DeadLetter:
    label: str
    attempts: int
    error: str


class InlineBackend(QueueBackend):
    name = "inline"

    def __init__(
        self,
        dispatcher: Dispatcher,
        *,
        workers: int = 4,
        max_attempts: int = 5,
        backoff_base: float = 0.5,
        backoff_max: float = 60.0,
        key_ttl_seconds: float = 24 * 3600,
    ) -> None:
        self._dispatcher = dispatcher
        self._max_attempts = max_attempts
        self._backoff_base = backoff_base
        self._backoff_max = backoff_max
        self._key_ttl = key_ttl_seconds
        self._heap: list[_Job] = []
        self._seq = itertools.count()
        self._keys: dict[str, float] = {}
        self._cv = threading.Condition()
        self._running = 0
        self._closed = False
        self.dead_letters: list[DeadLetter] = []
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="inline-queue")
        self._timer = threading.Thread(target=self._loop, name="inline-queue-timer", daemon=True)
        self._timer.start()

    # --- interface ---
    def publish(self, topic: str, envelope: Envelope) -> None:
        for handler in self._dispatcher.topic_handlers(topic):
            self._push(time.monotonic(), f"{topic}:{envelope.id}", _bind(handler, envelope))

    def schedule(
        self,
        queue: str,
        payload: Mapping[str, Any],
        at: datetime | None = None,
        key: str | None = None,
    ) -> bool:
        now_wall = time.time()
        if key is not None:
            with self._cv:
                expiry = self._keys.get(key)
                if expiry is not None and expiry > now_wall:
                    return False
                self._keys[key] = now_wall + self._key_ttl
        delay = max(0.0, at.timestamp() - now_wall) if at else 0.0
        handler = self._dispatcher.queue_handler(queue)
        self._push(time.monotonic() + delay, f"{queue}:{key or ''}", _bind(handler, dict(payload)))
        return True

    def health(self) -> tuple[bool, str]:
        up = self._timer.is_alive() and not self._closed
        return up, "in-process" if up else "stopped"

    def close(self) -> None:
        with self._cv:
            self._closed = True
            self._cv.notify_all()
        self._pool.shutdown(wait=True, cancel_futures=True)

    # --- test helpers ---
    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until nothing is due or running (delayed jobs in the future don't count)."""
        deadline = time.monotonic() + timeout
        with self._cv:
            while True:
                due_now = bool(self._heap) and self._heap[0].due <= time.monotonic()
                if not due_now and self._running == 0:
                    return True
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cv.wait(min(remaining, 0.05))

    def pending(self) -> int:
        with self._cv:
            return len(self._heap) + self._running

    # --- internals ---
    def _push(self, due: float, label: str, run: Callable[[], None], attempt: int = 1) -> None:
        with self._cv:
            heapq.heappush(self._heap, _Job(due, next(self._seq), label, run, attempt))
            self._cv.notify_all()

    def _loop(self) -> None:
        while True:
            with self._cv:
                while not self._closed and (not self._heap or self._heap[0].due > time.monotonic()):
                    timeout = self._heap[0].due - time.monotonic() if self._heap else None
                    self._cv.wait(timeout)
                if self._closed:
                    return
                job = heapq.heappop(self._heap)
                self._running += 1
            self._pool.submit(self._execute, job)

    def _execute(self, job: _Job) -> None:
        try:
            job.run()
        except Exception as exc:
            if job.attempt >= self._max_attempts:
                log.error("dead-lettered %s after %d attempts: %s", job.label, job.attempt, exc)
                self.dead_letters.append(DeadLetter(job.label, job.attempt, repr(exc)))
            else:
                delay = min(self._backoff_max, self._backoff_base * 2 ** (job.attempt - 1))
                log.warning(
                    "retrying %s in %.2fs (attempt %d): %s", job.label, delay, job.attempt, exc
                )
                self._push(time.monotonic() + delay, job.label, job.run, job.attempt + 1)
        finally:
            with self._cv:
                self._running -= 1
                self._cv.notify_all()


def _bind(handler: Callable[[Any], None], arg: Any) -> Callable[[], None]:
    return lambda: handler(arg)


def utcnow() -> datetime:
    return datetime.now(UTC)
