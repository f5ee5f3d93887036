"""Group commit: many concurrent callers' writes applied in one transaction.

Webhooks arrive in bursts (two status callbacks per message sent), each on its own
thread. One transaction each would cost more than the work in it. Here a caller queues
its item; if no batch is being written, it writes everything queued so far, in one call
of `apply`, and hands the next batch to a caller that arrived meanwhile. No timer and no
background thread: alone, an item is written at once; under load, batches grow by
themselves. Each caller gets its own result (or the batch's exception) and returns only
after its item is committed, so an acknowledged webhook is never lost.
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
    def __init__(self, apply: Callable[[Sequence[T]], Sequence[R]], max_batch: int = 500) -> None:
        self._apply = apply
        self._max_batch = max_batch
        self._lock = threading.Lock()
        self._queue: list[_Ticket[T, R]] = []
        self._writing = False

    def submit(self, item: T) -> R:
        ticket: _Ticket[T, R] = _Ticket(item)
        with self._lock:
            self._queue.append(ticket)
            lead = not self._writing
            self._writing = True
        if not lead:
            ticket.done.wait()
            if not ticket.lead:
                return self._outcome(ticket)
        self._write_next_batch()
        return self._outcome(ticket)

    def _write_next_batch(self) -> None:
        with self._lock:
            batch = self._queue[: self._max_batch]
            del self._queue[: self._max_batch]
        try:
            results = self._apply([t.item for t in batch])
            for ticket, result in zip(batch, results, strict=True):
                ticket.result = result
        except BaseException as exc:  # every caller of the batch learns it failed
            for ticket in batch:
                ticket.error = exc
        with self._lock:
            if self._queue:
                successor = self._queue[0]
                successor.lead = True
                successor.done.set()
            else:
                self._writing = False
        for ticket in batch:
            ticket.done.set()

    @staticmethod
    def _outcome(ticket: _Ticket[T, R]) -> R:
        if ticket.error is not None:
            raise ticket.error
        return ticket.result  # type: ignore[return-value]
