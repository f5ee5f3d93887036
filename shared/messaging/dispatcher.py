"""Provider calls at their slots, for every batch of this instance.

A send waits for its slot on one timer thread (a heap), not on a thread of its own, and
is handed to the dispatch threads when the slot comes: a thread only ever holds a send
that is due. So the instance knows, at any moment, how late it is: the age of the oldest
due send that no thread has started yet. That lag, not a count, is the backpressure
signal: a batch that finds the instance late reserves nothing and comes back when the lag
should be gone (see `lag_seconds`), so sends leave close to their slots and nothing idles
waiting on a stale estimate.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

# HTTP waits, so more threads than cores; only due sends occupy them.
DISPATCH_THREADS = 16
# Sends handed over and not answered yet: above this the instance takes no more (memory).
MAX_IN_FLIGHT = 2000
# A due send not started within this is late: the instance is behind.
MAX_LAG_SECONDS = 0.2


@dataclass(frozen=True)
class Later:
    """What a call returns to run again at `at` (epoch seconds) instead of sleeping on its
    dispatch thread (a DID's pace said wait)."""

    at: float


class Dispatcher:
    def __init__(self, threads: int = DISPATCH_THREADS) -> None:
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="dispatch")
        self._lock = threading.Condition()
        self._timers: list[tuple[float, int, Callable[[], Any], Future[Any]]] = []
        self._due: OrderedDict[int, float] = OrderedDict()  # handed over, not started: slot
        self._seq = itertools.count()
        self._in_flight = 0
        self._thread = threading.Thread(target=self._run, name="dispatch-timer", daemon=True)
        self._thread.start()

    def submit(self, at: float, call: Callable[[], Any]) -> Future[Any]:
        """Run `call` on a dispatch thread at `at` (epoch seconds)."""
        future: Future[Any] = Future()
        with self._lock:
            self._in_flight += 1
            heapq.heappush(self._timers, (at, next(self._seq), call, future))
            if self._timers[0][3] is future:
                self._lock.notify()
        return future

    def lag_seconds(self) -> float:
        """How late the oldest due send not started yet is (0: none waiting)."""
        with self._lock:
            if not self._due:
                return 0.0
            oldest = next(iter(self._due.values()))
        return max(0.0, time.time() - oldest)

    def is_busy(self) -> bool:
        return self._in_flight >= MAX_IN_FLIGHT or self.lag_seconds() > MAX_LAG_SECONDS

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._timers or self._timers[0][0] > time.time():
                    timeout = self._timers[0][0] - time.time() if self._timers else None
                    self._lock.wait(timeout)
                at, seq, call, future = heapq.heappop(self._timers)
                self._due[seq] = at
            self._pool.submit(self._start, seq, call, future)

    def _start(self, seq: int, call: Callable[[], Any], future: Future[Any]) -> None:
        with self._lock:
            self._due.pop(seq, None)
        try:
            result = call()
        except BaseException as exc:
            result = None
            future.set_exception(exc)
        else:
            if isinstance(result, Later):  # back on the timer, still in flight
                with self._lock:
                    heapq.heappush(self._timers, (result.at, next(self._seq), call, future))
                    self._lock.notify()
                return
            future.set_result(result)
        with self._lock:
            self._in_flight -= 1


_dispatcher: Dispatcher | None = None
_create_lock = threading.Lock()


def get_dispatcher() -> Dispatcher:
    global _dispatcher
    with _create_lock:
        if _dispatcher is None:
            _dispatcher = Dispatcher()
        return _dispatcher
