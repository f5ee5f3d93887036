"""The inbox: conversations (one per contact), their messages, state, unread and replies.

Threading is done by the send path and the inbound webhook (`sending.conversation_for`):
every message to or from a contact carries its conversation. Here the inbox reads and
changes conversations, always in `tenant_session(tenant, user_id=...)`, so RLS backs each
query.

Unread is per user: a conversation is unread for a user when its last inbound message is
newer than that user's `conversation_reads.last_read_at` (or they never read it). An API key
has no user: for it a conversation is unread when no member of the workspace has read it
since its last inbound message (the integration's view of "nobody has seen this yet").
`assignee=me` and `POST .../read` answer 422 for an API key, and its counts show `mine`
as null.

Every state change (PATCH, read, the snoozer reopening) publishes `conversation.updated`
after its commit.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Select,
    Subquery,
    Uuid,
    and_,
    delete,
    func,
    literal,
    literal_column,
    or_,
    select,
    tuple_,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.contacts.models import Contact
from shared.conversations import schemas
from shared.conversations.events import ConversationUpdated
from shared.conversations.models import Conversation, ConversationRead, LeadQualification
from shared.db.session import tenant_session
from shared.http.pagination import decode_cursor, encode_cursor
from shared.http.problems import Problem, conflict, field_error, not_found, validation_failed
from shared.messaging import delivery, sending
from shared.messaging.models import BODY_TSVECTOR, Message
from shared.messaging.schemas import MessageOut
from shared.templates.render import render
from shared.templates.segments import analyze, smart_encode
from shared.templates.service import contact_context, version_body
from shared.tenancy.models import Membership, Tenant
from shared.tenancy.principal import Principal

SNOOZE_QUEUE = "snoozes"
# Cloud Tasks schedules at most 30 days ahead: longer snoozes hop (the task re-schedules).
SNOOZE_HOP = timedelta(days=7)
EARLY_TOLERANCE = timedelta(seconds=1)
MAX_SEARCH_WORDS = 8
_WORD = re.compile(r"\w+")
_PHONEISH = re.compile(r"[\d\s+().-]+")

_Stmt = TypeVar("_Stmt", bound=Select[*tuple[Any, ...]])

# Where a message sits in its thread: when it came in or was queued. `created_at` alone
# ties inside one transaction (an inbound STOP and its confirmation), this does not.
THREAD_AT = func.coalesce(Message.received_at, Message.queued_at, Message.created_at)


def now() -> datetime:
    return datetime.now(UTC)


def _session(principal: Principal) -> Any:
    return tenant_session(principal.tenant_id, user_id=principal.user_id)


def _user_required(field: str, detail: str) -> Problem:
    return validation_failed([{"field": field, "message": detail, "code": "user_required"}])


# --- reading ----------------------------------------------------------------------------


def _reads(user_id: uuid.UUID | None) -> Subquery:
    """How far the caller read each conversation: a user's own marker; for an API key (no
    user), the latest read by any member of the workspace."""
    if user_id is not None:
        return (
            select(ConversationRead.conversation_id, ConversationRead.last_read_at)
            .where(ConversationRead.user_id == user_id)
            .subquery("reads")
        )
    return (
        select(
            ConversationRead.conversation_id,
            func.max(ConversationRead.last_read_at).label("last_read_at"),
        )
        .join(
            Membership,
            and_(
                Membership.user_id == ConversationRead.user_id,
                Membership.tenant_id == ConversationRead.tenant_id,
            ),
        )
        .group_by(ConversationRead.conversation_id)
        .subquery("reads")
    )


def _unread(reads: Subquery) -> ColumnElement[bool]:
    return and_(
        Conversation.last_inbound_at.is_not(None),
        or_(
            reads.c.last_read_at.is_(None),
            Conversation.last_inbound_at > reads.c.last_read_at,
        ),
    )


def _position(at: datetime, row_id: uuid.UUID) -> Any:
    """A (time, id) keyset position as a SQL row value."""
    return tuple_(literal(at, DateTime(timezone=True)), literal(row_id, Uuid()))


def _with_reads(stmt: _Stmt, reads: Subquery) -> _Stmt:
    """Outer-join the caller's read markers (`_reads`)."""
    return stmt.outerjoin(reads, reads.c.conversation_id == Conversation.id)


