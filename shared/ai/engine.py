"""The AI reply engine: whether AI answers, when (debounce, active hours), and one reply.

Flow: `message.received` → `on_message_received` schedules a debounced `ai-replies` task
→ `run_reply` builds the prompt, calls Claude once (reply + qualification
through the strict `record_reply` tool), stores the qualification, then drafts (suggest)
or sends through the single-send path (auto).

Debounce (trailing edge). Every inbound message schedules a task keyed
`ai-{conversation_id}-{message_id}` (a redelivered event schedules nothing new), due the
configured random delay after that message, moved into active hours. A task answers only
if its message is still the newest unanswered one: the earlier tasks of a burst find a
newer message and do nothing, so a burst of texts gets one reply, sent once the contact
paused for the delay, answering everything since the conversation was last answered (by
a human, an AI reply, or a pending draft). Keys are per message, never per window, so a
conversation that was handed off, capped or gave up and is later given back to the AI
gets answered on the contact's next text (a reused key would be refused by the queue).
An AI message carries `idempotency_key = "ai-reply:<newest answered inbound id>"`: two
racing tasks cannot both send for the same message (the unique index refuses the second).

Failures (API errors, timeouts, refusals, malformed or missing tool output) never send
anything: the task is rescheduled with backoff (the server's `retry-after` when given)
up to MAX_ATTEMPTS, then the conversation is flagged for a human.

Caps: `consecutive_ai_replies` counts AI messages since a human last replied; agent
replies must reset it to 0 (the inbox's reply path; `draft/send` here does). At the cap, the AI
stops and the conversation needs a human.
"""

from __future__ import annotations

import logging
import random
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.ai import prompt as prompts
from shared.ai.models import AiConfig, AiDraft
from shared.ai.schemas import ActiveHours, AiConfigIn, Criterion, HandoffRules, Qualification
from shared.billing.models import UsageRecord
from shared.billing.usage import request_push
from shared.config import get_settings
from shared.contacts.models import Contact
from shared.conversations.models import Conversation, LeadQualification
from shared.db.session import tenant_session
from shared.http.problems import Problem
from shared.messaging.events import MessageReceived
from shared.messaging.models import Message
from shared.providers import anthropic as claude

log = logging.getLogger("ai.engine")

QUEUE = "ai-replies"
# Models come from settings (AI_DEFAULT_MODEL, AI_QUALIFICATION_MODEL); these are fallbacks.
DEFAULT_MODEL = "claude-sonnet-5-5"
DEFAULT_QUALIFICATION_MODEL = "claude-haiku-5-5"
MAX_ATTEMPTS = 5
RETRY_BASE_SECONDS = 2.0
RETRY_MAX_SECONDS = 300.0
MAX_OUTPUT_TOKENS = 1024
HUMAN_SENDERS = ("agent", "api")
REPLY_KEY_PREFIX = "ai-reply:"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def now() -> datetime:
    return datetime.now(UTC)


class ReplyTask(BaseModel):
    """The payload of an `ai-replies` task."""

    tenant_id: uuid.UUID
    conversation_id: uuid.UUID
    after_message_id: uuid.UUID = Field(description="The inbound message that scheduled it.")
    attempt: int = Field(1, ge=1)

    def payload(self, **changes: Any) -> dict[str, Any]:
        return {**self.model_dump(mode="json"), **changes}


@dataclass(frozen=True)
class Job:
    """Everything one Claude call needs, read in one tenant transaction."""

    prompt: prompts.Prompt
    model: str
    criteria: list[Criterion]
    rules: HandoffRules
    answered_id: uuid.UUID | None


# --- whether AI applies -------------------------------------------------------------------


def default_config(tenant_id: uuid.UUID) -> AiConfig:
    """A transient, unsaved configuration with the documented defaults."""
    return AiConfig(tenant_id=tenant_id, **AiConfigIn().model_dump(mode="json"))


def load_config(s: Session) -> AiConfig | None:
    return s.scalar(select(AiConfig))


