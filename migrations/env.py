"""Alembic environment: migrations run as the table owner (DATABASE_MIGRATION_URL)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import pool, text

from shared.config import get_settings
from shared.db.engine import build_engine
from shared.db.models import Base

target_metadata = Base.metadata


def run_migrations_online() -> None:
    url = context.config.attributes.get("url") or get_settings().migration_url
    if not url:
        raise RuntimeError("DATABASE_MIGRATION_URL / DATABASE_URL is not set")
    engine = build_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            compare_type=True,
        )
        with context.begin_transaction():
            # Serialise concurrent deploys: one migrator at a time.
            connection.execute(text("SELECT pg_advisory_xact_lock(727311)"))
            context.run_migrations()
    engine.dispose()


run_migrations_online()
