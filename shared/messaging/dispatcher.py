"""Provider calls at their slots, for every batch of this instance.

A send waits for its slot on one timer thread (a heap), not on a thread of its own, and
is handed to the dispatch threads when the slot comes: a thread only ever holds a send
that is due. So the instance knows, at any moment, how late it is: the age of the oldest
due send that no thread has started yet. That lag, not a count, is the backpressure
signal: a batch that finds the instance late reserves nothing and comes back when the lag
should be gone (see `lag_seconds`), so sends leave close to their slots and nothing idles
waiting on a stale estimate.

Slots are also spread at the pace this instance keeps up with (`plan`): a pool with room
for a whole batch at once would otherwise give all its sends the same instant, and the
last of them would start as late as the instance takes to start them all (1.5-2.3 s for
200 on a loaded machine). The pace is learnt from how late sends start: wider when one
starts later than LATE_START_SECONDS, a little narrower while they start on time and the
pace is what holds them back.
"""

from __future__ import annotations

import _thread
import heapq
import itertools
import queue
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# HTTP waits, so more threads than cores; only due sends occupy them.
DISPATCH_THREADS = 32
# Sends handed over and not answered yet: above this the instance takes no more (memory).
MAX_IN_FLIGHT = 2000
# A due send not started within this is late: the instance is behind.
MAX_LAG_SECONDS = 0.2
# Seconds between this instance's sends: the first guess, and the bounds of what it learns.
FIRST_SEND_INTERVAL = 0.004
MIN_SEND_INTERVAL, MAX_SEND_INTERVAL = 0.0005, 0.1
LATE_START_SECONDS = 0.05  # a send started later than this: the pace was too fast
ON_TIME_SECONDS = 0.01  # every send started within this: the pace may be a little faster
WIDER, NARROWER = 1.25, 0.95


@dataclass(frozen=True)
class Later:
    """What a call returns to run again at `at` (epoch seconds) instead of sleeping on its
    dispatch thread (a DID's pace said wait)."""

    at: float


class Answer:
    """What a call handed to the dispatcher returned (or raised), once it has run. One
    lock per call: a `concurrent.futures.Future` (a Condition, an RLock, callbacks) and
    a thread pool's own Future per send were a tenth of a sender's CPU."""

    __slots__ = ("_done", "_error", "_value")

    def __init__(self) -> None:
        self._done = _thread.allocate_lock()
        self._done.acquire()  # held until the call has run
        self._value: Any = None
        self._error: BaseException | None = None

    def _set(self, value: Any, error: BaseException | None = None) -> None:
        self._value, self._error = value, error
        self._done.release()

    def result(self, timeout: float | None = None) -> Any:
        """The call's return value (its exception raised here), waiting up to `timeout`."""
        if not self._done.acquire(timeout=-1 if timeout is None else timeout):
            raise TimeoutError("the call has not run yet")
        self._done.release()
        if self._error is not None:
            raise self._error
        return self._value


# A due call for a dispatch thread: its sequence number, the call and its answer.
_Due = tuple[int, Callable[[], Any], Answer]