def model_of(config: AiConfig) -> str:
    return config.model or get_settings().ai_default_model


def effective_mode(config: AiConfig | None, conversation: Conversation) -> str:
    """`enabled` is the workspace's master switch; a conversation's ai_mode overrides the
    workspace's mode (e.g. `off` once a human took over)."""
    if config is None or not config.enabled:
        return "off"
    return config.mode if conversation.ai_mode == "inherit" else conversation.ai_mode


def blocked_by(config: AiConfig | None, conversation: Conversation, contact: Contact) -> str | None:
    """Why the AI must not answer here now, or None."""
    if effective_mode(config, conversation) == "off":
        return "off"
    assert config is not None
    if contact.opted_out or contact.erased_at is not None:
        return "opted-out"
    if conversation.needs_human:
        return "needs-human"
    if conversation.consecutive_ai_replies >= config.max_consecutive_replies:
        return "cap"
    return None


def _context(
    s: Session, conversation_id: uuid.UUID, *, lock: bool = False
) -> tuple[AiConfig | None, Conversation, Contact] | None:
    conversation = s.get(Conversation, conversation_id, with_for_update=lock)
    if conversation is None:
        return None
    contact = s.get_one(Contact, conversation.contact_id)
    return load_config(s), conversation, contact


def _applicable(
    s: Session, conversation_id: uuid.UUID
) -> tuple[AiConfig, Conversation, Contact] | str:
    """The context when the AI may answer now, else why not. Reaching the cap flags a human."""
    ctx = _context(s, conversation_id)
    if ctx is None:
        return "gone"
    config, conversation, contact = ctx
    reason = blocked_by(config, conversation, contact)
    if reason == "cap" and config is not None:
        flag_for_human(
            conversation, f"the AI sent {config.max_consecutive_replies} replies in a row (its cap)"
        )
    if reason is not None or config is None:
        return reason or "off"
    return config, conversation, contact


# --- what is pending ---------------------------------------------------------------------


def answered_through(s: Session, conversation_id: uuid.UUID) -> datetime | None:
    """When the newest inbound message already answered (by a human, AI or draft) arrived."""
    marks: list[datetime] = []
    human = s.scalar(
        select(Message.created_at)
        .where(
            Message.conversation_id == conversation_id,
            Message.direction == "outbound",
            Message.sender_type.in_(HUMAN_SENDERS),
        )
        .order_by(Message.created_at.desc())
        .limit(1)
    )
    if human is not None:
        marks.append(human)
    for answered in (_last_ai_answer(s, conversation_id), _draft_answer(s, conversation_id)):
        if answered is not None:
            at = s.scalar(select(Message.created_at).where(Message.id == answered))
            if at is not None:
                marks.append(at)
    return max(marks) if marks else None


def _last_ai_answer(s: Session, conversation_id: uuid.UUID) -> uuid.UUID | None:
    key = s.scalar(
        select(Message.idempotency_key)
        .where(
            Message.conversation_id == conversation_id,
            Message.sender_type == "ai",
            Message.idempotency_key.startswith(REPLY_KEY_PREFIX),
        )
        .order_by(Message.created_at.desc())
        .limit(1)
    )
    return _uuid(key[len(REPLY_KEY_PREFIX) :]) if key else None


def _draft_answer(s: Session, conversation_id: uuid.UUID) -> uuid.UUID | None:
    draft = s.scalar(select(AiDraft).where(AiDraft.conversation_id == conversation_id))
    if draft is None:
        return None
    return _uuid(str((draft.qualification or {}).get("answered_message_id") or ""))


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def pending_inbound(s: Session, conversation_id: uuid.UUID) -> list[Message]:
    """Inbound messages not answered yet, oldest first."""
    stmt = select(Message).where(
        Message.conversation_id == conversation_id, Message.direction == "inbound"
    )
    through = answered_through(s, conversation_id)
    if through is not None:
        stmt = stmt.where(Message.created_at > through)
    return list(s.scalars(stmt.order_by(Message.created_at, Message.id)))


