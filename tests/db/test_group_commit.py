"""Group commit: concurrent callers share one apply call, each gets its own result."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

import pytest

from shared.db.group_commit import GroupCommit


def test_concurrent_items_are_applied_in_few_batches_and_each_caller_gets_its_result() -> None:
    batches: list[list[int]] = []

    def apply(items: Sequence[int]) -> list[int]:
        batches.append(list(items))
        time.sleep(0.02)  # a transaction's worth of time: later callers pile up meanwhile
        return [i * 10 for i in items]

    writer: GroupCommit[int, int] = GroupCommit(apply)
    results: dict[int, int] = {}

    def call(i: int) -> None:
        results[i] = writer.submit(i)

    threads = [threading.Thread(target=call, args=(i,)) for i in range(200)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert results == {i: i * 10 for i in range(200)}
    assert sorted(i for batch in batches for i in batch) == list(range(200))  # each once
    assert len(batches) < 50


def test_alone_an_item_is_written_at_once() -> None:
    writer: GroupCommit[str, str] = GroupCommit(lambda items: [s.upper() for s in items])
    assert writer.submit("a") == "A"
    assert writer.submit("b") == "B"


def test_a_failed_batch_fails_its_callers_and_the_next_batch_still_runs() -> None:
    calls = 0

    def apply(items: Sequence[int]) -> list[int]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("connection lost")
        return list(items)

    writer: GroupCommit[int, int] = GroupCommit(apply)
    with pytest.raises(RuntimeError):
        writer.submit(1)
    assert writer.submit(2) == 2


def test_batches_are_capped() -> None:
    sizes: list[int] = []
    gate = threading.Event()

    def apply(items: Sequence[int]) -> list[int]:
        sizes.append(len(items))
        gate.wait(5)
        return list(items)

    writer: GroupCommit[int, int] = GroupCommit(apply, max_batch=3)
    threads = [threading.Thread(target=writer.submit, args=(i,)) for i in range(10)]
    for t in threads:
        t.start()
    time.sleep(0.2)
    gate.set()
    for t in threads:
        t.join(10)
    assert sum(sizes) == 10
    assert max(sizes) <= 3


def test_several_writers_write_at_once_and_each_item_once() -> None:
    """With `writers=3`, a slow batch does not hold every caller: up to three batches are
    written at the same time, and every item is still in exactly one of them."""
    running = 0
    most = 0
    lock = threading.Lock()
    batches: list[list[int]] = []

    def apply(items: Sequence[int]) -> list[int]:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
            batches.append(list(items))
        time.sleep(0.05)
        with lock:
            running -= 1
        return [i + 1 for i in items]

    writer: GroupCommit[int, int] = GroupCommit(apply, writers=3)
    results: dict[int, int] = {}

    def call(i: int) -> None:
        results[i] = writer.submit(i)

    threads = [threading.Thread(target=call, args=(i,)) for i in range(300)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert results == {i: i + 1 for i in range(300)}
    assert sorted(i for batch in batches for i in batch) == list(range(300))
    assert most == 3
    assert writer._writers == 0  # every writer's turn ended
