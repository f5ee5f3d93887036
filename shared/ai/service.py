"""The AI routes: configuration, drafts (get, send, discard, suggest now), token usage."""

from __future__ import annotations

import math
import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Date, cast, func, literal_column, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.ai import engine
from shared.ai import schemas as ai
from shared.ai.models import AiConfig, AiDraft
from shared.billing.models import UsageRecord
from shared.config import get_settings
from shared.contacts.models import Contact
from shared.conversations.models import Conversation
from shared.db.session import tenant_session
from shared.http.problems import Problem, conflict, not_found
from shared.messaging import delivery, sending
from shared.messaging.schemas import MessageOut
from shared.providers import anthropic as claude
from shared.tenancy.principal import Principal

USAGE_FIELDS = {
    "ai_input_tokens": "input_tokens",
    "ai_output_tokens": "output_tokens",
    "ai_cache_read_tokens": "cache_read_tokens",
    "ai_cache_write_tokens": "cache_write_tokens",
}


# --- configuration -------------------------------------------------------------------------


def config_out(config: AiConfig) -> ai.AiConfigOut:
    return ai.AiConfigOut(
        enabled=config.enabled,
        mode=config.mode,
        model=config.model,
        qualification_model=config.qualification_model,
        persona=config.persona,
        instructions=config.instructions,
        business_facts=config.business_facts,
        criteria=[ai.Criterion.model_validate(c) for c in (config.criteria or [])],
        handoff_rules=ai.HandoffRules.model_validate(config.handoff_rules or {}),
        active_hours=config.active_hours,
        reply_delay_min_seconds=config.reply_delay_min_seconds,
        reply_delay_max_seconds=config.reply_delay_max_seconds,
        max_consecutive_replies=config.max_consecutive_replies,
        effective_model=engine.model_of(config),
        effective_qualification_model=(
            config.qualification_model or get_settings().ai_qualification_model
        ),
        api_key_configured=claude.is_configured(),
        updated_at=config.updated_at,
    )


def get_config(principal: Principal) -> ai.AiConfigOut:
    """The saved configuration, or the defaults (AI off) when none was saved yet."""
    with tenant_session(principal.tenant_id) as s:
        config = engine.load_config(s) or engine.default_config(principal.tenant_id)
        return config_out(config)


def put_config(principal: Principal, data: ai.AiConfigIn) -> ai.AiConfigOut:
    """Turning the AI on (`enabled` with a mode other than `off`) needs ANTHROPIC_API_KEY:
    without it every inbound message would wait for an answer that never comes."""
    if data.enabled and data.mode != "off" and not claude.is_configured():
        raise conflict(
            "The AI cannot be turned on: ANTHROPIC_API_KEY is not set on the platform. Set it "
            "(in .env locally, its Secret Manager secret in GCP), restart, then try again. "
            "Nothing was saved.",
            "ai-not-configured",
        )
    values = data.model_dump(mode="json")
    with tenant_session(principal.tenant_id) as s:
        s.execute(
            insert(AiConfig)
            .values(tenant_id=principal.tenant_id, **values)
            .on_conflict_do_update(
                index_elements=["tenant_id"], set_={**values, "updated_at": func.now()}
            )
        )
        return config_out(s.scalars(select(AiConfig)).one())


# --- drafts ---------------------------------------------------------------------------------


def _conversation(s: Session, conversation_id: uuid.UUID) -> Conversation:
    conversation = s.get(Conversation, conversation_id)
    if conversation is None:
        raise not_found("Conversation")
    return conversation


def _draft(s: Session, conversation_id: uuid.UUID, *, lock: bool = False) -> AiDraft:
    _conversation(s, conversation_id)
    stmt = select(AiDraft).where(AiDraft.conversation_id == conversation_id)
    draft = s.scalar(stmt.with_for_update() if lock else stmt)
    if draft is None:
        raise not_found("AI draft")
    return draft


def draft_out(draft: AiDraft) -> ai.DraftOut:
    details: dict[str, Any] = dict(draft.qualification or {})
    answered = details.pop("answered_message_id", None)
    return ai.DraftOut(
        id=draft.id,
        conversation_id=draft.conversation_id,
        body=draft.body,
        model=draft.model,
        answered_message_id=uuid.UUID(answered) if answered else None,
        qualification=details,
        created_at=draft.created_at,
    )


def get_draft(principal: Principal, conversation_id: uuid.UUID) -> ai.DraftOut:
    with tenant_session(principal.tenant_id) as s:
        return draft_out(_draft(s, conversation_id))


def discard_draft(principal: Principal, conversation_id: uuid.UUID) -> None:
    with tenant_session(principal.tenant_id) as s:
        s.delete(_draft(s, conversation_id, lock=True))
        # A change of the conversation: every inbox showing the draft drops it.
        _conversation(s, conversation_id).updated_at = engine.now()


def send_draft(
    principal: Principal, conversation_id: uuid.UUID, data: ai.DraftSendIn | None
) -> MessageOut:
    """An agent approves the draft (edited or not): it goes through the single-send path,
    and the AI's consecutive-reply count starts again (a human is in the loop)."""
    with tenant_session(principal.tenant_id, user_id=principal.user_id) as s:
        draft = _draft(s, conversation_id, lock=True)
        conversation = _conversation(s, conversation_id)
        contact = s.get_one(Contact, conversation.contact_id)
        if contact.opted_out:
            raise conflict("This contact has opted out; nothing was sent.", "contact-opted-out")
        number = sending.choose_sender(s, conversation)
        answered = (draft.qualification or {}).get("answered_message_id")
        try:
            with s.begin_nested():
                message = sending.new_outbound(
                    s,
                    principal.tenant_id,
                    contact,
                    conversation,
                    number,
                    data.body if data is not None and data.body else draft.body,
                    sender_type="ai",
                    user_id=principal.user_id,
                    priority=1,
                    idempotency_key=f"{engine.REPLY_KEY_PREFIX}{answered}" if answered else None,
                )
                s.flush()
        except IntegrityError as exc:
            raise conflict("These messages were answered already.", "already-answered") from exc
        s.delete(draft)
        conversation.consecutive_ai_replies = 0
        message_id = message.id
    delivery.send_when_allowed(principal.tenant_id, message_id, bulk=False)
    return sending.get_message(principal, message_id)


