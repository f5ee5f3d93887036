"""A transaction that loses a deadlock runs again instead of failing its caller."""

from __future__ import annotations

import threading

from sqlalchemy import text

from shared.db.engine import get_engine
from shared.db.session import retry_conflicts


def test_both_sides_of_a_real_deadlock_complete() -> None:
    attempts: list[str] = []
    both_hold_one = threading.Barrier(2, timeout=10)

    @retry_conflicts
    def lock_in_order(name: str, first: int, second: int) -> None:
        attempts.append(name)
        with get_engine().begin() as conn:
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": first})
            if len(attempts) <= 2:  # the first round: make the opposite orders collide
                both_hold_one.wait()
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": second})

    errors: list[BaseException] = []

    def run(name: str, first: int, second: int) -> None:
        try:
            lock_in_order(name, first, second)
        except BaseException as exc:
            errors.append(exc)

    threads = [
        threading.Thread(target=run, args=("a", 9_001, 9_002)),
        threading.Thread(target=run, args=("b", 9_002, 9_001)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert len(attempts) == 3  # PostgreSQL chose one victim, which ran again
