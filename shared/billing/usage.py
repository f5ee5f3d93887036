"""Usage: recorded where it happens, in the transaction of the state that causes it.

Which outbound messages are billed: those the provider accepted (it returned an id), in
every later state but one. `sent`, `delivered` and `undelivered` are billed: Twilio
charges a message once it accepted it, delivered or not (an undelivered message still
went to the carrier). `failed` is not: Twilio does not charge messages it could not send
(queue overflow, account or media errors), so a message that the provider first accepted
and then reported failed gets a negative correction. Messages refused at the API call
(no provider id), suppressed, or never claimed never reach the provider and are never
recorded. Inbound segments are not billed to the workspace.

Every record names its source (`message:<id>`, `anthropic:<response id>`), so a replay of
the same state change records nothing twice.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from typing import Any

from sqlalchemy import BigInteger, ColumnClause, Date, cast, func, literal_column, select, text
from sqlalchemy.orm import Session

from shared.billing import schemas
from shared.billing.models import UsageRecord
from shared.billing.plans import AI_TOKENS, BILLED_KINDS, MMS_SEGMENT_WEIGHT, SEGMENTS, Meter
from shared.billing.state import billing_enabled
from shared.db.arrays import joined
from shared.db.session import tenant_session
from shared.http.problems import field_error
from shared.tenancy.principal import Principal

log = logging.getLogger("billing.usage")
METER_QUEUE = "billing-meter"
PUSH_DELAY_SECONDS = 5  # after the minute's end: the usage's transactions have committed
BILLED_MESSAGE_STATUSES = ("sent", "delivered", "undelivered")
UNBILLED_MESSAGE_STATUSES = ("failed",)
DEFAULT_SERIES_DAYS = 30

_IS_MMS = "jsonb_array_length(coalesce(m.media_urls -> 'urls', '[]'::jsonb)) > 0"
# Each message by its primary key (OFFSET 0 keeps the planner from trading that for a scan
# of the workspace's messages, which row-level security and stale statistics invite).
_RECORD_MESSAGES = text(
    "INSERT INTO usage_records (tenant_id, kind, quantity, source_id)"
    " SELECT m.tenant_id,"
    f"  CASE WHEN {_IS_MMS} THEN 'mms_outbound_messages' ELSE 'sms_outbound_segments' END,"
    f"  CASE WHEN {_IS_MMS} THEN 1 ELSE greatest(m.segments, 1) END,"
    "  'message:' || m.id"
    " FROM unnest(CAST(string_to_array(:ids, ',') AS uuid[])) AS v(id) CROSS JOIN LATERAL ("
    "  SELECT id, tenant_id, segments, media_urls, direction, provider_sid FROM messages"
    "  WHERE messages.id = v.id OFFSET 0) AS m"
    " WHERE m.direction = 'outbound' AND m.provider_sid IS NOT NULL"
    " ON CONFLICT (tenant_id, kind, source_id) DO NOTHING"
)
# A message billed when the provider accepted it, then reported failed: cancel it out once.
_CORRECT_FAILED = text(
    "INSERT INTO usage_records (tenant_id, kind, quantity, source_id)"
    " SELECT u.tenant_id, u.kind, -u.quantity, u.source_id || :suffix"
    " FROM unnest(CAST(:sources AS text[])) AS v(source) CROSS JOIN LATERAL ("
    "  SELECT tenant_id, kind, quantity, source_id FROM usage_records"
    "  WHERE tenant_id = CAST(:tenant AS uuid)"
    "   AND kind IN ('sms_outbound_segments', 'mms_outbound_messages')"
    "   AND source_id = v.source OFFSET 0) AS u"
    " WHERE u.quantity > 0"
    " ON CONFLICT (tenant_id, kind, source_id) DO NOTHING"
)


def record_accepted_messages(
    s: Session, tenant_id: uuid.UUID, message_ids: Sequence[uuid.UUID]
) -> None:
    """The provider has these messages (inside the transaction that records that)."""
    if not message_ids:
        return
    s.execute(_RECORD_MESSAGES, {"ids": joined(message_ids)})
    request_push(tenant_id)


def record_message_outcomes(
    s: Session, tenant_id: uuid.UUID, moved: Iterable[tuple[uuid.UUID, str]]
) -> None:
    """Statuses that moved (inside the transaction that moved them): a billed status
    records the message if its send's own record never came (the sender died after the
    provider call); `failed` corrects a message billed at acceptance."""
    moved = list(moved)
    billed = [m for m, status in moved if status in BILLED_MESSAGE_STATUSES]
    failed = [f"message:{m}" for m, status in moved if status in UNBILLED_MESSAGE_STATUSES]
    if billed:
        record_accepted_messages(s, tenant_id, billed)
    if failed:
        s.execute(_CORRECT_FAILED, {"tenant": tenant_id, "sources": failed, "suffix": ":failed"})
        request_push(tenant_id)


# --- asking for a push -----------------------------------------------------------------

_requested: dict[uuid.UUID, int] = {}
_requested_lock = threading.Lock()


def request_push(tenant_id: uuid.UUID) -> None:
    """Ask for this workspace's meter push at the end of the current minute (one task per
    workspace and minute, deduplicated by name; at most one ask per minute per instance).
    A lost ask only delays billing: the hourly sweep pushes whatever is left."""
    if not billing_enabled():
        return
    minute = int(time.time() // 60)
    with _requested_lock:
        if _requested.get(tenant_id) == minute:
            return
        _requested[tenant_id] = minute
        if len(_requested) > 10_000:
            _requested.clear()
    at = datetime.fromtimestamp((minute + 1) * 60 + PUSH_DELAY_SECONDS, UTC)
    try:
        from shared.queue import schedule

        schedule(
            METER_QUEUE,
            {"tenant_id": str(tenant_id)},
            at=at,
            key=f"meter-{tenant_id}-{minute}",
        )
    except Exception:
        log.warning("could not ask for the meter push of %s", tenant_id, exc_info=True)


# --- totals and series -----------------------------------------------------------------


def meter_quantity(meter: Meter) -> ColumnClause[Any]:
    """SQL: a usage record's quantity in `meter` units (0 for other meters' kinds)."""
    cases = " ".join(
        f"WHEN '{kind}' THEN quantity * {weight}"
        for kind, (m, weight) in BILLED_KINDS.items()
        if m is meter
    )
    return literal_column(f"CASE kind {cases} ELSE 0 END", BigInteger)


def period_totals(s: Session, start: datetime, end: datetime) -> dict[str, int]:
    """Units of every meter used in [start, end) by the session's workspace."""
    columns = [func.coalesce(func.sum(meter_quantity(m)), 0) for m in (SEGMENTS, AI_TOKENS)]
    row = s.execute(
        select(*columns).where(
            UsageRecord.kind.in_(list(BILLED_KINDS)),
            UsageRecord.occurred_at >= start,
            UsageRecord.occurred_at < end,
        )
    ).one()
    return {SEGMENTS.key: int(row[0]), AI_TOKENS.key: int(row[1])}


