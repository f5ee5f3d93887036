"""The process-wide SQLAlchemy engine, created on first use and reused across invocations."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url

from shared.config import get_settings

_engine: Engine | None = None
_lock = threading.Lock()


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
    if "poolclass" not in kwargs:
        kwargs.update(
            pool_size=pool_size, max_overflow=pool_size * 2, pool_pre_ping=True, pool_recycle=1800
        )
    return create_engine(parsed, connect_args=connect_args, **kwargs)


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
                        pool_size=settings.db_pool_size,
                        pool_pre_ping=True,
                    )
                else:
                    if not settings.database_url:
                        raise RuntimeError(
                            "DATABASE_URL is not set (the local launcher sets it for the "
                            "embedded PostgreSQL)"
                        )
                    _engine = build_engine(settings.database_url, pool_size=settings.db_pool_size)
    return _engine


def reset_engine() -> None:
    """Dispose of the engine (tests and settings changes)."""
    global _engine
    with _lock:
        if _engine is not None:
            _engine.dispose()
        _engine = None