# --- when -------------------------------------------------------------------------------


def _clock(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def next_active(at: datetime, hours: dict[str, Any] | None) -> datetime:
    """`at` when inside an active window, else the next window's start (None: always)."""
    if not hours:
        return at
    spec = ActiveHours.model_validate(hours)
    zone = ZoneInfo(spec.timezone)
    local_day = at.astimezone(zone).date()
    best: datetime | None = None
    for offset in range(-1, 8):  # yesterday: a window across midnight may still be open
        day = local_day + timedelta(days=offset)
        for window in spec.windows:
            if DAYS[day.weekday()] not in window.days:
                continue
            start = datetime.combine(day, _clock(window.start), tzinfo=zone)
            end_day = day if window.end > window.start else day + timedelta(days=1)
            end = datetime.combine(end_day, _clock(window.end), tzinfo=zone)
            if start <= at < end:
                return at
            if start > at and (best is None or start < best):
                best = start
    return best.astimezone(UTC) if best is not None else at


def reply_at(config: AiConfig, message: Message, current: datetime) -> datetime:
    """The message + a random delay within the range, moved into active hours."""
    delay = random.uniform(config.reply_delay_min_seconds, config.reply_delay_max_seconds)
    at = max(current, message.created_at + timedelta(seconds=delay))
    return next_active(at, config.active_hours)


# --- scheduling ----------------------------------------------------------------------------


def on_message_received(event: MessageReceived) -> str:
    """Consumer of `message.received`: schedule the burst's reply if AI applies."""
    if event.keyword is not None:
        return "keyword"  # STOP / START / HELP were answered by the messaging core
    return plan_reply(event.tenant_id, event.conversation_id)


def plan_reply(tenant_id: uuid.UUID, conversation_id: uuid.UUID) -> str:
    """Schedule the task of the newest unanswered message (deduplicated by its key)."""
    from shared.queue import schedule

    if not claude.is_configured():
        return _flag_unconfigured(tenant_id, conversation_id)
    with tenant_session(tenant_id) as s:
        ctx = _applicable(s, conversation_id)
        if isinstance(ctx, str):
            return ctx
        config = ctx[0]
        pending = pending_inbound(s, conversation_id)
        if not pending:
            return "nothing-pending"
        newest = pending[-1]
        at = reply_at(config, newest, now())
    task = ReplyTask(
        tenant_id=tenant_id, conversation_id=conversation_id, after_message_id=newest.id
    )
    created = schedule(QUEUE, task.payload(), at=at, key=f"ai-{conversation_id}-{newest.id}")
    return "scheduled" if created else "already-scheduled"


NOT_CONFIGURED = "the AI is on but ANTHROPIC_API_KEY is not set: no AI answer will come"


def flag_for_human(conversation: Conversation, reason: str) -> None:
    """A human must take the conversation; `reason` says why (shown in the inbox)."""
    conversation.needs_human = True
    conversation.needs_human_reason = reason[:200]


def _flag_unconfigured(tenant_id: uuid.UUID, conversation_id: uuid.UUID) -> str:
    """The workspace turned the AI on (before the key was checked, or the key was removed
    since): the contact is waiting for an answer that will not come, so a human is asked
    for, and the log says why."""
    with tenant_session(tenant_id) as s:
        ctx = _applicable(s, conversation_id)
        if isinstance(ctx, str):
            return ctx  # the AI would not answer anyway (off, opted out, with a human)
        config, conversation, _ = ctx
        if not pending_inbound(s, conversation_id):
            return "nothing-pending"
        flag_for_human(conversation, NOT_CONFIGURED)
        mode = effective_mode(config, conversation)
    log.warning(
        "conversation %s of workspace %s needs a human: the AI is in %s mode but "
        "ANTHROPIC_API_KEY is not set",
        conversation_id,
        tenant_id,
        mode,
    )
    return "not-configured"


# --- one reply ---------------------------------------------------------------------------


def run_reply(task: ReplyTask) -> str:
    """The `ai-replies` task. Returns what happened (logs and tests)."""
    from shared.queue import schedule

    current = now()
    with tenant_session(task.tenant_id) as s:
        ctx = _applicable(s, task.conversation_id)
        if isinstance(ctx, str):
            return ctx
        config, conversation, contact = ctx
        opens = next_active(current, config.active_hours)
        pending = pending_inbound(s, conversation.id) if opens <= current else []
        if pending and pending[-1].id != task.after_message_id:
            return "superseded"  # a newer message has its own task: one reply per burst
        keyword = _handoff_keyword(s, config, pending)
        job: Job | None = None
        if keyword is not None:
            _handoff_by_rule(s, conversation, contact, keyword)
        elif pending:
            job = build_job(s, config, conversation, contact, pending, current)
    if opens > current:
        key = f"ai-{task.conversation_id}-{task.after_message_id}-at-{int(opens.timestamp())}"
        schedule(QUEUE, task.payload(), at=opens, key=key)
        return "waiting"
    if keyword is not None:
        return "handoff"
    if job is None:
        return "nothing-pending"
    return _answer(task, job)


def build_job(
    s: Session,
    config: AiConfig,
    conversation: Conversation,
    contact: Contact,
    pending: list[Message],
    current: datetime,
) -> Job:
    return Job(
        prompt=prompts.build(s, config, conversation, contact, current),
        model=model_of(config),
        criteria=prompts.criteria_of(config),
        rules=HandoffRules.model_validate(config.handoff_rules or {}),
        answered_id=pending[-1].id if pending else None,
    )


def _answer(task: ReplyTask, job: Job) -> str:
    try:
        result = call_claude(task.tenant_id, job)
    except claude.AiNotConfigured:
        return _flag_unconfigured(task.tenant_id, task.conversation_id)
    except (claude.AiCallError, ValueError) as exc:
        return _retry_or_flag(task, exc)
    outcome, message_id = store(task.tenant_id, task.conversation_id, job, result)
    if message_id is not None:
        from shared.messaging.delivery import send_when_allowed

        send_when_allowed(task.tenant_id, message_id, bulk=False)
    plan_reply(task.tenant_id, task.conversation_id)  # anything that came in meanwhile
    return outcome


def call_claude(tenant_id: uuid.UUID, job: Job) -> Qualification:
    """One call; its tokens are recorded even when the answer is unusable (ValueError)."""
    reply = claude.create_message(
        model=job.model,
        system=job.prompt.system,
        messages=job.prompt.messages,
        tool=job.prompt.tool,
        max_tokens=MAX_OUTPUT_TOKENS,
    )
    record_usage(tenant_id, reply)
    if reply.stop_reason == "refusal":
        raise ValueError("Claude refused to answer")
    if reply.stop_reason == "max_tokens":
        raise ValueError("the answer was cut at max_tokens")
    if reply.tool_input is None:
        raise ValueError(f"no {prompts.TOOL_NAME} tool_use block (got {reply.block_types})")
    return prompts.parse_output(reply.tool_input, job.criteria)


def record_usage(tenant_id: uuid.UUID, reply: claude.ClaudeReply) -> None:
    """One usage row per token kind; the response id makes a replay count once."""
    quantities = {
        "ai_input_tokens": reply.usage.input_tokens,
        "ai_output_tokens": reply.usage.output_tokens,
        "ai_cache_read_tokens": reply.usage.cache_read_tokens,
        "ai_cache_write_tokens": reply.usage.cache_write_tokens,
    }
    rows = [
        {
            "tenant_id": tenant_id,
            "kind": kind,
            "quantity": quantity,
            "source_id": f"anthropic:{reply.id}"[:128],
            "model": reply.model[:100],
        }
        for kind, quantity in quantities.items()
        if quantity > 0
    ]
    if not rows:
        return
    with tenant_session(tenant_id) as s:
        s.execute(
            insert(UsageRecord)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["tenant_id", "kind", "source_id"])
        )
    request_push(tenant_id)


