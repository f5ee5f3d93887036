"""The line of a campaign's batches waiting for room, so a waiting batch sleeps about its
turn instead of polling.

A batch that finds its senders behind goes back to the queue for a while (the engine's
`_come_back_later`). When the senders are the bottleneck for long (a campaign far larger
than they can send at once), hundreds of batches wait, and a fixed short sleep makes each
of them come back many times before its turn: queue traffic and sender CPU spent on
nothing (the 100,000-contact benchmark's broker used more CPU than either sender). Here,
in Redis and per campaign, two figures every sender instance shares:

- how many batches are sleeping in the queue (one more for each deferral, one less for
  each return: `deferred` and `returned`);
- how many batches got as far as their provider calls, per second (`ran`).

Their quotient is how long the line takes to move through (its turn). The figures
only set sleeping times: a lost or doubled count (a crash between the two, a redelivered
task) makes a sleep shorter or longer, never a send lost or doubled; the counts expire
when the campaign stops sending.
"""

from __future__ import annotations

import time
import uuid

from shared.cache import get_redis

RATE_WINDOW_SECONDS = 5  # `ran` is averaged over the last full seconds of this window
EXPIRE_SECONDS = 600  # counts of a campaign that stopped sending are dropped after this


def _line_key(campaign_id: uuid.UUID) -> str:
    return f"campaign:{campaign_id}:line"


def _ran_key(campaign_id: uuid.UUID, second: int) -> str:
    return f"campaign:{campaign_id}:ran:{second}"


def deferred(campaign_id: uuid.UUID) -> float:
    """One batch joins the line. Returns the line's turn: how long the waiting batches take
    to be run at the rate batches run now (0 when nothing ran lately: no estimate)."""
    now = int(time.time())
    pipe = get_redis().pipeline(transaction=False)
    pipe.incr(_line_key(campaign_id))
    pipe.expire(_line_key(campaign_id), EXPIRE_SECONDS)
    pipe.mget([_ran_key(campaign_id, now - i) for i in range(1, RATE_WINDOW_SECONDS + 1)])
    waiting, _, ran = pipe.execute()
    return _turn(int(waiting), ran)


def returned(campaign_id: uuid.UUID) -> None:
    """A deferred batch is back from the queue (it runs, waits again, or is dropped)."""
    get_redis().decr(_line_key(campaign_id))


def ran(campaign_id: uuid.UUID) -> None:
    """A batch of the campaign reached its provider calls."""
    key = _ran_key(campaign_id, int(time.time()))
    pipe = get_redis().pipeline(transaction=False)
    pipe.incr(key)
    pipe.expire(key, RATE_WINDOW_SECONDS + 2)
    pipe.execute()


def _turn(waiting: int, ran: list[bytes | None]) -> float:
    per_second = sum(int(r) for r in ran if r) / RATE_WINDOW_SECONDS
    if waiting <= 0 or per_second <= 0:
        return 0.0
    return waiting / per_second
