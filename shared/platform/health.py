"""Health of the dependencies: the database, Redis and the queue backend."""

from __future__ import annotations

import time
from collections.abc import Callable

from pydantic import BaseModel
from sqlalchemy import text

from shared.cache import get_redis
from shared.db.engine import get_engine
from shared.queue import get_backend


class Check(BaseModel):
    status: str  # "up" | "down"
    latency_ms: float | None = None
    detail: str | None = None


class HealthOut(BaseModel):
    status: str  # "ok" | "degraded"
    checks: dict[str, Check]
    down: list[str]


def _database() -> str:
    with get_engine().connect() as conn:
        conn.execute(text("SELECT 1"))
    return "postgresql"


def _redis() -> str:
    get_redis().ping()
    return "redis"


def _queue() -> str:
    backend = get_backend()
    up, detail = backend.health()
    if not up:
        raise RuntimeError(detail)
    return f"{backend.name}: {detail}"


CHECKS: dict[str, Callable[[], str]] = {"database": _database, "redis": _redis, "queue": _queue}


def check_health() -> HealthOut:
    checks: dict[str, Check] = {}
    for name, probe in CHECKS.items():
        started = time.perf_counter()
        try:
            detail = probe()
            checks[name] = Check(
                status="up",
                latency_ms=round((time.perf_counter() - started) * 1000, 2),
                detail=detail,
            )
        except Exception as exc:
            checks[name] = Check(status="down", detail=f"{type(exc).__name__}: {exc}"[:300])
    down = [name for name, check in checks.items() if check.status == "down"]
    return HealthOut(status="degraded" if down else "ok", checks=checks, down=down)