def _base(reads: Subquery) -> Select[Conversation, Contact, datetime | None]:
    stmt = select(Conversation, Contact, reads.c.last_read_at).join(
        Contact, Contact.id == Conversation.contact_id
    )
    return _with_reads(stmt, reads)


def _out(
    conversation: Conversation,
    contact: Contact,
    last_read_at: datetime | None,
) -> schemas.ConversationOut:
    inbound = conversation.last_inbound_at
    unread = inbound is not None and (last_read_at is None or inbound > last_read_at)
    return schemas.ConversationOut(
        id=conversation.id,
        contact=schemas.ConversationContact(
            id=contact.id,
            phone=contact.phone,
            first_name=contact.first_name,
            last_name=contact.last_name,
            opted_out=contact.opted_out,
            erased=contact.erased_at is not None,
        ),
        number_id=conversation.number_id,
        status=conversation.status,
        assignee_id=conversation.assignee_id,
        snoozed_until=conversation.snoozed_until,
        ai_mode=conversation.ai_mode,
        needs_human=conversation.needs_human,
        needs_human_reason=conversation.needs_human_reason if conversation.needs_human else None,
        lead_stage=conversation.lead_stage,
        last_campaign_id=conversation.last_campaign_id,
        last_message_at=conversation.last_message_at,
        last_inbound_at=conversation.last_inbound_at,
        last_message_preview=conversation.last_message_preview,
        unread=unread,
        last_read_at=last_read_at,
        created_at=conversation.created_at,
        updated_at=conversation.updated_at,
    )


def _load(
    s: Session, conversation_id: uuid.UUID, user_id: uuid.UUID | None
) -> schemas.ConversationOut:
    row = s.execute(_base(_reads(user_id)).where(Conversation.id == conversation_id)).first()
    if row is None:
        raise not_found("Conversation")
    return _out(row[0], row[1], row[2])


def get(principal: Principal, conversation_id: uuid.UUID) -> schemas.ConversationOut:
    with _session(principal) as s:
        return _load(s, conversation_id, principal.user_id)


def _search(q: str) -> ColumnElement[bool]:
    """Every word of `q` as a prefix, over message bodies (GIN-indexed) and contact names;
    or, for a phone-like `q`, its digits inside the contact's number."""
    words = _WORD.findall(q)[:MAX_SEARCH_WORDS]
    digits = re.sub(r"\D", "", q)
    matches: list[ColumnElement[bool]] = []
    if words:
        # Words are \w+ only, so none of tsquery's operators can reach to_tsquery.
        tsquery = func.to_tsquery(
            literal_column("'simple'::regconfig"), " & ".join(f"{w}:*" for w in words)
        )
        in_bodies = select(Message.conversation_id).where(
            literal_column(BODY_TSVECTOR).op("@@")(tsquery)
        )
        names = func.to_tsvector(
            literal_column("'simple'::regconfig"),
            func.concat_ws(" ", Contact.first_name, Contact.last_name),
        )
        matches += [Conversation.id.in_(in_bodies), names.op("@@")(tsquery)]
    if len(digits) >= 3 and _PHONEISH.fullmatch(q.strip()):
        matches.append(Contact.phone.contains(digits, autoescape=True))
    if not matches:
        raise field_error("query.q", "Search for at least one letter or digit.")
    return or_(*matches)


def _has_inbound(wanted: bool) -> ColumnElement[bool]:
    """With (or without) an inbound message: `last_inbound_at` is set by the first one."""
    column = Conversation.last_inbound_at
    return column.is_not(None) if wanted else column.is_(None)