def _retry_or_flag(task: ReplyTask, exc: Exception) -> str:
    from shared.queue import schedule

    retry_after = exc.retry_after if isinstance(exc, claude.AiCallError) else None
    if task.attempt >= MAX_ATTEMPTS:
        log.warning("AI reply gave up after %d attempts: %s", task.attempt, exc)
        with tenant_session(task.tenant_id) as s:
            conversation = s.get(Conversation, task.conversation_id)
            if conversation is not None:
                flag_for_human(conversation, f"the AI failed {task.attempt} times: {exc}")
        return "gave-up"
    delay = retry_after
    if delay is None:
        delay = min(RETRY_MAX_SECONDS, RETRY_BASE_SECONDS * 2 ** (task.attempt - 1))
    log.info("AI reply attempt %d failed (%s); retrying in %.1fs", task.attempt, exc, delay)
    attempt = task.attempt + 1
    schedule(
        QUEUE,
        task.payload(attempt=attempt),
        at=now() + timedelta(seconds=delay),
        key=f"ai-{task.conversation_id}-{task.after_message_id}-retry-{attempt}",
    )
    return "retrying"


# --- results -----------------------------------------------------------------------------


def store(
    tenant_id: uuid.UUID,
    conversation_id: uuid.UUID,
    job: Job,
    result: Qualification,
    *,
    on_demand: bool = False,
) -> tuple[str, uuid.UUID | None]:
    """Record the qualification, then draft or queue the reply. Everything is checked again
    here: an opt-out, a human taking over or a human reply may have come during the call.
    `on_demand` (an agent asked for a suggestion): always a draft, no automatic handoff."""
    with tenant_session(tenant_id) as s:
        ctx = _context(s, conversation_id, lock=True)
        if ctx is None:
            return "gone", None
        config, conversation, contact = ctx
        taken_over = conversation.needs_human and not on_demand
        handoff = not on_demand and _wants_handoff(job.rules, result)
        record_qualification(s, conversation, contact, result, handoff, job.model)
        if handoff:
            flag_for_human(conversation, f"handoff: {result.handoff_reason or 'qualified lead'}")
        if contact.opted_out or contact.erased_at is not None:
            return "opted-out", None
        mode = "suggest" if on_demand else effective_mode(config, conversation)
        if taken_over or mode == "off":
            return "taken-over", None
        if not result.reply.strip():
            return "handoff", None
        if not on_demand and not _still_newest(s, conversation_id, job.answered_id):
            return "superseded", None  # answered meanwhile, or a newer message has a task
        if mode == "suggest":
            save_draft(s, conversation, job, result)
            return ("handoff-drafted" if handoff else "drafted"), None
        return _queue_reply(s, conversation, contact, job, result, handoff)


