"""The consent log: every opt-out and opt-in of the workspace (source, time), paged or as
CSV, and the keywords that opt a contact out or back in.

The log reads `consent_events` newest first on its (tenant_id, occurred_at) index: a page
is one index range scan whatever the size of the log.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import Select, select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from shared.contacts.models import ConsentEvent
from shared.contacts.schemas import ConsentEventOut, ConsentEventPage, ConsentKind, ConsentSource
from shared.db.session import tenant_session
from shared.http.pagination import PageQuery, keyset_page, page_of
from shared.tenancy.principal import Principal

Kind = ConsentKind
Source = ConsentSource
EXPORT_BATCH = 2000  # rows per transaction (above the paged limit: built, not parsed)
_E164 = re.compile(r"^\+[1-9]\d{1,14}$")


class ConsentFilter(BaseModel):
    kind: Kind | None = Field(None, description="Only opt-outs or only opt-ins.")
    source: Source | None = Field(None, description="Only events of this source.")


class ConsentQuery(ConsentFilter, PageQuery):
    pass


class KeywordsOut(BaseModel):
    opt_out: list[str] = Field(description="A message that is only one of these opts out.")
    opt_in: list[str] = Field(description="... opts back in.")
    help: list[str] = Field(description="... gets the HELP reply.")
    matching: str = Field(description="How a message is matched against the keywords.")


def _filtered(filters: ConsentFilter | None, contact_id: uuid.UUID | None = None) -> Select[Any]:
    stmt = select(ConsentEvent)
    if contact_id is not None:
        stmt = stmt.where(ConsentEvent.contact_id == contact_id)
    if filters and filters.kind:
        stmt = stmt.where(ConsentEvent.kind == filters.kind)
    if filters and filters.source:
        stmt = stmt.where(ConsentEvent.source == filters.source)
    return stmt


def page(s: Session, query: PageQuery, contact_id: uuid.UUID | None = None) -> ConsentEventPage:
    """A page of the log, newest first (filtered when `query` is a ConsentQuery; one
    contact's with `contact_id`): one index range scan."""
    filters = query if isinstance(query, ConsentFilter) else None
    stmt = keyset_page(
        _filtered(filters, contact_id), ConsentEvent.occurred_at, ConsentEvent.id, query
    )
    rows, cursor = page_of(list(s.scalars(stmt)), query, "occurred_at")
    return ConsentEventPage(
        data=[ConsentEventOut.model_validate(r) for r in rows], next_cursor=cursor
    )


def list_events(principal: Principal, query: ConsentQuery) -> ConsentEventPage:
    with tenant_session(principal.tenant_id, user_id=principal.user_id) as s:
        return page(s, query)


def _cell(value: str | None) -> str:
    """Text a spreadsheet would run as a formula is quoted; E.164 numbers are left as is."""
    value = value or ""
    if _E164.match(value):
        return value
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


COLUMNS = ("occurred_at", "kind", "source", "phone", "keyword", "reason", "contact_id")


def export_csv(principal: Principal, filters: ConsentFilter) -> Response:
    """The whole log, newest first, streamed in batches (one short transaction each)."""

    def rows() -> Iterator[str]:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        query = PageQuery.model_construct(limit=EXPORT_BATCH, cursor=None)
        while True:
            with tenant_session(principal.tenant_id, user_id=principal.user_id) as s:
                stmt = keyset_page(
                    _filtered(filters), ConsentEvent.occurred_at, ConsentEvent.id, query
                )
                batch, cursor = page_of(list(s.scalars(stmt)), query, "occurred_at")
                for e in batch:
                    writer.writerow(
                        (
                            e.occurred_at.isoformat(),
                            e.kind,
                            e.source,
                            _cell(e.phone),
                            _cell(e.keyword),
                            _cell(e.reason),
                            str(e.contact_id or ""),
                        )
                    )
            yield out.getvalue()
            out.seek(0)
            out.truncate()
            if cursor is None:
                return
            query = PageQuery.model_construct(limit=EXPORT_BATCH, cursor=cursor)

    return Response(
        rows(),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="consent-log.csv"'},
    )


def keywords() -> KeywordsOut:
    from shared.messaging.webhooks import HELP_WORDS, OPT_IN_WORDS, OPT_OUT_WORDS

    return KeywordsOut(
        opt_out=sorted(OPT_OUT_WORDS),
        opt_in=sorted(OPT_IN_WORDS),
        help=sorted(HELP_WORDS),
        matching=(
            "The whole message, trimmed, in any case, trailing punctuation ignored: "
            '"Stop." opts out, "please stop texting me" does not.'
        ),
    )