def list_conversations(
    principal: Principal, query: schemas.ConversationQuery
) -> schemas.ConversationList:
    """Newest activity first (conversations with at least one message), cursor paged."""
    user_id = principal.user_id
    reads = _reads(user_id)
    stmt = _base(reads).where(Conversation.last_message_at.is_not(None))
    if query.status:
        stmt = stmt.where(Conversation.status == query.status)
    if query.assignee == "me":
        if user_id is None:
            raise _user_required("query.assignee", "An API key has no user; give a user id.")
        stmt = stmt.where(Conversation.assignee_id == user_id)
    elif query.assignee == "none":
        stmt = stmt.where(Conversation.assignee_id.is_(None))
    elif isinstance(query.assignee, uuid.UUID):
        stmt = stmt.where(Conversation.assignee_id == query.assignee)
    if query.unread is not None:
        stmt = stmt.where(_unread(reads) if query.unread else ~_unread(reads))
    if query.campaign_id:
        touched = select(Message.conversation_id).where(Message.campaign_id == query.campaign_id)
        stmt = stmt.where(Conversation.id.in_(touched))
    if query.lead_stage:
        stmt = stmt.where(Conversation.lead_stage == query.lead_stage)
    if query.has_inbound is not None:
        stmt = stmt.where(_has_inbound(query.has_inbound))
    if query.q:
        stmt = stmt.where(_search(query.q))
    if query.cursor:
        at, last_id = decode_cursor(query.cursor)
        position = tuple_(Conversation.last_message_at, Conversation.id)
        stmt = stmt.where(position < _position(at, last_id))
    stmt = stmt.order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
    with _session(principal) as s:
        rows = s.execute(stmt.limit(query.limit + 1)).all()
    page = rows[: query.limit]
    cursor = None
    if len(rows) > query.limit:
        last = page[-1][0]
        cursor = encode_cursor(last.last_message_at, last.id)
    return schemas.ConversationList(
        data=[_out(row[0], row[1], row[2]) for row in page], next_cursor=cursor
    )


def counts(
    principal: Principal, query: schemas.CountsQuery | None = None
) -> schemas.ConversationCounts:
    """One aggregate over the workspace's conversations: over open ones all, unread by the
    caller (for an API key: by every member), assigned to them, unassigned, per lead stage;
    and the snoozed and closed totals."""
    user_id = principal.user_id
    per_user = user_id is not None
    nobody: ColumnElement[bool] = literal_column("false")
    reads = _reads(user_id)
    is_open = Conversation.status == "open"
    stmt = _with_reads(
        select(
            Conversation.lead_stage,
            func.count().filter(is_open),
            func.count().filter(is_open, _unread(reads)),
            func.count().filter(
                is_open, Conversation.assignee_id == user_id if per_user else nobody
            ),
            func.count().filter(is_open, Conversation.assignee_id.is_(None)),
            func.count().filter(Conversation.status == "snoozed"),
            func.count().filter(Conversation.status == "closed"),
        ).select_from(Conversation),
        reads,
    ).group_by(Conversation.lead_stage)
    if query is not None and query.has_inbound is not None:
        stmt = stmt.where(_has_inbound(query.has_inbound))
    totals = [0, 0, 0, 0, 0, 0]
    by_stage: dict[str, int] = {}
    with _session(principal) as s:
        for stage, *numbers in s.execute(stmt).all():
            totals = [a + b for a, b in zip(totals, numbers, strict=True)]
            if numbers[0]:
                by_stage[stage] = numbers[0]
    total, unread, mine, unassigned, snoozed, closed = totals
    return schemas.ConversationCounts(
        open=total,
        unread=unread,
        mine=mine if per_user else None,
        unassigned=unassigned,
        snoozed=snoozed,
        closed=closed,
        by_lead_stage=by_stage,
    )


# --- live updates -------------------------------------------------------------------------

