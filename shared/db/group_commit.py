"""Group commit: many concurrent callers' writes applied in one transaction.

Webhooks arrive in bursts (two status callbacks per message sent), each on its own
thread. One transaction each would cost more than the work in it. Here a caller whose
item finds fewer than `writers` batches being written writes it with everything queued
so far, in one call of `apply`, and then hands the writer's turn to a caller that arrived
meanwhile. No timer and no background thread: alone, an item is written at once; under
load, batches grow by themselves. With `writers` > 1 a few batches are written at once,
so one slow transaction (a row lock held elsewhere, a busy database) does not hold every
caller behind it; `apply` must then be safe to run concurrently. Each caller gets its own
result (or the batch's exception) and returns only after its item is committed, so an
acknowledged webhook is never lost.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class _Ticket(Generic[T, R]):
    __slots__ = ("done", "error", "item", "lead", "result")

    def __init__(self, item: T) -> None:
        self.item = item
        self.done = threading.Event()
        self.lead = False
        self.result: R | None = None
        self.error: BaseException | None = None


class GroupCommit(Generic[T, R]):
    def __init__(
        self,
        apply: Callable[[Sequence[T]], Sequence[R]],
        max_batch: int = 500,
        writers: int = 1,
    ) -> None:
        self._apply = apply
        self._max_batch = max_batch
        self._max_writers = writers
        self._lock = threading.Lock()
        self._queue: list[_Ticket[T, R]] = []  # waiting: in no batch yet
        self._writers = 0

    def submit(self, item: T) -> R:
        ticket: _Ticket[T, R] = _Ticket(item)
        with self._lock:
            lead = self._writers < self._max_writers
            if lead:
                self._writers += 1
            else:
                self._queue.append(ticket)
        if not lead:
            ticket.done.wait()
            if not ticket.lead:
                return self._outcome(ticket)
        self._write_batch(ticket)
        return self._outcome(ticket)

    def _write_batch(self, first: _Ticket[T, R]) -> None:
        """`first` and what is waiting, in one call; then the writer's turn passes to the
        next waiting caller (taken out of the queue, so no other writer takes it)."""
        with self._lock:
            batch = [first, *self._queue[: self._max_batch - 1]]
            del self._queue[: self._max_batch - 1]
        try:
            results = self._apply([t.item for t in batch])
            for ticket, result in zip(batch, results, strict=True):
                ticket.result = result
        except BaseException as exc:  # every caller of the batch learns it failed
            for ticket in batch:
                ticket.error = exc
        with self._lock:
            successor = self._queue.pop(0) if self._queue else None
            if successor is None:
                self._writers -= 1
        for ticket in batch:
            ticket.done.set()
        if successor is not None:
            successor.lead = True
            successor.done.set()

    @staticmethod
    def _outcome(ticket: _Ticket[T, R]) -> R:
        if ticket.error is not None:
            raise ticket.error
        return ticket.result  # type: ignore[return-value]