def _midnight(day: date) -> datetime:
    return datetime.combine(day, clock(0), tzinfo=UTC)


def series(principal: Principal, query: schemas.UsageQuery) -> schemas.UsageSeriesOut:
    """A daily series (UTC) of segments and AI tokens, every day of the range present."""
    end = query.to or datetime.now(UTC).date()
    start = query.from_ or end - timedelta(days=DEFAULT_SERIES_DAYS)
    if start > end:
        raise field_error("query.from", "`from` must not be after `to`.")
    if (end - start).days > 366:
        raise field_error("query.from", "Ask for at most 366 days.")
    day = cast(func.timezone(literal_column("'UTC'"), UsageRecord.occurred_at), Date)
    with tenant_session(principal.tenant_id) as s:
        rows = s.execute(
            select(day.label("day"), UsageRecord.kind, func.sum(UsageRecord.quantity))
            .where(
                UsageRecord.tenant_id == principal.tenant_id,
                UsageRecord.kind.in_(list(BILLED_KINDS)),
                UsageRecord.occurred_at >= _midnight(start),
                UsageRecord.occurred_at < _midnight(end + timedelta(days=1)),
            )
            .group_by(day, UsageRecord.kind)
        ).all()
    days = {
        start + timedelta(days=i): schemas.UsageDayOut(day=start + timedelta(days=i))
        for i in range((end - start).days + 1)
    }
    totals = schemas.UsageDayOut(day=start)
    for row_day, kind, quantity in rows:
        for entry in (days[row_day], totals):
            _add(entry, kind, int(quantity))
    return schemas.UsageSeriesOut(start=start, end=end, totals=totals, days=list(days.values()))


def _add(entry: schemas.UsageDayOut, kind: str, quantity: int) -> None:
    if kind == "sms_outbound_segments":
        entry.sms_segments += quantity
        entry.segments += quantity
    elif kind == "mms_outbound_messages":
        entry.mms_messages += quantity
        entry.segments += quantity * MMS_SEGMENT_WEIGHT
    else:
        entry.ai_tokens += quantity