# `updated_at` is the time its transaction started (now()), so a transaction that commits
# late carries an older time than one that committed before it: every poll looks back this
# far behind its cursor. The inbox's writers (webhooks, replies, state changes, the AI
# worker) hold their transactions for milliseconds.
CHANGES_OVERLAP = timedelta(seconds=30)
MAX_CHANGES = 100


def changes(principal: Principal, query: schemas.ChangesQuery) -> schemas.ChangesOut:
    """What changed since a cursor: one range scan of `ix_conversations_changes`
    (tenant_id, updated_at), bounded by MAX_CHANGES rows. Without `since`: the cursor only
    (the newest change), for a client to start from."""
    tenant_id = principal.tenant_id
    stmt = select(Conversation.id, Conversation.updated_at).where(
        Conversation.tenant_id == tenant_id
    )
    since: tuple[datetime, uuid.UUID] | None = None
    if query.since:
        since = _thread_cursor(query.since, "query.since")
        stmt = stmt.where(Conversation.updated_at > since[0] - CHANGES_OVERLAP)
    stmt = stmt.order_by(Conversation.updated_at.desc(), Conversation.id.desc())
    with _session(principal) as s:
        rows = s.execute(stmt.limit(1 if since is None else MAX_CHANGES + 1)).all()
    if since is None:
        cursor = (
            encode_cursor(rows[0][1], rows[0][0])
            if rows
            else encode_cursor(datetime(1970, 1, 1, tzinfo=UTC), uuid.UUID(int=0))
        )
        return schemas.ChangesOut(cursor=cursor, changed=[], truncated=False)
    page = rows[:MAX_CHANGES]
    newest = max([since, *((at, row_id) for row_id, at in page)])
    return schemas.ChangesOut(
        cursor=encode_cursor(*newest),
        changed=[schemas.ChangedConversation(id=row_id, updated_at=at) for row_id, at in page],
        truncated=len(rows) > MAX_CHANGES,
    )


# --- the thread -------------------------------------------------------------------------


def _thread_cursor(raw: str, field: str) -> tuple[datetime, uuid.UUID]:
    try:
        return decode_cursor(raw)
    except Problem:
        raise field_error(field, "Malformed cursor.") from None


def thread(
    principal: Principal, conversation_id: uuid.UUID, query: schemas.ThreadQuery
) -> schemas.ThreadPage:
    """One page of the conversation's messages in chronological order (see ThreadPage)."""
    key = tuple_(THREAD_AT, Message.id)
    stmt = select(Message, THREAD_AT).where(Message.conversation_id == conversation_id)
    if query.after:
        stmt = stmt.where(key > _position(*_thread_cursor(query.after, "query.after")))
        stmt = stmt.order_by(THREAD_AT.asc(), Message.id.asc())
    else:
        if query.before:
            stmt = stmt.where(key < _position(*_thread_cursor(query.before, "query.before")))
        stmt = stmt.order_by(THREAD_AT.desc(), Message.id.desc())
    with _session(principal) as s:
        if s.get(Conversation, conversation_id) is None:
            raise not_found("Conversation")
        rows = s.execute(stmt.limit(query.limit + 1)).all()
        more = len(rows) > query.limit
        page = rows[: query.limit]
        if not query.after:
            page.reverse()
        data = [MessageOut.model_validate(row[0]) for row in page]
    first = encode_cursor(page[0][1], page[0][0].id) if page else None
    last = encode_cursor(page[-1][1], page[-1][0].id) if page else None
    return schemas.ThreadPage(
        data=data,
        before_cursor=first or query.before,
        after_cursor=last or query.after,
        has_older=more if not query.after else True,
        has_newer=more if query.after else bool(query.before),
    )


# --- state --------------------------------------------------------------------------------


def _publish(tenant_id: uuid.UUID, conversation_id: uuid.UUID, changes: list[str]) -> None:
    from shared.queue import publish

    if changes:
        publish(
            "conversation.updated",
            ConversationUpdated(
                tenant_id=tenant_id, conversation_id=conversation_id, changes=changes
            ),
        )


