"""Contacts, tags, consent (opt-out / opt-in), bulk actions and saved segments.

Every function runs in `tenant_session(principal.tenant_id)`: RLS backs each query here.

Erasure (`DELETE /v1/contacts/{id}`, bulk delete) blanks the personal data of a contact
(names, email, time zone, custom fields, tags, the bodies of its messages, its conversation
preview and qualification notes) and sets `erased_at`, but keeps the row with its phone
number and opt-out state: an opted-out number stays suppressed. An erased contact is hidden
(404, absent from lists and segments). Creating a contact with its number again *revives*
the same row with the new data; its opt-out state is kept, so a number that opted out stays
opted out until it opts in again.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Column,
    MetaData,
    Select,
    String,
    Table,
    column,
    delete,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    true,
    update,
    values,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.schema import CreateTable
from sqlalchemy.sql.elements import ColumnElement

from shared.ai.models import AiDraft
from shared.billing.limits import check_contacts
from shared.contacts import consent, schemas
from shared.contacts.models import ConsentEvent, Contact, ContactTag, Segment
from shared.contacts.phones import DEFAULT_REGION, InvalidPhone, normalize, valid_region
from shared.contacts.segments import compile_filter, parse_filter
from shared.conversations.models import Conversation, LeadQualification
from shared.db.session import tenant_session
from shared.http.pagination import PageQuery, keyset_page, page_of
from shared.http.problems import Problem, conflict, field_error, not_found
from shared.messaging.models import Message
from shared.tenancy.models import Tenant
from shared.tenancy.principal import Principal

_PHONEISH = re.compile(r"[\d\s+().-]+")


def _now() -> datetime:
    return datetime.now(UTC)


def _session(principal: Principal) -> Any:
    return tenant_session(principal.tenant_id, user_id=principal.user_id)


def workspace_region(s: Session, tenant_id: uuid.UUID) -> str:
    """The workspace's default region for numbers without a country code (`US`)."""
    tenant = s.get(Tenant, tenant_id)
    region = str((tenant.settings if tenant else {}).get("default_region") or DEFAULT_REGION)
    return region.upper() if valid_region(region) else DEFAULT_REGION


def _normalize(raw: str, region: str, field: str) -> tuple[str, str | None]:
    try:
        return normalize(raw, region)
    except InvalidPhone as exc:
        raise field_error(field, str(exc), "invalid_phone") from exc


def _visible(s: Session, contact_id: uuid.UUID, *, lock: bool = False) -> Contact:
    stmt = select(Contact).where(Contact.id == contact_id, Contact.erased_at.is_(None))
    if lock:
        stmt = stmt.with_for_update()
    contact = s.scalar(stmt)
    if contact is None:
        raise not_found("Contact")
    return contact