def _wants_handoff(rules: HandoffRules, result: Qualification) -> bool:
    return result.handoff or (rules.qualified_lead and result.lead_stage == "qualified")


def _still_newest(s: Session, conversation_id: uuid.UUID, answered_id: uuid.UUID | None) -> bool:
    pending = pending_inbound(s, conversation_id)
    return answered_id is not None and bool(pending) and pending[-1].id == answered_id


def record_qualification(
    s: Session,
    conversation: Conversation,
    contact: Contact,
    result: Qualification,
    handoff: bool,
    model: str,
) -> None:
    """The stage and the fields found, on the conversation and contact, with history."""
    from shared.conversations.events import LeadQualified
    from shared.queue import publish_on_commit

    found = {k: v for k, v in result.fields.items() if v is not None}
    stage = result.lead_stage
    if handoff and stage in ("new", "engaged"):
        stage = "handoff"
    if stage == "qualified" and conversation.lead_stage != "qualified":
        publish_on_commit(
            s,
            "lead.qualified",
            LeadQualified(
                tenant_id=conversation.tenant_id,
                conversation_id=conversation.id,
                contact_id=contact.id,
            ),
        )
    conversation.lead_stage = stage
    contact.lead_stage = stage
    conversation.qualification = {**(conversation.qualification or {}), **found}
    s.add(
        LeadQualification(
            tenant_id=conversation.tenant_id,
            conversation_id=conversation.id,
            stage=stage,
            fields=found,
            confidence=result.confidence,
            handoff=handoff,
            source="ai",
            note=(result.handoff_reason or None) if handoff else f"model {model}",
        )
    )


