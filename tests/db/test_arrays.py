"""Arrays passed as one joined text parameter read back element for element."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from shared.db.arrays import joined, joined_times
from shared.db.engine import get_engine


def test_joined_ids_numbers_and_times_split_back_in_sql() -> None:
    ids = [uuid.uuid4() for _ in range(3)]
    times = [datetime(2026, 12, 7, 5, 0, 0, 123456, tzinfo=UTC), datetime.now(UTC)]
    with get_engine().connect() as conn:
        back = conn.execute(
            text(
                "SELECT CAST(string_to_array(:ids, ',') AS uuid[]),"
                " CAST(string_to_array(:ns, ',') AS int[]),"
                " ARRAY(SELECT to_timestamp(unnest(CAST(string_to_array(:ts, ',') AS float8[]))))"
            ),
            {"ids": joined(ids), "ns": joined([1, 2, 30]), "ts": joined_times(times)},
        ).one()
    assert [uuid.UUID(str(i)) for i in back[0]] == ids
    assert back[1] == [1, 2, 30]
    assert [abs((a - b).total_seconds()) < 1e-5 for a, b in zip(back[2], times, strict=True)] == [
        True,
        True,
    ]
    assert joined([]) == ""


def test_a_value_with_a_comma_is_refused_rather_than_split() -> None:
    with pytest.raises(ValueError, match="comma"):
        joined(["SM1", "SM2,SM3"])