def suggest(principal: Principal, conversation_id: uuid.UUID) -> ai.DraftOut:
    """Draft a reply now, whatever the mode (an agent asked); no automatic handoff."""
    tenant_id = principal.tenant_id
    with tenant_session(tenant_id) as s:
        conversation = _conversation(s, conversation_id)  # 404 first: never leak existence
        if not claude.is_configured():
            raise _not_configured()
        contact = s.get_one(Contact, conversation.contact_id)
        if contact.opted_out or contact.erased_at is not None:
            raise conflict(
                "This contact has opted out; the AI does not write to them.", "contact-opted-out"
            )
        config = engine.load_config(s) or engine.default_config(tenant_id)
        pending = engine.pending_inbound(s, conversation_id)
        job = engine.build_job(s, config, conversation, contact, pending, engine.now())
    if not job.prompt.messages:
        raise conflict("The conversation has no messages yet.", "nothing-to-answer")
    result = _suggestion(tenant_id, job)
    outcome, _ = engine.store(tenant_id, conversation_id, job, result, on_demand=True)
    if outcome != "drafted":
        raise conflict(f"No draft was saved ({outcome}).", "not-drafted")
    return get_draft(principal, conversation_id)


def try_reply(principal: Principal, data: ai.AiTryIn) -> ai.AiTryOut:
    """What the AI would answer to one message from an unknown contact, with the given
    configuration: the real prompt and tool, nothing stored, nothing sent (tokens count)."""
    from shared.ai import prompt as prompts
    from shared.tenancy.models import Tenant

    tenant_id = principal.tenant_id
    if not claude.is_configured():
        raise _not_configured()
    with tenant_session(tenant_id) as s:
        if data.config is not None:
            config = AiConfig(tenant_id=tenant_id, **data.config.model_dump(mode="json"))
        else:
            config = engine.load_config(s) or engine.default_config(tenant_id)
        workspace = s.get_one(Tenant, tenant_id).name
    criteria = prompts.criteria_of(config)
    job = engine.Job(
        prompt=prompts.Prompt(
            system=[
                {"type": "text", "text": prompts.stable_system(config, workspace, criteria)},
                {"type": "text", "text": TRY_CONTACT},
            ],
            messages=[{"role": "user", "content": data.message.strip()}],
            tool=prompts.reply_tool(criteria),
        ),
        model=engine.model_of(config),
        criteria=criteria,
        rules=ai.HandoffRules.model_validate(config.handoff_rules or {}),
        answered_id=None,
    )
    result = _suggestion(tenant_id, job)
    return ai.AiTryOut(**result.model_dump(), model=job.model)


TRY_CONTACT = (
    "A member of the business is trying your configuration with a sample message: "
    "answer it as you would a new contact you know nothing about."
)


def _suggestion(tenant_id: uuid.UUID, job: engine.Job) -> ai.Qualification:
    try:
        return engine.call_claude(tenant_id, job)
    except claude.AiNotConfigured as exc:
        raise _not_configured() from exc
    except claude.AiCallError as exc:
        wait = math.ceil(exc.retry_after) if exc.retry_after is not None else 5
        raise Problem(
            503,
            "ai-unavailable",
            "AI unavailable",
            f"Claude could not answer now ({exc.kind}); try again.",
            headers={"Retry-After": str(wait)},
        ) from exc
    except ValueError as exc:
        raise Problem(
            502,
            "ai-bad-output",
            "Unusable AI answer",
            "Claude's answer could not be used; nothing was saved. Try again.",
        ) from exc


def _not_configured() -> Problem:
    return conflict("Set ANTHROPIC_API_KEY to use the AI engine.", "ai-not-configured")


# --- usage ---------------------------------------------------------------------------------


def usage(principal: Principal, query: ai.UsageQuery) -> ai.UsageOut:
    """Tokens per kind, in total and per UTC day, for the workspace (billing)."""
    start, end = query.days
    day = cast(func.timezone(literal_column("'UTC'"), UsageRecord.occurred_at), Date)
    with tenant_session(principal.tenant_id) as s:
        rows = s.execute(
            select(day.label("day"), UsageRecord.kind, func.sum(UsageRecord.quantity))
            .where(
                UsageRecord.kind.in_(USAGE_FIELDS),
                UsageRecord.occurred_at >= _midnight(start),
                UsageRecord.occurred_at < _midnight(end + timedelta(days=1)),
            )
            .group_by(day, UsageRecord.kind)
            .order_by(day)
        ).all()
    days: dict[date, ai.UsageDay] = {}
    totals = ai.UsageTotals()
    for row_day, kind, quantity in rows:
        entry = days.setdefault(row_day, ai.UsageDay(day=row_day))
        field = USAGE_FIELDS[kind]
        setattr(entry, field, getattr(entry, field) + int(quantity))
        setattr(totals, field, getattr(totals, field) + int(quantity))
    return ai.UsageOut(start=start, end=end, totals=totals, days=list(days.values()))


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)
