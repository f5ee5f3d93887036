"""Tenant isolation, both walls: tenant-scoped sessions and FORCE'd row-level security."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import ProgrammingError

from shared.config import get_settings
from shared.db.base import tenant_tables
from shared.db.engine import get_engine
from shared.db.models import Contact, Tenant
from shared.db.session import system_session, tenant_session


def _tenant_with_contact(name: str) -> tuple[uuid.UUID, uuid.UUID]:
    tenant_id, contact_id = uuid.uuid4(), uuid.uuid4()
    with tenant_session(tenant_id) as s:
        s.add(Tenant(id=tenant_id, name=name))
        s.flush()
        s.add(Contact(id=contact_id, tenant_id=tenant_id, phone="+14155550100", first_name=name))
    return tenant_id, contact_id


@pytest.fixture
def two_tenants() -> tuple[tuple[uuid.UUID, uuid.UUID], tuple[uuid.UUID, uuid.UUID]]:
    return _tenant_with_contact("A"), _tenant_with_contact("B")


@pytest.fixture
def app_conn() -> Iterator[Connection]:
    """A raw connection running as the application role, in a transaction."""
    with get_engine().connect() as conn:
        conn.execute(text(f"SET LOCAL ROLE {get_settings().db_app_role}"))
        yield conn
        conn.rollback()


def test_every_table_with_tenant_id_forces_rls() -> None:
    with get_engine().connect() as conn:
        rows = conn.execute(
            text(
                "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,"
                " (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid)"
                " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = 'public' AND c.relkind = 'r' AND EXISTS ("
                "  SELECT 1 FROM information_schema.columns col WHERE col.table_name = c.relname"
                "  AND col.column_name = 'tenant_id' AND col.table_schema = 'public')"
            )
        ).all()
    by_table = {r[0]: r[1:] for r in rows}
    assert set(tenant_tables()) <= set(by_table)
    # processed_provider_events has a nullable tenant_id but is system-only (no app grant).
    for table, (enabled, forced, policies) in by_table.items():
        if table == "processed_provider_events":
            continue
        assert enabled, table
        assert forced, table
        assert policies >= 2, table


def test_app_role_does_not_own_tables_and_is_not_superuser() -> None:
    role = get_settings().db_app_role
    with get_engine().connect() as conn:
        owned = conn.scalar(
            text("SELECT count(*) FROM pg_tables WHERE schemaname='public' AND tableowner=:r"),
            {"r": role},
        )
        attrs = conn.execute(
            text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname=:r"), {"r": role}
        ).one()
    assert owned == 0
    assert tuple(attrs) == (False, False)


def test_no_tenant_set_sees_zero_rows(two_tenants: object, app_conn: Connection) -> None:
    for table in ("contacts", "tenants", "user_tenants", "messages"):
        assert app_conn.scalar(text(f"SELECT count(*) FROM {table}")) == 0, table


def test_tenant_session_sees_only_its_rows(two_tenants: tuple) -> None:  # type: ignore[type-arg]
    (a, _), (_, b_contact) = two_tenants
    with tenant_session(a) as s:
        names = set(s.scalars(text("SELECT first_name FROM contacts")))  # raw SQL, no WHERE
        assert names == {"A"}
        assert s.get(Contact, b_contact) is None
        assert s.scalar(text("SELECT count(*) FROM tenants")) == 1


def test_tenant_a_cannot_write_tenant_b_rows_even_with_raw_sql(two_tenants: tuple) -> None:  # type: ignore[type-arg]
    (a, _), (b, b_contact) = two_tenants
    with tenant_session(a) as s:
        updated = s.execute(
            text("UPDATE contacts SET first_name = 'pwned' WHERE id = :id"), {"id": b_contact}
        )
        assert updated.rowcount == 0  # type: ignore[attr-defined]
        deleted = s.execute(text("DELETE FROM contacts WHERE id = :id"), {"id": b_contact})
        assert deleted.rowcount == 0  # type: ignore[attr-defined]
    with pytest.raises(ProgrammingError, match="row-level security"), tenant_session(a) as s:
        s.execute(
            text("INSERT INTO contacts (tenant_id, phone) VALUES (:t, '+14155550199')"), {"t": b}
        )
    with pytest.raises(ProgrammingError, match="row-level security"), tenant_session(a) as s:
        # Moving one's own row into another tenant is refused too (WITH CHECK).
        s.execute(text("UPDATE contacts SET tenant_id = :b"), {"b": b})
    with system_session() as s:
        assert s.get_one(Contact, b_contact).first_name == "B"


def test_app_role_cannot_read_platform_tables(app_conn: Connection) -> None:
    with pytest.raises(ProgrammingError, match="permission denied"):
        app_conn.execute(text("SELECT * FROM email_tokens"))


def test_the_role_and_tenant_do_not_leak_into_the_next_transaction(two_tenants: tuple) -> None:  # type: ignore[type-arg]
    (a, _), _ = two_tenants
    with tenant_session(a) as s:
        assert s.scalar(text("SELECT count(*) FROM contacts")) == 1
    # The same pooled connection, outside a tenant session: back to the login role, no tenant.
    with get_engine().connect() as conn:
        assert conn.scalar(text("SELECT current_setting('app.tenant_id', true)")) in ("", None)
        assert conn.scalar(text("SELECT current_user")) != get_settings().db_app_role
