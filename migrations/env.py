"""Alembic environment: migrations run as the table owner (DATABASE_MIGRATION_URL)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, Engine, create_engine, pool, text

from shared.config import get_settings
from shared.db.engine import build_engine, cloud_sql_creator
from shared.db.models import Base

target_metadata = Base.metadata


def _engine() -> Engine:
    settings = get_settings()
    url = context.config.attributes.get("url") or settings.migration_url
    if url:
        return build_engine(url, poolclass=pool.NullPool)
    if settings.db_use_connector:
        # In GCP: as the migrator service account, through the Cloud SQL connector.
        impersonate = settings.db_impersonate_service_account or None
        user = impersonate.removesuffix(".gserviceaccount.com") if impersonate else None
        creator = cloud_sql_creator(user=user, impersonate=impersonate)
        return create_engine("postgresql+pg8000://", creator=creator, poolclass=pool.NullPool)
    raise RuntimeError("DATABASE_MIGRATION_URL / DATABASE_URL is not set")


def _grant_runtime_user(connection: Connection) -> None:
    """The functions' login may assume the app and system roles (and nothing more)."""
    settings = get_settings()
    if settings.db_runtime_iam_user:
        user = settings.db_runtime_iam_user.replace('"', "")
        roles = f"{settings.db_app_role}, {settings.db_system_role}"
        connection.execute(text(f'GRANT {roles} TO "{user}"'))


def run_migrations_online() -> None:
    engine = _engine()
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
            _grant_runtime_user(connection)
    engine.dispose()


run_migrations_online()
