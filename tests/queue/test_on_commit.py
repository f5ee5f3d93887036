"""`publish_on_commit` / `schedule_on_commit` run their action only once the outermost
transaction commits, on a real PostgreSQL session: never at a savepoint's release (nothing
is visible to other connections yet), never after a rollback."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from shared.db.session import tenant_session
from shared.queue import _on_commit

pytestmark = pytest.mark.usefixtures("platform_env")


def test_an_action_waits_for_the_outermost_commit_not_a_savepoint() -> None:
    ran: list[str] = []
    with tenant_session(uuid.uuid4()) as s:
        with s.begin_nested():
            _on_commit(s, lambda: ran.append("inside savepoint"))
        assert ran == []  # the savepoint was released, the transaction is still open
        _on_commit(s, lambda: ran.append("outer"))
        s.execute(text("SELECT 1"))
        assert ran == []
    assert ran == ["inside savepoint", "outer"]


def test_a_rolled_back_savepoint_drops_only_its_own_actions() -> None:
    ran: list[str] = []
    with tenant_session(uuid.uuid4()) as s:
        _on_commit(s, lambda: ran.append("before"))
        savepoint = s.begin_nested()
        _on_commit(s, lambda: ran.append("rolled back"))
        savepoint.rollback()
    assert ran == ["before"]


def test_a_rolled_back_transaction_runs_nothing_and_leaves_nothing_behind() -> None:
    ran: list[str] = []

    def fail_after_registering() -> None:
        with tenant_session(uuid.uuid4()) as s:
            _on_commit(s, lambda: ran.append("never"))
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        fail_after_registering()
    assert ran == []
    with tenant_session(uuid.uuid4()) as s:  # a new transaction runs only its own
        _on_commit(s, lambda: ran.append("next"))
    assert ran == ["next"]