def save_draft(s: Session, conversation: Conversation, job: Job, result: Qualification) -> None:
    """One draft per conversation: a newer one replaces it."""
    details = {
        **result.model_dump(mode="json", exclude={"reply"}),
        "answered_message_id": str(job.answered_id) if job.answered_id else None,
    }
    values = {"body": result.reply, "qualification": details, "model": job.model}
    s.execute(
        insert(AiDraft)
        .values(tenant_id=conversation.tenant_id, conversation_id=conversation.id, **values)
        .on_conflict_do_update(
            index_elements=["conversation_id"], set_={**values, "created_at": now()}
        )
    )
    # The inbox learns of a new draft from the conversation's change (its live poll reads
    # updated_at); a qualification that changed nothing else would leave it unseen.
    conversation.updated_at = now()


def _queue_reply(
    s: Session,
    conversation: Conversation,
    contact: Contact,
    job: Job,
    result: Qualification,
    handoff: bool,
) -> tuple[str, uuid.UUID | None]:
    from shared.messaging import sending

    try:
        number = sending.choose_sender(s, conversation)
    except Problem as problem:
        log.warning("AI reply not sent: %s", problem)
        flag_for_human(
            conversation, f"the AI reply was not sent: {problem.detail or problem.title}"
        )
        return "no-sender", None
    try:
        with s.begin_nested():
            message = sending.new_outbound(
                s,
                conversation.tenant_id,
                contact,
                conversation,
                number,
                result.reply,
                sender_type="ai",
                priority=1,
                idempotency_key=f"{REPLY_KEY_PREFIX}{job.answered_id}",
            )
            s.flush()
    except IntegrityError:
        return "already-answered", None  # a racing task answered the same message
    conversation.consecutive_ai_replies += 1
    return ("handoff-sent" if handoff else "sent"), message.id


# --- handoff by rule ---------------------------------------------------------------------


def _handoff_keyword(s: Session, config: AiConfig, pending: list[Message]) -> str | None:
    """A handoff keyword in a message newer than the last handoff (a conversation given
    back to the AI is not handed off again for the same words)."""
    rules = HandoffRules.model_validate(config.handoff_rules or {})
    if not rules.keywords or not pending:
        return None
    last_handoff = s.scalar(
        select(func.max(LeadQualification.created_at)).where(
            LeadQualification.conversation_id == pending[0].conversation_id,
            LeadQualification.handoff.is_(True),
        )
    )
    fresh = [m for m in pending if last_handoff is None or m.created_at > last_handoff]
    for keyword in rules.keywords:
        pattern = re.compile(rf"(?<!\w){re.escape(keyword)}(?!\w)", re.IGNORECASE)
        if any(pattern.search(m.body or "") for m in fresh):
            return keyword
    return None


def _handoff_by_rule(
    s: Session, conversation: Conversation, contact: Contact, keyword: str
) -> None:
    """A handoff keyword: a human takes over without asking Claude anything."""
    flag_for_human(conversation, f"handoff keyword: {keyword}")
    conversation.lead_stage = contact.lead_stage = "handoff"
    s.add(
        LeadQualification(
            tenant_id=conversation.tenant_id,
            conversation_id=conversation.id,
            stage="handoff",
            fields={},
            handoff=True,
            source="rule",
            note=f"handoff keyword: {keyword}"[:500],
        )
    )
