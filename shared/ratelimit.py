"""Attempt limits in Redis (login, password reset): a fixed window per key, atomic in Lua."""

from __future__ import annotations

import hashlib

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
