"""The durable local queue passes the queue contract, and loses nothing when its process
stops or dies: a job is a row until its handler returns."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from shared.config import get_settings
from shared.db import migrate
from shared.db.engine import build_engine
from shared.queue.base import QueueBackend
from shared.queue.durable import DurableBackend
from tests.conftest import create_database, drop_database
from tests.queue.contract import QueueContract, RecordingDispatcher, wait_for


@pytest.fixture(scope="module")
def queue_db(pg_admin_url: str) -> Iterator[str]:
    """A database of its own: no other process's queue shares these tables."""
    name = f"smsplat_q_{uuid.uuid4().hex[:8]}"
    url = create_database(pg_admin_url, name)
    migrate.upgrade(url)
    yield url
    drop_database(pg_admin_url, name)


def make(dispatcher: RecordingDispatcher, url: str, **kwargs: object) -> DurableBackend:
    engine = build_engine(url, pool_size=4)
    with engine.begin() as conn:  # each backend starts on an empty queue
        conn.execute(text("TRUNCATE queue_jobs, queue_keys"))
    return DurableBackend(
        dispatcher,
        engine,
        system_role=get_settings().db_system_role,
        backoff_base=0.05,
        poll_seconds=0.2,
        **kwargs,  # type: ignore[arg-type]
    )


class TestDurableBackend(QueueContract):
    @pytest.fixture(autouse=True)
    def _db(self, queue_db: str) -> None:
        self.url = queue_db

    def make_backend(self, dispatcher: RecordingDispatcher, max_attempts: int) -> QueueBackend:
        return make(dispatcher, self.url, max_attempts=max_attempts)

    def test_dead_letters_are_kept(self, dispatcher: RecordingDispatcher) -> None:
        backend = make(dispatcher, self.url, max_attempts=2)
        dispatcher.fail_first["dl"] = 99
        backend.schedule("dl", {"x": 1})
        assert wait_for(lambda: len(backend.dead_letters) == 1)
        (dead,) = backend.dead_letters
        assert dead.attempts == 2
        assert "dl fails on attempt 2" in dead.error
        backend.close()


def test_jobs_outlive_the_process_that_scheduled_them(queue_db: str) -> None:
    """Scheduled for later, then the backend stops: a new one runs them (once each)."""
    from datetime import UTC, datetime, timedelta

    first = RecordingDispatcher()
    backend = make(first, queue_db)
    at = datetime.now(UTC) + timedelta(seconds=1)
    for n in range(5):
        assert backend.schedule("later", {"n": n}, at=at, key=f"later-{n}")
    backend.close()
    assert first.calls["later"] == []

    second = RecordingDispatcher()
    engine = build_engine(queue_db, pool_size=2)
    again = DurableBackend(
        second, engine, system_role=get_settings().db_system_role, poll_seconds=0.2
    )
    try:
        assert again.schedule("later", {"n": 0}, key="later-0") is False  # keys survive too
        assert wait_for(lambda: len(second.calls["later"]) == 5, timeout=10)
        time.sleep(0.5)
        assert sorted(c["n"] for c in second.calls["later"]) == [0, 1, 2, 3, 4]
        assert again.pending() == 0
    finally:
        again.close()


def test_a_dead_runs_jobs_are_redriven_at_start(queue_db: str) -> None:
    """A job claimed by a process that died (its lease still running) is released at the
    next start on this host and runs again; a live holder's lease is respected."""
    started, release = threading.Event(), threading.Event()

    class Stuck(RecordingDispatcher):
        def queue_handler(self, queue: str):  # type: ignore[no-untyped-def]
            def run(payload: dict[str, object]) -> None:
                started.set()
                release.wait(30)

            return run

    backend = make(Stuck(), queue_db, lease_seconds=600)
    backend.schedule("crashy", {"n": 1})
    assert started.wait(10)
    engine = build_engine(queue_db, pool_size=2)
    with engine.begin() as conn:  # as if its process had died: a pid that is not running
        holder = conn.scalar(text("SELECT leased_by FROM queue_jobs"))
        assert holder == backend.holder
        host = holder.split(":")[0]
        conn.execute(text("UPDATE queue_jobs SET leased_by = :h"), {"h": f"{host}:999999:gone"})
    second = RecordingDispatcher()
    again = DurableBackend(
        second, engine, system_role=get_settings().db_system_role, poll_seconds=0.2
    )
    try:
        assert again.released == 1
        assert wait_for(lambda: len(second.calls["crashy"]) == 1, timeout=10)
    finally:
        release.set()
        backend.close()
        again.close()


def test_a_long_handler_keeps_its_lease(queue_db: str) -> None:
    """A handler that outlasts several leases is not taken by another process meanwhile:
    its lease is extended while it runs; it runs once."""
    release = threading.Event()
    runs: list[float] = []

    class Slow(RecordingDispatcher):
        def queue_handler(self, queue: str):  # type: ignore[no-untyped-def]
            def run(payload: dict[str, object]) -> None:
                runs.append(time.monotonic())
                release.wait(30)

            return run

    first = make(Slow(), queue_db, lease_seconds=1.0)
    first.schedule("slow", {"n": 1})
    assert wait_for(lambda: len(runs) == 1)
    engine = build_engine(queue_db, pool_size=2)
    other = DurableBackend(  # another process on the same database
        Slow(), engine, system_role=get_settings().db_system_role, poll_seconds=0.1
    )
    try:
        time.sleep(3.5)  # three leases
        assert len(runs) == 1
    finally:
        release.set()
        first.close()
        other.close()