class Dispatcher:
    def __init__(self, threads: int = DISPATCH_THREADS) -> None:
        self._ready: queue.SimpleQueue[_Due] = queue.SimpleQueue()
        self._lock = threading.Condition()
        self._timers: list[tuple[float, int, Callable[[], Any], Answer]] = []
        self._due: OrderedDict[int, float] = OrderedDict()  # handed over, not started: slot
        self._seq = itertools.count()
        self._in_flight = 0
        self._interval = FIRST_SEND_INTERVAL
        self._planned_until = 0.0  # when the last send this instance planned is due
        self._plan_lock = threading.Lock()  # planners in turn (one waits for room at a time)
        self._latest_start = 0.0  # the latest a send started after its slot since `plan`
        for i in range(threads):
            threading.Thread(target=self._work, name=f"dispatch-{i}", daemon=True).start()
        self._thread = threading.Thread(target=self._run, name="dispatch-timer", daemon=True)
        self._thread.start()

    def submit(self, at: float, call: Callable[[], Any]) -> Answer:
        """Run `call` on a dispatch thread at `at` (epoch seconds)."""
        answer = Answer()
        with self._lock:
            self._in_flight += 1
            heapq.heappush(self._timers, (at, next(self._seq), call, answer))
            if self._timers[0][3] is answer:
                self._lock.notify()
        return answer

    def lag_seconds(self) -> float:
        """How late the oldest due send not started yet is (0: none waiting)."""
        with self._lock:
            if not self._due:
                return 0.0
            oldest = next(iter(self._due.values()))
        return max(0.0, time.time() - oldest)

    def is_busy(self, horizon: float) -> bool:
        """Whether a batch should come back later: too many sends in flight, sends
        starting late, or this instance's pace planned beyond `horizon` (seconds)."""
        return (
            self._in_flight >= MAX_IN_FLIGHT
            or self.lag_seconds() > MAX_LAG_SECONDS
            or self.planned_ahead() > horizon
        )

    def backlog_seconds(self, horizon: float) -> float:
        """How long until a batch would find room: the lag, or until the plan is back
        under half of `horizon`."""
        return max(self.lag_seconds(), self.planned_ahead() - horizon / 2)

    def planned_ahead(self) -> float:
        """Seconds until the last send this instance planned is due (0: none ahead)."""
        return max(0.0, self._planned_until - time.time())

    def plan(self, count: int, horizon: float, wait: float = 0.0) -> list[float]:
        """The earliest each of the next `count` sends may be slotted, in seconds from now,
        at this instance's pace: only as many as fall within `horizon`. Waits up to `wait`
        seconds for the plan to be under half the horizon (a batch's worker then feeds
        the dispatcher as soon as there is room, instead of coming back through the
        queue); planners take their turns."""
        deadline = time.time() + wait
        if not self._plan_lock.acquire(timeout=wait):
            return []
        try:
            while (over := self.planned_ahead() - horizon / 2) > 0 and time.time() < deadline:
                time.sleep(min(over, max(0.0, deadline - time.time())))
            return self._plan(count, horizon)
        finally:
            self._plan_lock.release()

    def _plan(self, count: int, horizon: float) -> list[float]:
        with self._lock:
            now = time.time()
            ahead = max(0.0, self._planned_until - now)
            late, self._latest_start = self._latest_start, 0.0
            if late > LATE_START_SECONDS:
                self._interval = min(MAX_SEND_INTERVAL, self._interval * WIDER)
            elif late < ON_TIME_SECONDS and ahead > 0:
                self._interval = max(MIN_SEND_INTERVAL, self._interval * NARROWER)
            if ahead > horizon:
                return []
            room = int((horizon - ahead) / self._interval) + 1
            offsets = [ahead + i * self._interval for i in range(min(count, room))]
            self._planned_until = now + ahead + len(offsets) * self._interval
        return offsets

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._timers or self._timers[0][0] > time.time():
                    timeout = self._timers[0][0] - time.time() if self._timers else None
                    self._lock.wait(timeout)
                at, seq, call, answer = heapq.heappop(self._timers)
                self._due[seq] = at
            self._ready.put((seq, call, answer))

    def _work(self) -> None:
        while True:
            self._start(*self._ready.get())

    def _start(self, seq: int, call: Callable[[], Any], answer: Answer) -> None:
        with self._lock:
            at = self._due.pop(seq, None)
            if at is not None:
                self._latest_start = max(self._latest_start, time.time() - at)
        try:
            result = call()
        except BaseException as exc:
            with self._lock:
                self._in_flight -= 1
            answer._set(None, exc)
            return
        with self._lock:
            if isinstance(result, Later):  # back on the timer, still in flight
                heapq.heappush(self._timers, (result.at, next(self._seq), call, answer))
                self._lock.notify()
                return
            self._in_flight -= 1
        answer._set(result)


_dispatcher: Dispatcher | None = None
_create_lock = threading.Lock()


def get_dispatcher() -> Dispatcher:
    global _dispatcher
    with _create_lock:
        if _dispatcher is None:
            _dispatcher = Dispatcher()
        return _dispatcher