def _schedule_wake(tenant_id: uuid.UUID, conversation_id: uuid.UUID, until: datetime) -> None:
    """One task at `until` (or a hop towards it); the key makes a repeated PATCH a no-op."""
    from shared.queue import schedule

    at = min(until, now() + SNOOZE_HOP)
    schedule(
        SNOOZE_QUEUE,
        {
            "tenant_id": str(tenant_id),
            "conversation_id": str(conversation_id),
            "until": until.isoformat(),
        },
        at=at,
        key=f"snooze-{conversation_id}-{int(until.timestamp() * 1e6)}-{int(at.timestamp())}",
    )


def _mark_read(
    s: Session, tenant_id: uuid.UUID, conversation_id: uuid.UUID, user: uuid.UUID
) -> None:
    stmt = insert(ConversationRead).values(
        tenant_id=tenant_id, conversation_id=conversation_id, user_id=user, last_read_at=now()
    )
    s.execute(
        stmt.on_conflict_do_update(
            index_elements=["conversation_id", "user_id"],
            set_={
                "last_read_at": func.greatest(
                    ConversationRead.last_read_at, stmt.excluded.last_read_at
                )
            },
        )
    )


def _apply(
    s: Session, tenant_id: uuid.UUID, conversation: Conversation, patch: schemas.ConversationPatch
) -> list[str]:
    """Set what the patch changes; returns the names of the fields that changed."""
    given = patch.model_fields_set
    values: dict[str, Any] = {}
    if "assignee_id" in given:
        if patch.assignee_id is not None and not s.scalar(
            select(Membership.user_id).where(
                Membership.tenant_id == tenant_id, Membership.user_id == patch.assignee_id
            )
        ):
            raise field_error("body.assignee_id", "Not a member of this workspace.")
        values["assignee_id"] = patch.assignee_id
    if patch.snoozed_until is not None:
        values["status"] = "snoozed"
        values["snoozed_until"] = patch.snoozed_until
    elif patch.status is not None:
        values["status"] = patch.status
        values["snoozed_until"] = None
    if patch.ai_mode is not None:
        values["ai_mode"] = patch.ai_mode
    changes = [name for name, value in values.items() if getattr(conversation, name) != value]
    for name in changes:
        setattr(conversation, name, values[name])
    return changes


def update(
    principal: Principal, conversation_id: uuid.UUID, patch: schemas.ConversationPatch
) -> schemas.ConversationOut:
    tenant_id = principal.tenant_id
    with _session(principal) as s:
        conversation = s.get(Conversation, conversation_id, with_for_update=True)
        if conversation is None:
            raise not_found("Conversation")
        changes = _apply(s, tenant_id, conversation, patch)
        snoozed_until = conversation.snoozed_until if "snoozed_until" in changes else None
        s.flush()
        result = _load(s, conversation_id, principal.user_id)
    if snoozed_until is not None:
        _schedule_wake(tenant_id, conversation_id, snoozed_until)
    _publish(tenant_id, conversation_id, changes)
    return result


def mark_read(principal: Principal, conversation_id: uuid.UUID) -> schemas.ConversationOut:
    user_id = principal.user_id
    if user_id is None:
        raise Problem(
            422,
            "user-required",
            "User required",
            "Read markers are per user; an API key has no user.",
        )
    with _session(principal) as s:
        if s.get(Conversation, conversation_id) is None:
            raise not_found("Conversation")
        _mark_read(s, principal.tenant_id, conversation_id, user_id)
        result = _load(s, conversation_id, user_id)
    _publish(principal.tenant_id, conversation_id, ["read"])
    return result


