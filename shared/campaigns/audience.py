"""The audience of a campaign: union of segments, tags and contacts, minus exclusions,
frozen at launch into `campaign_contacts` by one set-based statement."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    exists,
    false,
    func,
    insert,
    literal,
    not_,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.orm import Session

from shared.campaigns.models import CampaignContact
from shared.campaigns.schemas import Audience
from shared.contacts.models import Contact, ContactTag, Segment
from shared.contacts.segments import compile_filter, parse_filter
from shared.http.problems import field_error

E164 = r"^\+[1-9][0-9]{7,14}$"


def _segment_condition(s: Session, segment_ids: list[uuid.UUID], field: str) -> ColumnElement[bool]:
    conditions: list[ColumnElement[bool]] = []
    now = datetime.now(UTC)
    for segment_id in segment_ids:
        segment = s.get(Segment, segment_id)
        if segment is None:
            raise field_error(field, f"Unknown segment {segment_id}.")
        conditions.append(compile_filter(parse_filter(segment.filter), now))
    return or_(*conditions) if conditions else false()


def _tagged(tags: list[str]) -> ColumnElement[bool]:
    return exists().where(ContactTag.contact_id == Contact.id, ContactTag.tag.in_(tags))


def eligible(s: Session, audience: Audience) -> Select[uuid.UUID, str, datetime]:
    """One row per phone: sendable contacts in the audience (opted-out, erased, invalid out)."""
    include: list[ColumnElement[bool]] = []
    if audience.contact_ids:
        include.append(Contact.id.in_(audience.contact_ids))
    if audience.tags:
        include.append(_tagged(audience.tags))
    if audience.segment_ids:
        include.append(_segment_condition(s, audience.segment_ids, "body.audience.segment_ids"))
    where = [
        or_(*include) if include else false(),
        Contact.opted_out.is_(False),
        Contact.erased_at.is_(None),
        Contact.phone.regexp_match(E164),
    ]
    if audience.exclude_tags:
        where.append(not_(_tagged(audience.exclude_tags)))
    if audience.exclude_segment_ids:
        where.append(
            not_(
                _segment_condition(
                    s, audience.exclude_segment_ids, "body.audience.exclude_segment_ids"
                )
            )
        )
    return (
        select(Contact.id, Contact.phone, Contact.created_at)
        .where(and_(*where))
        .ext(distinct_on(Contact.phone))
        .order_by(Contact.phone, Contact.created_at)
    )


def count(s: Session, audience: Audience) -> int:
    return int(s.scalar(select(func.count()).select_from(eligible(s, audience).subquery())) or 0)


def freeze(s: Session, tenant_id: uuid.UUID, campaign_id: uuid.UUID, audience: Audience) -> int:
    """Insert the audience into campaign_contacts in one statement; returns its size."""
    rows = eligible(s, audience).subquery()
    numbered = select(
        literal(tenant_id).label("tenant_id"),
        literal(campaign_id).label("campaign_id"),
        rows.c.id,
        func.row_number().over(order_by=(rows.c.created_at, rows.c.id)).label("seq"),
        rows.c.phone,
        literal("pending").label("status"),
    )
    result = s.execute(
        insert(CampaignContact).from_select(
            ["tenant_id", "campaign_id", "contact_id", "seq", "phone", "status"], numbered
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
