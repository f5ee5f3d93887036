"""Sessions: the only ways application code reaches the database.

Two walls keep tenants apart. The first is this module: tenant data is reached only
through `tenant_session`, which pins the transaction to one tenant. The second is
PostgreSQL row-level security: every transaction runs as a role that does not own the
tables (`SET LOCAL ROLE`) with `app.tenant_id` set locally, and the FORCE'd policies refuse
any row of another tenant, even to raw SQL that forgot a WHERE clause.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

from sqlalchemy import text
from sqlalchemy.orm import Session

from shared.config import get_settings
from shared.db.engine import get_engine

P = ParamSpec("P")
R = TypeVar("R")

_PIN = text(
    "SELECT set_config('role', :role, true), set_config('app.tenant_id', :tenant, true),"
    " set_config('app.user_id', :user, true)"
)


def is_transient_conflict(exc: BaseException) -> bool:
    """A deadlock or a serialization failure: the transaction can simply run again."""
    from sqlalchemy.exc import DBAPIError

    if not isinstance(exc, DBAPIError) or exc.orig is None or not exc.orig.args:
        return False
    detail = exc.orig.args[0]
    return isinstance(detail, dict) and detail.get("C") in ("40P01", "40001")


def retry_conflicts(fn: Callable[P, R]) -> Callable[P, R]:
    """Run a whole transaction again (up to 3 times) when it lost a deadlock or a
    serialization check. Only for transactions that are safe to repeat."""
    import tenacity

    return tenacity.retry(
        retry=tenacity.retry_if_exception(is_transient_conflict),
        stop=tenacity.stop_after_attempt(3),
        wait=tenacity.wait_random(0.01, 0.1),
        reraise=True,
    )(fn)


@contextmanager
def _pinned(role: str, tenant_id: uuid.UUID | None, user_id: uuid.UUID | None) -> Iterator[Session]:
    with Session(get_engine(), expire_on_commit=False) as session, session.begin():
        session.execute(
            _PIN,
            {
                "role": role,
                "tenant": str(tenant_id) if tenant_id else "",
                "user": str(user_id) if user_id else "",
            },
        )
        yield session


@contextmanager
def tenant_session(tenant_id: uuid.UUID, *, user_id: uuid.UUID | None = None) -> Iterator[Session]:
    """One transaction that can see and write only `tenant_id`'s rows."""
    with _pinned(get_settings().db_app_role, tenant_id, user_id) as session:
        yield session


@contextmanager
def user_session(user_id: uuid.UUID) -> Iterator[Session]:
    """One transaction for a signed-in user outside any workspace: their memberships only."""
    with _pinned(get_settings().db_app_role, None, user_id) as session:
        yield session


@contextmanager
def system_session() -> Iterator[Session]:
    """One transaction across tenants, for work that must find the tenant first.

    Used only where no tenant is known yet (webhook routing by phone number, token lookups,
    schedulers). Every use is explicit in code review: grep for `system_session`.
    """
    with _pinned(get_settings().db_system_role, None, None) as session:
        yield session
