"""The local queue, durable: jobs and due tasks live in PostgreSQL (`smsctl dev`).

Same semantics as the other backends (at-least-once, delays, key deduplication, retries
with backoff, dead letters), and nothing is lost when the process stops or dies: a job is
a row until its handler returns. Workers claim due rows with FOR UPDATE SKIP LOCKED and
hold them under a lease that a heartbeat extends while the handler runs; a job whose
lease lapsed (its process died) is claimed again. At start, the leases of this host's
dead processes are released at once, so a killed run's work is re-driven without waiting
for the lease to end. Handlers are idempotent, as on every backend.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql.expression import bindparam

from shared.queue.base import Dispatcher, QueueBackend
from shared.queue.events import Envelope

log = logging.getLogger("queue.durable")

_INSERT = text(
    "INSERT INTO queue_jobs (kind, name, consumer, label, payload, due_at)"
    " VALUES (:kind, :name, :consumer, :label, :payload, :due)"
).bindparams(bindparam("payload", type_=JSONB))
_TAKE_KEY = text(
    "INSERT INTO queue_keys (key, expires_at) VALUES (:key, :expires)"
    " ON CONFLICT (key) DO UPDATE SET expires_at = EXCLUDED.expires_at"
    " WHERE queue_keys.expires_at <= :now RETURNING key"
)
_CLAIM = text(
    "UPDATE queue_jobs SET leased_until = :until, leased_by = :me, attempts = attempts + 1"
    " WHERE id IN (SELECT id FROM queue_jobs WHERE dead_at IS NULL AND due_at <= :now"
    " AND (leased_until IS NULL OR leased_until < :now)"
    " AND NOT (id = ANY(CAST(:running AS bigint[]))) ORDER BY due_at, id LIMIT :n"
    " FOR UPDATE SKIP LOCKED)"
    " RETURNING id, kind, name, consumer, label, payload, attempts"
)
_NEXT_DUE = text(
    "SELECT min(greatest(due_at, coalesce(leased_until, due_at))) FROM queue_jobs"
    " WHERE dead_at IS NULL"
)
_HEARTBEAT = text(
    "UPDATE queue_jobs SET leased_until = :until WHERE id = ANY(CAST(:ids AS bigint[]))"
    " AND leased_by = :me"
)
_DONE = text("DELETE FROM queue_jobs WHERE id = :id")
_RETRY = text(
    "UPDATE queue_jobs SET due_at = :due, leased_until = NULL, leased_by = NULL,"
    " last_error = :error WHERE id = :id"
)
_DEAD = text(
    "UPDATE queue_jobs SET dead_at = :now, leased_until = NULL, leased_by = NULL,"
    " last_error = :error WHERE id = :id"
)
_HOLDERS = text(
    "SELECT DISTINCT leased_by FROM queue_jobs WHERE leased_by IS NOT NULL AND dead_at IS NULL"
)
_RELEASE = text(
    "UPDATE queue_jobs SET leased_until = NULL, leased_by = NULL"
    " WHERE leased_by = ANY(CAST(:holders AS text[])) AND dead_at IS NULL"
)
_PURGE_KEYS = text("DELETE FROM queue_keys WHERE expires_at < :now")
_LET_GO = text(
    "UPDATE queue_jobs SET leased_until = NULL, leased_by = NULL"
    " WHERE leased_by = :me AND dead_at IS NULL"
)


@dataclass(frozen=True)
class DeadLetter:
    label: str
    attempts: int
    error: str


@dataclass(frozen=True)
class _Job:
    id: int
    kind: str
    name: str
    consumer: int
    label: str
    payload: dict[str, Any]
    attempts: int


_LIVE: set[str] = set()  # holders of this process's open backends


def _now() -> datetime:
    return datetime.now(UTC)


class DurableBackend(QueueBackend):
    name = "inline"

    def __init__(
        self,
        dispatcher: Dispatcher,
        engine: Engine,
        *,
        system_role: str | None = None,
        workers: int = 32,
        max_attempts: int = 10,
        backoff_base: float = 0.5,
        backoff_max: float = 60.0,
        lease_seconds: float = 30.0,
        poll_seconds: float = 1.0,
        key_ttl_seconds: float = 24 * 3600,
        start: bool = True,
    ) -> None:
        self._dispatcher = dispatcher
        self._engine = engine
        self._role = system_role
        self._workers = workers
        self._max_attempts = max_attempts
        self._backoff_base = backoff_base
        self._backoff_max = backoff_max
        self._lease = lease_seconds
        self._poll = poll_seconds
        self._key_ttl = key_ttl_seconds
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        _LIVE.add(self.holder)
        self._cv = threading.Condition()
        self._running: set[int] = set()
        self._wake_at = 0.0  # a job pushed by this process is due at this (epoch seconds)
        self._closed = False
        self.released = self._release_dead_holders()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="durable-queue")
        self._timer = threading.Thread(target=self._loop, name="durable-queue-timer", daemon=True)
        self._beat = threading.Thread(target=self._beats, name="durable-queue-lease", daemon=True)
        if start:
            self.start()

    def start(self) -> None:
        """Start taking jobs (a backend made with `start=False` only records them)."""
        if not self._timer.is_alive():
            self._timer.start()
            self._beat.start()

    @classmethod
    def from_settings(cls, dispatcher: Dispatcher, **kwargs: Any) -> DurableBackend:
        from shared.config import get_settings
        from shared.db.engine import build_engine

        settings = get_settings()
        engine = build_engine(settings.database_url, pool_size=4)
        kwargs.setdefault("max_attempts", settings.queue_max_attempts)
        return cls(dispatcher, engine, system_role=settings.db_system_role, **kwargs)

    # --- interface ---
    def publish(self, topic: str, envelope: Envelope) -> None:
        handlers = self._dispatcher.topic_handlers(topic)
        if not handlers:
            return
        now = _now()
        payload = envelope.model_dump(mode="json")
        rows = [
            {
                "kind": "topic",
                "name": topic,
                "consumer": i,
                "label": f"{topic}:{envelope.id}",
                "payload": payload,
                "due": now,
            }
            for i in range(len(handlers))
        ]
        with self._tx() as conn:
            conn.execute(_INSERT, rows)
        self._wake(now)

    def schedule(
        self,
        queue: str,
        payload: Mapping[str, Any],
        at: datetime | None = None,
        key: str | None = None,
    ) -> bool:
        self._dispatcher.queue_handler(queue)  # an unknown queue fails here, not later
        now = _now()
        due = max(at, now) if at is not None else now
        with self._tx() as conn:
            if key is not None:
                taken = conn.execute(
                    _TAKE_KEY,
                    {"key": key, "expires": now + timedelta(seconds=self._key_ttl), "now": now},
                ).first()
                if taken is None:
                    return False
            conn.execute(
                _INSERT,
                {
                    "kind": "task",
                    "name": queue,
                    "consumer": 0,
                    "label": f"{queue}:{key or ''}",
                    "payload": dict(payload),
                    "due": due,
                },
            )
        self._wake(due)
        return True

    def health(self) -> tuple[bool, str]:
        up = self._timer.is_alive() and not self._closed
        return up, "in-process, durable (PostgreSQL)" if up else "stopped"

    def close(self) -> None:
        """Stop taking jobs; running handlers finish (what they leave stays in the table)."""
        with self._cv:
            self._closed = True
            self._cv.notify_all()
        _LIVE.discard(self.holder)
        if self._timer.is_alive():
            self._timer.join(timeout=5)
        self._pool.shutdown(wait=True, cancel_futures=True)
        # Claimed and never started: free for the next run at once.
        with contextlib.suppress(Exception), self._tx() as conn:
            conn.execute(_LET_GO, {"me": self.holder})
        self._engine.dispose()

    # --- inspection (tests, the local tools) ---
    def pending(self) -> int:
        with self._tx() as conn:
            return int(
                conn.scalar(text("SELECT count(*) FROM queue_jobs WHERE dead_at IS NULL")) or 0
            )

    @property
    def dead_letters(self) -> list[DeadLetter]:
        with self._tx() as conn:
            rows = conn.execute(
                text(
                    "SELECT label, attempts, last_error FROM queue_jobs"
                    " WHERE dead_at IS NOT NULL ORDER BY dead_at"
                )
            ).all()
        return [DeadLetter(r.label, r.attempts, r.last_error or "") for r in rows]

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until nothing is due or running (delayed jobs in the future don't count)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._tx() as conn:
                due = conn.scalar(
                    text(
                        "SELECT count(*) FROM queue_jobs WHERE dead_at IS NULL"
                        " AND (due_at <= now() OR leased_until IS NOT NULL)"
                    )
                )
            if not due:
                return True
            time.sleep(0.05)
        return False

    # --- internals ---
    @contextlib.contextmanager
    def _tx(self) -> Iterator[Connection]:
        with self._engine.begin() as conn:
            if self._role:
                conn.execute(text("SELECT set_config('role', :r, true)"), {"r": self._role})
            yield conn

    def _wake(self, due: datetime) -> None:
        with self._cv:
            at = due.timestamp()
            if not self._wake_at or at < self._wake_at:
                self._wake_at = at
            self._cv.notify_all()

    def _release_dead_holders(self) -> int:
        """Free the jobs held by a process of this host that is gone (a killed run)."""
        host = socket.gethostname()
        dead: list[str] = []
        with self._tx() as conn:
            for (holder,) in conn.execute(_HOLDERS):
                h, _, rest = holder.partition(":")
                pid_text, _, _ = rest.partition(":")
                if h != host or not pid_text.isdigit():
                    continue
                if holder in _LIVE:
                    continue
                if int(pid_text) == os.getpid() or not _alive(int(pid_text)):
                    dead.append(holder)
            if dead:
                conn.execute(_RELEASE, {"holders": dead})
        if dead:
            log.warning("re-driving the jobs of %d stopped run(s): %s", len(dead), dead)
        return len(dead)

    def _beats(self) -> None:
        """Extend the leases of the running jobs (a handler may outlast one lease)."""
        while True:
            with self._cv:
                if self._closed:
                    return
                self._cv.wait(self._lease / 3)
                if self._closed:
                    return
            try:
                self._heartbeat()
            except Exception:
                log.warning("durable queue: cannot extend the leases", exc_info=True)

    def _loop(self) -> None:
        last_purge = time.monotonic()
        while True:
            with self._cv:
                while not self._closed and len(self._running) >= self._workers:
                    self._cv.wait(self._lease / 3)
                if self._closed:
                    return
                free = self._workers - len(self._running)
                self._wake_at = 0.0
            try:
                jobs = self._claim(free)
                if time.monotonic() - last_purge > 300:
                    with self._tx() as conn:
                        conn.execute(_PURGE_KEYS, {"now": _now()})
                    last_purge = time.monotonic()
                next_due = None if jobs else self._next_due()
            except Exception:
                log.exception("durable queue: the database is unreachable; trying again")
                jobs, next_due = [], None
            with self._cv:
                for job in jobs:
                    self._running.add(job.id)
            for job in jobs:
                self._pool.submit(self._execute, job)
            if len(jobs) >= free:
                continue
            with self._cv:
                if self._closed:
                    return
                wait = self._poll
                if next_due is not None:
                    wait = min(wait, next_due.timestamp() - time.time())
                if self._wake_at:
                    wait = min(wait, self._wake_at - time.time())
                if wait > 0:
                    self._cv.wait(min(wait, self._lease / 3))

    def _claim(self, n: int) -> list[_Job]:
        now = _now()
        with self._cv:
            running = list(self._running)  # never a second copy of what runs here
        with self._tx() as conn:
            rows = conn.execute(
                _CLAIM,
                {
                    "until": now + timedelta(seconds=self._lease),
                    "me": self.holder,
                    "now": now,
                    "n": n,
                    "running": running,
                },
            ).all()
        return [
            _Job(r.id, r.kind, r.name, r.consumer, r.label, r.payload, r.attempts) for r in rows
        ]

    def _next_due(self) -> datetime | None:
        with self._tx() as conn:
            found: datetime | None = conn.scalar(_NEXT_DUE)
        return found

    def _heartbeat(self) -> None:
        with self._cv:
            ids = list(self._running)
        if ids:
            with self._tx() as conn:
                conn.execute(
                    _HEARTBEAT,
                    {
                        "ids": ids,
                        "me": self.holder,
                        "until": _now() + timedelta(seconds=self._lease),
                    },
                )

    def _execute(self, job: _Job) -> None:
        try:
            if job.kind == "topic":
                handlers = self._dispatcher.topic_handlers(job.name)
                handlers[job.consumer](Envelope.model_validate(job.payload))
            else:
                self._dispatcher.queue_handler(job.name)(job.payload)
        except Exception as exc:
            self._failed(job, exc)
        else:
            self._settle(_DONE, {"id": job.id})
        finally:
            with self._cv:
                self._running.discard(job.id)
                self._cv.notify_all()

    def _failed(self, job: _Job, exc: Exception) -> None:
        error = f"{type(exc).__name__}: {exc}"[:2000]
        if job.attempts >= self._max_attempts:
            log.error("dead-lettered %s after %d attempts: %s", job.label, job.attempts, exc)
            self._settle(_DEAD, {"id": job.id, "now": _now(), "error": error})
            return
        delay = min(self._backoff_max, self._backoff_base * 2 ** (job.attempts - 1))
        log.warning("retrying %s in %.2fs (attempt %d): %s", job.label, delay, job.attempts, exc)
        due = _now() + timedelta(seconds=delay)
        self._settle(_RETRY, {"id": job.id, "due": due, "error": error})
        self._wake(due)

    def _settle(self, statement: Any, params: dict[str, Any]) -> None:
        """Record a job's end; when the database cannot be reached the lease lapses and the
        job runs again (at-least-once)."""
        for attempt in range(5):
            try:
                with self._tx() as conn:
                    conn.execute(statement, params)
                return
            except Exception:
                if attempt == 4:
                    log.exception("durable queue: cannot record the end of job %s", params["id"])
                    return
                time.sleep(0.2 * 2**attempt)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
