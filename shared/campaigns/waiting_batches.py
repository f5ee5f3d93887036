"""Batches waiting for room in the senders, which a sender takes as soon as it has room.

When the senders are the bottleneck (a campaign far larger than they can send at once),
the fan-out's batches arrive faster than they can be sent, and hundreds wait. A waiting
batch used to sleep in the queue and poll (every 8-12 s: dozens of trips through the queue
each, the broker's and the senders' CPU spent on nothing). Here it waits in one line in
Redis, oldest first, and a sender that finishes a batch with room left takes the next one
from the line at once (`engine.run_batch`): the line moves at the senders' pace, and no
batch sleeps while a sender could send it.

The queue still guarantees every batch runs: each lined batch has a fallback task that
comes back after a while (`lined` set). It takes its batch's place if it is still in the
line, and otherwise runs the batch again, which then finds its rows done (a crash, or a
line lost with Redis, loses no batch: the rows are the record, the line only an order).

A taken batch keeps its place under a lease (its score moves past the lease's end), so a
sender that dies while running it leaves it to the next taker when the lease ends.
"""

from __future__ import annotations

import time
from typing import Literal

from shared.cache import get_redis
from shared.campaigns.events import CampaignBatch

LINE_KEY = "campaigns:waiting-batches"
# Longer than any batch's run (its provider calls are within the throttle's horizon).
LEASE_SECONDS = 60.0

# A waiting batch keeps its place; a taken one is free again, at the back.
_JOIN = """
local now = tonumber(ARGV[2])
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score or tonumber(score) > now then redis.call('ZADD', KEYS[1], now, ARGV[1]) end
return 0
"""
# The oldest batch free to take, leased to the caller.
_TAKE = """
local found = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 1)
if #found == 0 then return false end
redis.call('ZADD', KEYS[1], ARGV[2], found[1])
return found[1]
"""
# This batch, if it is free: 1 taken; 0 not lined; -1 leased to another taker.
_CLAIM = """
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score then return 0 end
if tonumber(score) > tonumber(ARGV[2]) then return -1 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
return 1
"""
# Done: off the line, unless it was lined again since it was taken (its score is past).
_FINISH = """
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score and tonumber(score) > tonumber(ARGV[2]) then redis.call('ZREM', KEYS[1], ARGV[1]) end
return 0
"""

Claim = Literal["taken", "absent", "leased"]


def member(batch: CampaignBatch) -> str:
    """The batch's place in the line: the same for every copy of it (its fallback's too)."""
    return batch.model_copy(update={"deferrals": 0, "lined": False}).model_dump_json()


def place(batch: CampaignBatch) -> tuple[bool, int]:
    """Whether the batch is in the line already, and how many batches are."""
    pipe = get_redis().pipeline(transaction=False)
    pipe.zscore(LINE_KEY, member(batch))
    pipe.zcard(LINE_KEY)
    score, length = pipe.execute()
    return score is not None, int(length)


def join(batch: CampaignBatch) -> None:
    """The batch waits in the line (a taken one is free again, at the back)."""
    get_redis().eval(_JOIN, 1, LINE_KEY, member(batch), time.time())


def take() -> CampaignBatch | None:
    """The oldest waiting batch, leased to the caller (None: nothing waits)."""
    now = time.time()
    found = get_redis().eval(_TAKE, 1, LINE_KEY, now, now + LEASE_SECONDS)
    return CampaignBatch.model_validate_json(found) if found else None


def claim(batch: CampaignBatch) -> Claim:
    """Take this batch's place if it is free (its fallback came back)."""
    now = time.time()
    result = int(get_redis().eval(_CLAIM, 1, LINE_KEY, member(batch), now, now + LEASE_SECONDS))
    return "taken" if result == 1 else "absent" if result == 0 else "leased"


def finish(batch: CampaignBatch) -> None:
    """A taken batch ran: it leaves the line (unless its run lined it again)."""
    get_redis().eval(_FINISH, 1, LINE_KEY, member(batch), time.time())


def length() -> int:
    return int(get_redis().zcard(LINE_KEY))
