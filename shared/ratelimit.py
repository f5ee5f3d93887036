"""Attempt limits in Redis, atomic in Lua: a fixed window per key (password reset mails)
and failures with growing delays (logins)."""

from __future__ import annotations

import hashlib
import time

from shared.cache import get_redis

# INCR and set the window's expiry on the first hit; answer the count and the ms left.
_HIT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
return {count, ttl}
"""


def key_for(kind: str, value: str) -> str:
    # Hash the value: emails and IPs are personal data and do not belong in key names.
    return f"rl:{kind}:{hashlib.sha256(value.lower().encode()).hexdigest()[:32]}"


def hit(key: str, limit: int, window_seconds: int) -> tuple[bool, int]:
    """Count one attempt. Returns (allowed, seconds until the window resets)."""
    count, ttl_ms = get_redis().eval(_HIT, 1, key, window_seconds * 1000)
    retry_after = max(1, -(-int(ttl_ms) // 1000))
    return int(count) <= limit, retry_after


def clear(key: str) -> None:
    get_redis().delete(key)


# Failed attempts with growing delays (login). A key holds the failures of its window and
# the time before which no new attempt is taken. Nothing locks for good: the delay doubles
# per failure past the free ones, up to the window, and the failures expire with it.
_WAIT = """
local now = tonumber(ARGV[1])
local wait = 0
for i, key in ipairs(KEYS) do
  local until_ms = tonumber(redis.call('HGET', key, 'until') or '0')
  if until_ms - now > wait then wait = until_ms - now end
end
return wait
"""
_FAIL = """
local now, free = tonumber(ARGV[1]), tonumber(ARGV[2])
local base, window = tonumber(ARGV[3]), tonumber(ARGV[4])
local count = redis.call('HINCRBY', KEYS[1], 'count', 1)
if count > free then
  local delay = math.min(base * 2 ^ (count - free - 1), window)
  redis.call('HSET', KEYS[1], 'until', now + delay)
end
redis.call('PEXPIRE', KEYS[1], window)
return count
"""


def _now_ms() -> int:
    return int(time.time() * 1000)


def wait_seconds(keys: list[str]) -> int:
    """Seconds before any of these keys takes a new attempt (0: now)."""
    wait_ms = int(get_redis().eval(_WAIT, len(keys), *keys, _now_ms()))
    return -(-wait_ms // 1000) if wait_ms > 0 else 0


def record_failure(key: str, free: int, base_seconds: float, window_seconds: int) -> int:
    """Count a failure; past `free` failures, the next attempt waits base * 2^n seconds
    (at most the window). Returns the failures in the window."""
    args = (_now_ms(), free, int(base_seconds * 1000), window_seconds * 1000)
    return int(get_redis().eval(_FAIL, 1, key, *args))