def mark_unread(principal: Principal, conversation_id: uuid.UUID) -> schemas.ConversationOut:
    """Forget the caller's read marker: the conversation is unread again for them if it
    has an inbound message."""
    user_id = principal.user_id
    if user_id is None:
        raise Problem(
            422,
            "user-required",
            "User required",
            "Read markers are per user; an API key has no user.",
        )
    with _session(principal) as s:
        if s.get(Conversation, conversation_id) is None:
            raise not_found("Conversation")
        s.execute(
            delete(ConversationRead).where(
                ConversationRead.conversation_id == conversation_id,
                ConversationRead.user_id == user_id,
            )
        )
        result = _load(s, conversation_id, user_id)
    _publish(principal.tenant_id, conversation_id, ["read"])
    return result


def wake(tenant_id: uuid.UUID, conversation_id: uuid.UUID, until: datetime) -> str:
    """The snooze task: reopen only if still snoozed until this same time (a later PATCH
    or a reply wins); a hop that arrives before the time re-schedules itself."""
    with tenant_session(tenant_id) as s:
        conversation = s.get(Conversation, conversation_id, with_for_update=True)
        if conversation is None or conversation.status != "snoozed":
            return "stale"
        if conversation.snoozed_until != until:
            return "stale"
        if until > now() + EARLY_TOLERANCE:
            outcome = "rescheduled"
        else:
            conversation.status = "open"
            conversation.snoozed_until = None
            outcome = "reopened"
    if outcome == "rescheduled":
        _schedule_wake(tenant_id, conversation_id, until)
    else:
        _publish(tenant_id, conversation_id, ["status", "snoozed_until"])
    return outcome


# --- the lead ---------------------------------------------------------------------------

MAX_LEAD_HISTORY = 50


def _lead_out(s: Session, conversation: Conversation) -> schemas.LeadOut:
    rows = s.scalars(
        select(LeadQualification)
        .where(LeadQualification.conversation_id == conversation.id)
        .order_by(LeadQualification.created_at.desc(), LeadQualification.id.desc())
        .limit(MAX_LEAD_HISTORY)
    ).all()
    return schemas.LeadOut(
        stage=conversation.lead_stage,
        fields=dict(conversation.qualification or {}),
        history=[
            schemas.LeadEntry(
                stage=row.stage,
                fields=dict(row.fields or {}),
                confidence=row.confidence,
                handoff=row.handoff,
                source=row.source,
                note=row.note,
                created_at=row.created_at,
            )
            for row in rows
        ],
    )


def lead(principal: Principal, conversation_id: uuid.UUID) -> schemas.LeadOut:
    with _session(principal) as s:
        conversation = s.get(Conversation, conversation_id)
        if conversation is None:
            raise not_found("Conversation")
        return _lead_out(s, conversation)


def set_lead(
    principal: Principal, conversation_id: uuid.UUID, data: schemas.LeadIn
) -> schemas.LeadOut:
    """The agent's stage and fields, on the conversation and its contact, with history."""
    from shared.conversations.events import LeadQualified
    from shared.queue import publish_on_commit

    with _session(principal) as s:
        conversation = s.get(Conversation, conversation_id, with_for_update=True)
        if conversation is None:
            raise not_found("Conversation")
        contact = s.get_one(Contact, conversation.contact_id)
        if data.stage == "qualified" and conversation.lead_stage != "qualified":
            publish_on_commit(
                s,
                "lead.qualified",
                LeadQualified(
                    tenant_id=principal.tenant_id,
                    conversation_id=conversation.id,
                    contact_id=contact.id,
                ),
            )
        fields = {**(conversation.qualification or {}), **data.fields}
        conversation.qualification = {k: v for k, v in fields.items() if v is not None}
        conversation.lead_stage = contact.lead_stage = data.stage
        s.add(
            LeadQualification(
                tenant_id=principal.tenant_id,
                conversation_id=conversation.id,
                stage=data.stage,
                fields=dict(data.fields),
                confidence=None,
                handoff=data.stage == "handoff",
                source="agent",
                note=data.note,
            )
        )
        s.flush()
        result = _lead_out(s, conversation)
    _publish(principal.tenant_id, conversation_id, ["lead_stage"])
    return result