def _tags_of(s: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    if not ids:
        return {}
    rows = s.execute(
        select(ContactTag.contact_id, ContactTag.tag)
        .where(ContactTag.contact_id.in_(list(ids)))
        .order_by(ContactTag.contact_id, ContactTag.tag)
    )
    out: dict[uuid.UUID, list[str]] = {}
    for contact_id, tag in rows:
        out.setdefault(contact_id, []).append(tag)
    return out


def _out(contact: Contact, tags: list[str]) -> schemas.ContactOut:
    return schemas.ContactOut(
        id=contact.id,
        phone=contact.phone,
        first_name=contact.first_name,
        last_name=contact.last_name,
        email=contact.email,
        timezone=contact.timezone,
        fields=contact.fields or {},
        tags=tags,
        opted_out=contact.opted_out,
        opted_out_at=contact.opted_out_at,
        lead_stage=contact.lead_stage,
        last_message_at=contact.last_message_at,
        created_at=contact.created_at,
        updated_at=contact.updated_at,
    )


def _read(s: Session, contact: Contact) -> schemas.ContactOut:
    s.flush()
    s.refresh(contact)
    return _out(contact, _tags_of(s, [contact.id]).get(contact.id, []))


def _add_tags(s: Session, tenant_id: uuid.UUID, contact_id: uuid.UUID, tags: Iterable[str]) -> None:
    rows = [{"tenant_id": tenant_id, "contact_id": contact_id, "tag": t} for t in tags]
    if rows:
        s.execute(pg_insert(ContactTag).values(rows).on_conflict_do_nothing())


# --- contacts ---------------------------------------------------------------------------


def create_contact(principal: Principal, data: schemas.ContactIn) -> schemas.ContactOut:
    try:
        with _session(principal) as s:
            phone, zone = _normalize(
                data.phone, workspace_region(s, principal.tenant_id), "body.phone"
            )
            existing = s.scalar(select(Contact).where(Contact.phone == phone).with_for_update())
            if existing is not None and existing.erased_at is None:
                raise _duplicate(existing.id)
            check_contacts(s, principal.tenant_id)
            contact = existing or Contact(tenant_id=principal.tenant_id, phone=phone)
            contact.first_name = data.first_name
            contact.last_name = data.last_name
            contact.email = data.email
            contact.timezone = data.timezone or zone
            contact.fields = dict(data.fields)
            if existing is not None:  # revive an erased contact; its opt-out state stays
                contact.erased_at = None
                contact.created_at = _now()
            else:
                s.add(contact)
            s.flush()
            _add_tags(s, principal.tenant_id, contact.id, data.tags)
            return _read(s, contact)
    except IntegrityError as exc:  # a concurrent create of the same number won the race
        with _session(principal) as s:
            phone, _ = _normalize(
                data.phone, workspace_region(s, principal.tenant_id), "body.phone"
            )
            existing_id = s.scalar(select(Contact.id).where(Contact.phone == phone))
        if existing_id is None:
            raise
        raise _duplicate(existing_id) from exc


def _duplicate(existing_id: uuid.UUID) -> Problem:
    return conflict(
        "A contact with this phone number exists.",
        "duplicate-contact",
        existing_id=str(existing_id),
    )


def get_contact(principal: Principal, contact_id: uuid.UUID) -> schemas.ContactOut:
    with _session(principal) as s:
        contact = _visible(s, contact_id)
        return _out(contact, _tags_of(s, [contact.id]).get(contact.id, []))


def update_contact(
    principal: Principal, contact_id: uuid.UUID, data: schemas.ContactPatch
) -> schemas.ContactOut:
    sent = data.model_fields_set
    with _session(principal) as s:
        contact = _visible(s, contact_id, lock=True)
        zone: str | None = contact.timezone
        if data.phone is not None:
            region = workspace_region(s, principal.tenant_id)
            phone, zone = _normalize(data.phone, region, "body.phone")
            if phone != contact.phone:
                holder = s.scalar(select(Contact).where(Contact.phone == phone))
                if holder is not None and holder.erased_at is None:
                    raise _duplicate(holder.id)
                if holder is not None:
                    raise conflict(
                        "This number belongs to a deleted contact; create a contact with it "
                        "to restore that one.",
                        "duplicate-contact",
                    )
                contact.phone = phone
                if "timezone" not in sent:
                    contact.timezone = zone
        for name in ("first_name", "last_name", "email"):
            if name in sent:
                setattr(contact, name, getattr(data, name))
        if "timezone" in sent:
            contact.timezone = data.timezone or normalize(contact.phone, DEFAULT_REGION)[1]
        if data.fields is not None:
            merged = dict(contact.fields or {})
            for key, value in data.fields.items():
                if value is None:
                    merged.pop(key, None)
                else:
                    merged[key] = value
            if len(merged) > schemas.MAX_FIELDS:
                raise field_error("body.fields", f"At most {schemas.MAX_FIELDS} custom fields.")
            contact.fields = merged
        contact.updated_at = _now()
        try:
            return _read(s, contact)
        except IntegrityError as exc:
            raise conflict("A contact with this phone number exists.", "duplicate-contact") from exc


def delete_contact(principal: Principal, contact_id: uuid.UUID) -> None:
    with _session(principal) as s:
        _visible(s, contact_id, lock=True)
        erase(s, select(Contact.id).where(Contact.id == contact_id, Contact.erased_at.is_(None)))


# The targets of an erasure, fixed before anything changes (a segment over tags would
# otherwise stop matching once the tags are gone). A temp table: no RLS concern, gone at
# commit, and set-based for a million ids as for one.
_ERASING = Table(
    "erasing_contacts",
    MetaData(),
    Column("id", UUID(as_uuid=True), primary_key=True),
    prefixes=["TEMPORARY"],
    postgresql_on_commit="DROP",
)


def erase(s: Session, targets: Select[Any]) -> int:
    """Erase the personal data of the contacts `targets` selects (set-based); their count."""
    now = _now()
    s.execute(text("DROP TABLE IF EXISTS pg_temp.erasing_contacts"))
    s.execute(CreateTable(_ERASING))
    s.execute(insert(_ERASING).from_select(["id"], targets))
    ids = select(_ERASING.c.id)
    conversations = select(Conversation.id).where(Conversation.contact_id.in_(ids))
    s.execute(delete(ContactTag).where(ContactTag.contact_id.in_(ids)))
    s.execute(
        update(Message)
        .where(Message.contact_id.in_(ids))
        .values(body=None, media_urls=None)
        .execution_options(synchronize_session=False)
    )
    s.execute(delete(AiDraft).where(AiDraft.conversation_id.in_(conversations)))
    s.execute(
        update(LeadQualification)
        .where(LeadQualification.conversation_id.in_(conversations))
        .values(fields={}, note=None)
        .execution_options(synchronize_session=False)
    )
    s.execute(
        update(Conversation)
        .where(Conversation.contact_id.in_(ids))
        .values(last_message_preview=None, qualification={})
        .execution_options(synchronize_session=False)
    )
    result = s.execute(
        update(Contact)
        .where(Contact.id.in_(ids))
        .values(
            first_name=None,
            last_name=None,
            email=None,
            timezone=None,
            fields={},
            lead_stage="new",  # derived from the conversation that was just blanked
            erased_at=now,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def _search(q: str) -> ColumnElement[bool] | None:
    text = q.strip().lower()
    if not text:
        return None
    like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    full_name = func.coalesce(Contact.first_name, "") + " " + func.coalesce(Contact.last_name, "")
    conditions: list[ColumnElement[bool]] = [
        func.lower(full_name).like(like, escape="\\"),
        Contact.email.like(like, escape="\\"),
        Contact.phone.like(like, escape="\\"),
    ]
    digits = re.sub(r"\D", "", text)
    if len(digits) >= 3 and _PHONEISH.fullmatch(text) and digits != text:
        conditions.append(Contact.phone.like(f"%{digits}%"))
    return or_(*conditions)


def _segment_condition(s: Session, segment_id: uuid.UUID, now: datetime) -> ColumnElement[bool]:
    segment = s.get(Segment, segment_id)
    if segment is None:
        raise not_found("Segment")
    return compile_filter(parse_filter(segment.filter, "segment.filter"), now)


def _page(
    s: Session, stmt: Select[Any], query: PageQuery
) -> tuple[list[schemas.ContactOut], str | None]:
    rows = list(s.scalars(keyset_page(stmt, Contact.created_at, Contact.id, query)))
    page, cursor = page_of(rows, query, "created_at")
    tags = _tags_of(s, [c.id for c in page])
    return [_out(c, tags.get(c.id, [])) for c in page], cursor


def _live(tenant_id: uuid.UUID) -> Select[Any]:
    return select(Contact).where(Contact.tenant_id == tenant_id, Contact.erased_at.is_(None))


def list_contacts(principal: Principal, query: schemas.ContactQuery) -> schemas.ContactPage:
    with _session(principal) as s:
        stmt = _live(principal.tenant_id)
        if query.q and (search := _search(query.q)) is not None:
            stmt = stmt.where(search)
        if query.tag:
            stmt = stmt.where(
                exists().where(ContactTag.contact_id == Contact.id, ContactTag.tag == query.tag)
            )
        if query.segment_id:
            stmt = stmt.where(_segment_condition(s, query.segment_id, _now()))
        if query.opted_out is not None:
            stmt = stmt.where(Contact.opted_out == query.opted_out)
        if query.created_after:
            stmt = stmt.where(Contact.created_at > query.created_after)
        data, cursor = _page(s, stmt, query)
        return schemas.ContactPage(data=data, next_cursor=cursor)


# --- consent ----------------------------------------------------------------------------


def set_opt_out(
    principal: Principal, contact_id: uuid.UUID, opted_out: bool, reason: str | None
) -> schemas.ContactOut:
    """Opt out or back in; a change is recorded as a consent event (source `api`)."""
    with _session(principal) as s:
        contact = _visible(s, contact_id, lock=True)
        if contact.opted_out != opted_out:
            now = _now()
            contact.opted_out = opted_out
            contact.opted_out_at = now if opted_out else None
            contact.updated_at = now
            s.add(
                ConsentEvent(
                    tenant_id=principal.tenant_id,
                    contact_id=contact.id,
                    phone=contact.phone,
                    kind="opt_out" if opted_out else "opt_in",
                    source="api",
                    reason=reason,
                )
            )
            _announce_consent(s, principal.tenant_id, contact.id, opted_out)
        return _read(s, contact)


def consent_events(
    principal: Principal, contact_id: uuid.UUID, query: PageQuery
) -> schemas.ConsentEventPage:
    """A contact's opt-outs and opt-ins, newest first, with their source."""
    with _session(principal) as s:
        _visible(s, contact_id)
        return consent.page(s, query, contact_id)


def _announce_consent(
    s: Session, tenant_id: uuid.UUID, contact_id: uuid.UUID, opted_out: bool
) -> None:
    from shared.messaging.events import ContactOptedIn, ContactOptedOut
    from shared.queue import publish_on_commit

    if opted_out:
        event = ContactOptedOut(tenant_id=tenant_id, contact_id=contact_id, source="api")
        publish_on_commit(s, "contact.opted_out", event)
    else:
        event_in = ContactOptedIn(tenant_id=tenant_id, contact_id=contact_id, source="api")
        publish_on_commit(s, "contact.opted_in", event_in)


# --- tags -------------------------------------------------------------------------------


def add_tags(principal: Principal, contact_id: uuid.UUID, tags: list[str]) -> schemas.ContactOut:
    with _session(principal) as s:
        contact = _visible(s, contact_id)
        _add_tags(s, principal.tenant_id, contact.id, tags)
        return _read(s, contact)


def remove_tag(principal: Principal, contact_id: uuid.UUID, normalized: str) -> None:
    with _session(principal) as s:
        contact = _visible(s, contact_id)
        s.execute(
            delete(ContactTag).where(
                ContactTag.contact_id == contact.id, ContactTag.tag == normalized
            )
        )


def list_tags(principal: Principal) -> schemas.TagList:
    with _session(principal) as s:
        rows = s.execute(
            select(ContactTag.tag, func.count())
            .where(ContactTag.tenant_id == principal.tenant_id)
            .group_by(ContactTag.tag)
            .order_by(ContactTag.tag)
        )
        return schemas.TagList(data=[schemas.TagOut(tag=t, contacts=n) for t, n in rows])


def bulk(principal: Principal, data: schemas.BulkIn) -> schemas.BulkOut:
    with _session(principal) as s:
        if data.segment_id is not None:
            segment = s.get(Segment, data.segment_id)
            if segment is None:
                raise field_error("body.segment_id", "No such segment.", "not_found")
            where = compile_filter(parse_filter(segment.filter, "segment.filter"), _now())
        else:
            where = Contact.id.in_(list(dict.fromkeys(data.contact_ids or [])))
        target = select(Contact.id).where(
            Contact.tenant_id == principal.tenant_id, Contact.erased_at.is_(None), where
        )
        matched = int(s.scalar(select(func.count()).select_from(target.subquery())) or 0)
        out = schemas.BulkOut(matched=matched, tags_added=0, tags_removed=0, deleted=0)
        if data.delete:
            out.deleted = erase(s, target)
            return out
        if data.remove_tags:
            removed = s.execute(
                delete(ContactTag).where(
                    ContactTag.contact_id.in_(target), ContactTag.tag.in_(data.remove_tags)
                )
            )
            out.tags_removed = int(removed.rowcount)
        if data.add_tags:
            tags = values(column("tag", String), name="new_tags").data(
                [(t,) for t in data.add_tags]
            )
            targets = target.subquery()
            added = s.execute(
                pg_insert(ContactTag)
                .from_select(
                    ["tenant_id", "contact_id", "tag"],
                    select(
                        literal(principal.tenant_id, ContactTag.tenant_id.type),
                        targets.c.id,
                        tags.c.tag,
                    ).select_from(targets.join(tags, true())),
                )
                .on_conflict_do_nothing()
            )
            out.tags_added = int(added.rowcount)
        return out


# --- segments ---------------------------------------------------------------------------


def _segment(s: Session, segment_id: uuid.UUID) -> Segment:
    segment = s.get(Segment, segment_id)
    if segment is None:
        raise not_found("Segment")
    return segment


def list_segments(principal: Principal, query: PageQuery) -> schemas.SegmentPage:
    with _session(principal) as s:
        stmt = keyset_page(
            select(Segment).where(Segment.tenant_id == principal.tenant_id),
            Segment.created_at,
            Segment.id,
            query,
        )
        rows, cursor = page_of(list(s.scalars(stmt)), query, "created_at")
        return schemas.SegmentPage(
            data=[schemas.SegmentOut.model_validate(r) for r in rows], next_cursor=cursor
        )


def create_segment(principal: Principal, data: schemas.SegmentIn) -> schemas.SegmentOut:
    tree = parse_filter(data.filter)
    with _session(principal) as s:
        segment = Segment(
            tenant_id=principal.tenant_id,
            name=data.name,
            description=data.description,
            filter=tree.to_json(),
        )
        s.add(segment)
        s.flush()
        s.refresh(segment)
        return schemas.SegmentOut.model_validate(segment)


def get_segment(principal: Principal, segment_id: uuid.UUID) -> schemas.SegmentOut:
    with _session(principal) as s:
        return schemas.SegmentOut.model_validate(_segment(s, segment_id))


def update_segment(
    principal: Principal, segment_id: uuid.UUID, data: schemas.SegmentPatch
) -> schemas.SegmentOut:
    tree = parse_filter(data.filter) if data.filter is not None else None
    with _session(principal) as s:
        segment = _segment(s, segment_id)
        if data.name is not None:
            segment.name = data.name
        if "description" in data.model_fields_set:
            segment.description = data.description
        if tree is not None:
            segment.filter = tree.to_json()
        segment.updated_at = _now()
        s.flush()
        s.refresh(segment)
        return schemas.SegmentOut.model_validate(segment)


def delete_segment(principal: Principal, segment_id: uuid.UUID) -> None:
    with _session(principal) as s:
        s.delete(_segment(s, segment_id))


def segment_contacts(
    principal: Principal, segment_id: uuid.UUID, query: PageQuery
) -> schemas.ContactPage:
    with _session(principal) as s:
        where = _segment_condition(s, segment_id, _now())
        data, cursor = _page(s, _live(principal.tenant_id).where(where), query)
        return schemas.ContactPage(data=data, next_cursor=cursor)


def segment_count(principal: Principal, segment_id: uuid.UUID) -> schemas.SegmentCount:
    with _session(principal) as s:
        return _count(s, principal, _segment_condition(s, segment_id, _now()))


def filter_count(principal: Principal, data: schemas.FilterCountIn) -> schemas.SegmentCount:
    """The live count of a segment being built (the same query as a saved one's)."""
    tree = parse_filter(data.filter)
    with _session(principal) as s:
        return _count(s, principal, compile_filter(tree, _now()))


def _count(s: Session, principal: Principal, where: ColumnElement[bool]) -> schemas.SegmentCount:
    # Room for the hash of a tag or conversation join over a million rows in memory.
    s.execute(text("SET LOCAL work_mem = '64MB'"))
    count = s.scalar(
        select(func.count())
        .select_from(Contact)
        .where(Contact.tenant_id == principal.tenant_id, Contact.erased_at.is_(None), where)
    )
    return schemas.SegmentCount(count=int(count or 0))
