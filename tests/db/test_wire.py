"""pg8000 on the wire: one round trip per statement, same answers as pg8000's own path."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pg8000.dbapi
import pg8000.legacy
import pytest
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError

from shared.db.engine import get_engine


class _CountingSocket:
    """The connection's socket file, counting the flushes (one per round trip)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.flushes = 0

    def flush(self) -> None:
        self.flushes += 1
        self.inner.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@pytest.fixture
def raw() -> Iterator[Any]:
    with get_engine().connect() as conn:
        yield conn


def test_a_statement_with_parameters_is_one_round_trip(raw: Any) -> None:
    raw.execute(text("SELECT 1"))  # in a transaction: no BEGIN of its own below
    dbapi = raw.connection.dbapi_connection
    counting = _CountingSocket(dbapi._sock)
    dbapi._sock = counting
    try:
        row = raw.execute(
            text("SELECT CAST(:a AS int) + 1 AS n, CAST(:b AS text) AS word"), {"a": 41, "b": "x"}
        ).one()
    finally:
        dbapi._sock = counting.inner
    assert (row.n, row.word) == (42, "x")
    assert counting.flushes == 1  # pg8000's own path: 3


def test_values_read_back_as_pg8000_reads_them(raw: Any) -> None:
    at = datetime(2026, 12, 7, 18, 14, 39, 123456, tzinfo=UTC)
    ident = uuid.uuid4()
    row = raw.execute(
        text(
            "SELECT CAST(:id AS uuid) AS id, CAST(:at AS timestamptz) AS at,"
            " CAST('2026-01-02 03:04:05+05:30' AS timestamptz) AT TIME ZONE 'UTC' AS naive,"
            " CAST('infinity' AS timestamptz) AS forever, CAST(NULL AS text) AS nothing,"
            " CAST(:body AS text) AS body, ARRAY[1, 2] AS ns, '100%' AS percent"
        ),
        {"id": ident, "at": at, "body": "héllo 👋 'quoted' %s"},
    ).one()
    assert row.id == ident
    assert row.at == at
    assert row.at.utcoffset() == timedelta(0)
    assert row.naive == datetime(2026, 1, 1, 21, 34, 5)
    assert row.forever == "infinity"  # as pg8000's own parser answers
    assert row.nothing is None
    assert row.body == "héllo 👋 'quoted' %s"
    assert row.ns == [1, 2]
    assert row.percent == "100%"
    raw.execute(text("SET LOCAL TIME ZONE 'America/St_Johns'"))  # shown as -03:30 in January
    offset = raw.execute(
        text("SELECT CAST('2026-01-02 03:04:05.5-03:30' AS timestamptz) AS t"),
    ).scalar_one()
    assert offset == datetime(2026, 1, 2, 6, 34, 5, 500000, tzinfo=UTC)
    assert offset.utcoffset() == timedelta(hours=-3, minutes=-30)


def test_updates_count_rows_and_errors_leave_a_usable_connection(raw: Any) -> None:
    raw.execute(text("CREATE TEMP TABLE wire_t (id int PRIMARY KEY, v text)"))
    inserted = raw.execute(
        text("INSERT INTO wire_t SELECT g, 'v' FROM generate_series(1, CAST(:n AS int)) g"),
        {"n": 5},
    )
    assert inserted.rowcount == 5
    updated = raw.execute(text("UPDATE wire_t SET v = :v WHERE id <= :n"), {"v": "w", "n": 3})
    assert updated.rowcount == 3
    raw.commit()
    with pytest.raises(ProgrammingError) as parse:  # refused at Parse
        raw.execute(text("SELEC :x"), {"x": 1})
    assert parse.value.orig.args[0]["C"] == "42601"
    raw.rollback()
    with pytest.raises(ProgrammingError) as bind:  # refused at Bind
        raw.execute(text("SELECT CAST(:x AS uuid)"), {"x": "not-a-uuid"})
    assert bind.value.orig.args[0]["C"] == "22P02"
    raw.rollback()
    assert raw.execute(text("SELECT count(*) FROM wire_t WHERE v = :v"), {"v": "w"}).scalar() == 3


@pytest.mark.parametrize(
    "query",
    [
        "SELECT %s, %s",
        "SELECT '%%s is literal' || %s",
        "SELECT x::int FROM t WHERE a = %s AND b LIKE 'a%%'",
        'SELECT "col%%" FROM t -- %s in a comment\n WHERE c = %s',
    ],
)
def test_remembered_placeholder_rewrites_match_pg8000(query: str) -> None:
    get_engine().connect().close()  # the engine's first connection patches the cursors
    for module in (pg8000.legacy, pg8000.dbapi):
        remembering = module.convert_paramstyle
        original = remembering.original
        args = (1, 2)
        assert remembering("format", query, args) == original("format", query, args)
        assert remembering("format", query, args) == original("format", query, args)  # cached
        named = {"a": 1}
        assert remembering("named", "SELECT :a", named) == original("named", "SELECT :a", named)
