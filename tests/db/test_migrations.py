"""The schema is reachable only through migrations, and they round-trip."""

from __future__ import annotations

import uuid

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from shared.db import migrate
from shared.db.engine import build_engine
from shared.db.models import Base
from tests.conftest import create_database, drop_database


def test_upgrade_downgrade_upgrade_on_an_empty_database(pg_admin_url: str) -> None:
    name = f"smsplat_mig_{uuid.uuid4().hex[:8]}"
    url = create_database(pg_admin_url, name)
    engine = build_engine(url)
    try:
        migrate.upgrade(url)
        with engine.connect() as conn:
            after_first = set(inspect(conn).get_table_names())
        assert set(Base.metadata.tables) <= after_first

        migrate.downgrade(url, "base")
        with engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) == {"alembic_version"}

        migrate.upgrade(url)
        with engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) == after_first
    finally:
        engine.dispose()
        drop_database(pg_admin_url, name)


def test_models_and_migrations_agree(platform_env: dict[str, str]) -> None:
    """A model change without its migration fails here (autogenerate finds no diff)."""
    engine = build_engine(platform_env["database_url"])
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []
