"""Cursor pagination: opaque cursors over a (timestamp, id) keyset, newest first."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field
from sqlalchemy import Select, and_, or_
from sqlalchemy.orm import InstrumentedAttribute

from shared.http.problems import field_error

T = TypeVar("T")
DEFAULT_LIMIT = 50
MAX_LIMIT = 200


class Page(BaseModel, Generic[T]):
    data: list[T]
    next_cursor: str | None = Field(None, description="Pass as `cursor` to get the next page.")


class PageQuery(BaseModel):
    cursor: str | None = Field(None, description="Opaque cursor from a previous page.")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Page size.")


def encode_cursor(sort_value: datetime, row_id: uuid.UUID) -> str:
    raw = json.dumps([sort_value.isoformat(), str(row_id)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value, row_id = json.loads(base64.urlsafe_b64decode(padded))
        return datetime.fromisoformat(value), uuid.UUID(row_id)
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError) as exc:
        raise field_error("query.cursor", "Malformed cursor.") from exc


def keyset_page(
    stmt: Select[Any],
    sort_col: InstrumentedAttribute[Any],
    id_col: InstrumentedAttribute[Any],
    query: PageQuery,
    *,
    descending: bool = True,
) -> Select[Any]:
    """Apply cursor position, order and limit (+1 to know whether a next page exists)."""
    if query.cursor:
        value, row_id = decode_cursor(query.cursor)
        if descending:
            stmt = stmt.where(or_(sort_col < value, and_(sort_col == value, id_col < row_id)))
        else:
            stmt = stmt.where(or_(sort_col > value, and_(sort_col == value, id_col > row_id)))
    order = (sort_col.desc(), id_col.desc()) if descending else (sort_col.asc(), id_col.asc())
    return stmt.order_by(*order).limit(query.limit + 1)


def page_of(
    rows: list[Any], query: PageQuery, sort_attr: str, id_attr: str = "id"
) -> tuple[list[Any], str | None]:
    """Split the limit+1 rows into the page and the next cursor."""
    if len(rows) <= query.limit:
        return rows, None
    rows = rows[: query.limit]
    last = rows[-1]
    return rows, encode_cursor(getattr(last, sort_attr), getattr(last, id_attr))