# --- replies ------------------------------------------------------------------------------


def _existing_reply(
    s: Session, conversation_id: uuid.UUID, key: str
) -> tuple[MessageOut, bool] | None:
    message = s.scalar(select(Message).where(Message.idempotency_key == key))
    if message is None:
        return None
    if message.conversation_id != conversation_id:
        raise conflict(
            "This Idempotency-Key was used for another message.", "idempotency-key-reused"
        )
    return MessageOut.model_validate(message), False


def reply(
    principal: Principal,
    conversation_id: uuid.UUID,
    data: schemas.ReplyIn,
    idempotency_key: str | None = None,
) -> tuple[MessageOut, bool]:
    """Send in the thread through the single-send path, with reply priority, from the
    thread's number. Refused (409) for an opted-out or erased contact. Replying marks the
    thread read for the agent and resets the AI's consecutive-reply count."""
    tenant_id = principal.tenant_id
    with _session(principal) as s:
        conversation = s.get(Conversation, conversation_id, with_for_update=True)
        if conversation is None:
            raise not_found("Conversation")
        if idempotency_key:
            existing = _existing_reply(s, conversation_id, idempotency_key)
            if existing is not None:
                return existing
        contact = s.get_one(Contact, conversation.contact_id)
        if contact.opted_out:
            raise conflict(
                "This contact has opted out; nothing was sent.",
                "contact-opted-out",
                contact_id=str(contact.id),
            )
        if contact.erased_at is not None:
            raise conflict("This contact was erased; nothing was sent.", "contact-erased")
        text = data.body or ""
        if data.template_id is not None:
            _, body = version_body(s, data.template_id, data.template_version)
            text = render(body, contact_context(contact, s.get_one(Tenant, tenant_id)))
            if not text.strip():
                raise field_error("body.template_id", "The template renders an empty message.")
        number = sending.choose_sender(s, conversation)
        try:
            with s.begin_nested():
                message = sending.new_outbound(
                    s,
                    tenant_id,
                    contact,
                    conversation,
                    number,
                    text,
                    sender_type="agent" if principal.user_id else "api",
                    user_id=principal.user_id,
                    priority=1,
                    media_urls=data.media_urls,
                    idempotency_key=idempotency_key,
                )
                s.flush()
        except IntegrityError:
            # A concurrent request with the same key won (the unique index waited for it).
            existing = _existing_reply(s, conversation_id, idempotency_key or "")
            if existing is None:
                raise
            return existing
        conversation.consecutive_ai_replies = 0
        if principal.user_id is not None:
            _mark_read(s, tenant_id, conversation_id, principal.user_id)
        message_id = message.id
    delivery.send_when_allowed(tenant_id, message_id, bulk=False)
    with _session(principal) as s:
        return MessageOut.model_validate(s.get_one(Message, message_id)), True


def preview_reply(
    principal: Principal, conversation_id: uuid.UUID, data: schemas.ReplyIn
) -> schemas.ReplyPreviewOut:
    """What `reply` would send, without sending: the template rendered for the contact,
    the workspace's smart encoding applied, the encoding and segments."""
    with _session(principal) as s:
        conversation = s.get(Conversation, conversation_id)
        if conversation is None:
            raise not_found("Conversation")
        tenant = s.get_one(Tenant, principal.tenant_id)
        text = data.body or ""
        if data.template_id is not None:
            contact = s.get_one(Contact, conversation.contact_id)
            _, body = version_body(s, data.template_id, data.template_version)
            text = render(body, contact_context(contact, tenant))
        if tenant.smart_encoding:
            text = smart_encode(text)
    info = analyze(text)
    return schemas.ReplyPreviewOut(
        text=text,
        characters=len(text),
        encoding=info.encoding,
        segments=info.segments,
        per_segment=info.per_segment,
        remaining=info.remaining,
        unicode_chars=list(info.unicode_chars),
        gsm_suggestion=info.gsm_suggestion,
    )
