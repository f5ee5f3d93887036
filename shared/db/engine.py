"""The process-wide SQLAlchemy engine, created on first use and reused across invocations."""

from __future__ import annotations

import threading
import time
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError

from shared.config import get_settings
from shared.db import wire

_engine: Engine | None = None
_lock = threading.Lock()
# Connections a process keeps: at least DB_POOL_SIZE, more when it runs more threads that
# use the database at once (a queue worker): a pool smaller than its concurrent users
# closes every connection returned beyond its size and opens a new one for the next
# (with TLS negotiation), which was a fifth of a campaign sender's CPU.
_threads_hint = 0
_LOOPBACK = {"127.0.0.1", "::1", "localhost"}


def size_pool_for(threads: int) -> None:
    """This process runs `threads` threads that may each hold a connection: keep as many
    (takes effect when the engine is created, or at the next reset)."""
    global _threads_hint
    _threads_hint = max(_threads_hint, threads)


def pool_size() -> int:
    return max(get_settings().db_pool_size, _threads_hint)


def cloud_sql_creator(user: str | None = None, impersonate: str | None = None) -> Any:
    """Connections through the Cloud SQL Python Connector with IAM database auth."""
    # Imported lazily: only GCP deployments pay for the connector.
    from google.cloud.sql.connector import Connector, IPTypes

    settings = get_settings()
    credentials = None
    if impersonate:
        from google.auth import default, impersonated_credentials

        source, _ = default()
        credentials = impersonated_credentials.Credentials(  # type: ignore[no-untyped-call]
            source_credentials=source,
            target_principal=impersonate,
            target_scopes=["https://www.googleapis.com/auth/sqlservice.login"],
        )
    connector = Connector(ip_type=IPTypes.PRIVATE, refresh_strategy="lazy", credentials=credentials)

    def connect() -> Any:
        return connector.connect(
            settings.db_instance_connection_name,
            "pg8000",
            user=user or settings.db_iam_user,
            db=settings.db_name,
            enable_iam_auth=True,
        )

    return connect


def build_engine(url: str, *, pool_size: int = 5, **kwargs: Any) -> Engine:
    """An engine for `url`; `?unix_sock=` in a pg8000 URL selects a unix socket."""
    parsed = make_url(url)
    connect_args: dict[str, Any] = {}
    if "unix_sock" in parsed.query:
        connect_args["unix_sock"] = parsed.query["unix_sock"]
        parsed = parsed.difference_update_query(["unix_sock"])
    # pg8000 asks every server for TLS unless told not to (building a TLS context per
    # connection); over a unix socket or loopback there is nothing to protect.
    # `?sslmode=disable|require` says so explicitly, as libpq's does.
    sslmode = parsed.query.get("sslmode")
    if sslmode is not None:
        parsed = parsed.difference_update_query(["sslmode"])
    local = "unix_sock" in connect_args or parsed.host in _LOOPBACK
    if sslmode == "disable" or (sslmode is None and local):
        connect_args["ssl_context"] = False
    elif sslmode == "require":  # encrypted, not verified (as libpq's require)
        connect_args["ssl_context"] = True
    pooled = "poolclass" not in kwargs
    if pooled:
        kwargs.update(pool_size=pool_size, max_overflow=pool_size * 2, pool_recycle=1800)
    engine = create_engine(parsed, connect_args=connect_args, **kwargs)
    lean_wire(engine)
    if pooled:
        ping_when_idle(engine)
    return engine


def lean_wire(engine: Engine) -> None:
    """Every connection of `engine` runs a statement in one round trip (shared/db/wire.py)."""
    if engine.dialect.driver != "pg8000":
        return

    @event.listens_for(engine, "connect")
    def _tune(dbapi: Any, _record: Any) -> None:
        wire.tune(dbapi)


# A connection back from the pool after this long idle is tested first (one round trip);
# one in steady use is not (SQLAlchemy's pre-ping tests every checkout: a round trip per
# transaction). One that died within the last seconds (a failover) fails the transaction
# that finds it, as one in use would; SQLAlchemy then drops every older connection.
IDLE_PING_SECONDS = 10.0


def ping_when_idle(engine: Engine) -> None:
    @event.listens_for(engine, "checkin")
    def _returned(_dbapi: Any, record: Any) -> None:
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.get("returned_at")
        if returned is None or time.monotonic() - returned < IDLE_PING_SECONDS:
            return
        try:
            cursor = dbapi.cursor()
            cursor.execute("SELECT 1")
            cursor.fetchall()
            cursor.close()
        except Exception as exc:  # the pool drops it and checks out another
            raise DisconnectionError() from exc


def get_engine() -> Engine:
    global _engine
    if _engine is None:
        with _lock:
            if _engine is None:
                settings = get_settings()
                if settings.db_use_connector:
                    _engine = create_engine(
                        "postgresql+pg8000://",
                        creator=cloud_sql_creator(),
                        pool_size=pool_size(),
                    )
                    lean_wire(_engine)
                    ping_when_idle(_engine)
                else:
                    if not settings.database_url:
                        raise RuntimeError(
                            "DATABASE_URL is not set (the local launcher sets it for the "
                            "embedded PostgreSQL)"
                        )
                    _engine = build_engine(settings.database_url, pool_size=pool_size())
    return _engine


def reset_engine() -> None:
    """Dispose of the engine (tests and settings changes)."""
    global _engine
    with _lock:
        if _engine is not None:
            _engine.dispose()
        _engine = None
