"""Cursor pagination over a real table: stable order, no duplicates, no gaps."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from shared.db.models import Contact, Tenant
from shared.db.session import tenant_session
from shared.http.pagination import PageQuery, decode_cursor, keyset_page, page_of
from shared.http.problems import Problem


def test_pages_cover_every_row_once_with_equal_timestamps() -> None:
    tenant_id = uuid.uuid4()
    base = datetime(2026, 1, 1, tzinfo=UTC)
    with tenant_session(tenant_id) as s:
        s.add(Tenant(id=tenant_id, name="paging"))
        s.flush()
        for i in range(23):
            # Groups of three rows share a timestamp: the id breaks ties.
            s.add(
                Contact(
                    tenant_id=tenant_id,
                    phone=f"+1415555{i:04d}",
                    created_at=base + timedelta(seconds=i // 3),
                )
            )
    seen: list[uuid.UUID] = []
    query = PageQuery(limit=5)
    pages = 0
    while True:
        with tenant_session(tenant_id) as s:
            stmt = keyset_page(select(Contact), Contact.created_at, Contact.id, query)
            rows, cursor = page_of(list(s.scalars(stmt)), query, "created_at")
        seen += [r.id for r in rows]
        pages += 1
        if cursor is None:
            break
        query = PageQuery(limit=5, cursor=cursor)
    assert pages == 5
    assert len(seen) == len(set(seen)) == 23


def test_a_malformed_cursor_is_a_422_problem() -> None:
    with pytest.raises(Problem) as info:
        decode_cursor("garbage!!")
    assert info.value.status == 422
