"""Campaigns: CRUD, launch (freeze the audience), pause, resume, cancel, stats, preview."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, text, update
from sqlalchemy.orm import Session

from shared.billing.limits import check_campaign_launch
from shared.billing.plans import estimated_cost_minor
from shared.campaigns import audience as audiences
from shared.campaigns import schemas
from shared.campaigns.events import CampaignCompleted, CampaignLaunched, CampaignPaused
from shared.campaigns.models import Campaign, CampaignContact
from shared.campaigns.pace import ESTIMATE_SAMPLE, campaign_pace
from shared.campaigns.pace import estimate as estimated_send
from shared.contacts.models import ConsentEvent, Contact, Recipient, Segment
from shared.db.arrays import joined
from shared.db.session import tenant_session
from shared.http.pagination import keyset_page, page_of
from shared.http.problems import Problem, conflict, field_error, not_found
from shared.messaging.health import reset_window
from shared.messaging.models import Message, NumberPool
from shared.messaging.rotation import pool_dids
from shared.templates.models import Template, TemplateVersion
from shared.templates.render import CompiledTemplate, compile_template
from shared.templates.segments import analyze, smart_encode
from shared.templates.service import contact_context
from shared.tenancy.models import Tenant
from shared.tenancy.principal import Principal

LAUNCH_QUEUE = "campaign-launch"
EDITABLE = ("draft", "scheduled")


def now() -> datetime:
    return datetime.now(UTC)


def _get(s: Session, campaign_id: uuid.UUID, *, lock: bool = False) -> Campaign:
    campaign = s.get(Campaign, campaign_id, with_for_update=lock)
    if campaign is None:
        raise not_found("Campaign")
    return campaign


def out(campaign: Campaign) -> schemas.CampaignOut:
    return schemas.CampaignOut.model_validate(campaign)


def _check_refs(s: Session, values: dict[str, Any]) -> None:
    if values.get("pool_id") is not None and s.get(NumberPool, values["pool_id"]) is None:
        raise field_error("body.pool_id", "Unknown number pool.")
    if values.get("template_id") is not None:
        template = s.get(Template, values["template_id"])
        if template is None or template.deleted_at is not None:
            raise field_error("body.template_id", "Unknown template.")
        version = values.get("template_version") or template.current_version
        values["template_version"] = version
        found = s.scalar(
            select(TemplateVersion.id).where(
                TemplateVersion.template_id == template.id, TemplateVersion.version == version
            )
        )
        if found is None:
            raise field_error("body.template_version", "This template has no such version.")
    if values.get("audience") is not None:
        audience = schemas.Audience.model_validate(values["audience"])
        field = "body.audience"
        _check_ids(s, Contact.id, audience.contact_ids, f"{field}.contact_ids", "contacts")
        _check_ids(s, Segment.id, audience.segment_ids, f"{field}.segment_ids", "segments")
        _check_ids(
            s, Segment.id, audience.exclude_segment_ids, f"{field}.exclude_segment_ids", "segments"
        )


def _check_ids(s: Session, column: Any, ids: list[uuid.UUID], field: str, what: str) -> None:
    """Every id is one of this workspace's (RLS keeps other workspaces' rows unseen)."""
    if not ids:
        return
    found = set(s.scalars(select(column).where(column.in_(set(ids)))))
    unknown = [str(i) for i in dict.fromkeys(ids) if i not in found]
    if unknown:
        shown = ", ".join(unknown[:5]) + (" ..." if len(unknown) > 5 else "")
        raise field_error(field, f"Unknown {what} in this workspace: {shown}", "unknown_id")


def _to_columns(values: dict[str, Any]) -> dict[str, Any]:
    if "audience" in values and values["audience"] is not None:
        values["audience"] = schemas.Audience.model_validate(values["audience"]).model_dump(
            mode="json"
        )
    if "quiet_hours" in values and values["quiet_hours"] is not None:
        values["quiet_hours"] = schemas.QuietHours.model_validate(
            values["quiet_hours"]
        ).model_dump()
    return values


def create(principal: Principal, data: schemas.CampaignIn) -> schemas.CampaignOut:
    values = data.model_dump()
    with tenant_session(principal.tenant_id) as s:
        _check_refs(s, values)
        if "quiet_hours" not in data.model_fields_set:
            # Not given: the workspace's default window (Settings > Workspace).
            stored = s.get_one(Tenant, principal.tenant_id).settings or {}
            values["quiet_hours"] = stored.get("quiet_hours") or values["quiet_hours"]
        campaign = Campaign(
            tenant_id=principal.tenant_id, created_by=principal.user_id, **_to_columns(values)
        )
        s.add(campaign)
        s.flush()
        s.refresh(campaign)
        return out(campaign)


def audience_count(principal: Principal, audience: schemas.Audience) -> schemas.AudienceCount:
    """The size an audience would freeze at now; unknown ids are 422 like on a save."""
    with tenant_session(principal.tenant_id) as s:
        _check_ids(s, Contact.id, audience.contact_ids, "body.contact_ids", "contacts")
        _check_ids(s, Segment.id, audience.segment_ids, "body.segment_ids", "segments")
        _check_ids(
            s, Segment.id, audience.exclude_segment_ids, "body.exclude_segment_ids", "segments"
        )
        return schemas.AudienceCount(
            count=0 if audience.is_empty() else audiences.count(s, audience)
        )


def get(principal: Principal, campaign_id: uuid.UUID) -> schemas.CampaignOut:
    with tenant_session(principal.tenant_id) as s:
        return out(_get(s, campaign_id))


def list_campaigns(principal: Principal, query: schemas.CampaignQuery) -> schemas.CampaignList:
    with tenant_session(principal.tenant_id) as s:
        stmt = select(Campaign)
        if query.status:
            stmt = stmt.where(Campaign.status == query.status)
        rows = list(s.scalars(keyset_page(stmt, Campaign.created_at, Campaign.id, query)))
        page, cursor = page_of(rows, query, "created_at")
        return schemas.CampaignList(data=[out(c) for c in page], next_cursor=cursor)


def update_campaign(
    principal: Principal, campaign_id: uuid.UUID, patch: schemas.CampaignPatch
) -> schemas.CampaignOut:
    values = {k: getattr(patch, k) for k in patch.model_fields_set}
    with tenant_session(principal.tenant_id) as s:
        campaign = _get(s, campaign_id, lock=True)
        if campaign.status not in EDITABLE:
            raise conflict(
                f"A {campaign.status} campaign cannot be edited.", "campaign-not-editable"
            )
        if values.get("body"):
            values.setdefault("template_id", None)
            values.setdefault("template_version", None)
        if values.get("template_id"):
            values.setdefault("body", None)
        _check_refs(s, values)
        for key, value in _to_columns(values).items():
            setattr(campaign, key, value)
        if campaign.body and campaign.template_id:
            raise field_error("body.body", "Give body or template_id, not both.")
        s.flush()
        s.refresh(campaign)
        return out(campaign)


def delete(principal: Principal, campaign_id: uuid.UUID) -> None:
    with tenant_session(principal.tenant_id) as s:
        campaign = _get(s, campaign_id, lock=True)
        if campaign.status in ("running", "paused"):
            raise conflict("Cancel the campaign before deleting it.", "campaign-active")
        s.delete(campaign)


# --- launch and control ---------------------------------------------------------------


def _require_ready(s: Session, campaign: Campaign) -> None:
    if not (campaign.body or campaign.template_id):
        raise conflict("The campaign has no message (body or template).", "campaign-incomplete")
    if campaign.pool_id is None:
        raise conflict("The campaign has no number pool.", "campaign-incomplete")
    if not pool_dids(s, campaign.pool_id):
        raise conflict("The pool has no active number.", "no-sender-number")
    if schemas.Audience.model_validate(campaign.audience).is_empty():
        raise conflict("The campaign has no audience.", "campaign-incomplete")
    unknown = compile_template(body_of(s, campaign)).unknown_without_fallback
    if unknown:
        raise unknown_variables_problem(unknown, "body" if campaign.body else "template_id")


def unknown_variables_problem(names: Sequence[str], field: str) -> Problem:
    """422 naming the variables that do not exist and have no fallback (each would send
    an empty string): fix the name or give it a fallback, `{{name|fallback}}`."""
    listed = ", ".join(f"{{{{{name}}}}}" for name in names)
    return Problem(
        422,
        "unknown-template-variables",
        "Unknown template variables",
        f"The message uses variables that do not exist and have no fallback: {listed}. "
        "Fix their names (see /docs/template-variables) or give each a fallback, "
        "e.g. {{name|friend}}.",
        errors=[
            {
                "field": field,
                "message": f"Unknown variable {{{{{name}}}}} without a fallback.",
                "code": "unknown_variable",
            }
            for name in names
        ],
        unknown_variables=list(names),
    )


def start(s: Session, campaign: Campaign) -> int:
    """Freeze the audience and set the campaign running (inside the caller's transaction)."""
    size = audiences.freeze(
        s, campaign.tenant_id, campaign.id, schemas.Audience.model_validate(campaign.audience)
    )
    campaign.audience_size = size
    campaign.status = "running" if size else "completed"
    campaign.run_epoch += 1
    campaign.launched_at = now()
    if not size:
        campaign.completed_at = campaign.launched_at
        _announce_completed(s, campaign.tenant_id, campaign.id)
    return size


def launch(principal: Principal, campaign_id: uuid.UUID) -> schemas.LaunchOut:
    from shared.queue import publish, schedule

    with tenant_session(principal.tenant_id) as s:
        campaign = _get(s, campaign_id, lock=True)
        if campaign.status not in EDITABLE:
            raise conflict(
                f"A {campaign.status} campaign cannot be launched.", "campaign-not-launchable"
            )
        _require_ready(s, campaign)
        if campaign.send_at is not None and campaign.send_at > now() + timedelta(seconds=5):
            campaign.status = "scheduled"
            s.flush()
            s.refresh(campaign)
            result = schemas.LaunchOut(campaign=out(campaign), audience_size=None)
            send_at = campaign.send_at
        else:
            size = start(s, campaign)
            s.flush()
            s.refresh(campaign)
            result = schemas.LaunchOut(campaign=out(campaign), audience_size=size)
            send_at = None
        epoch = campaign.run_epoch
        # Past due beyond the grace period, or more than the free plan's segments left: 402
        # (and this transaction, the frozen audience with it, is rolled back).
        needed = (
            None
            if result.audience_size is None
            else result.audience_size * analyze(body_of(s, campaign)).segments
        )
        check_campaign_launch(s, principal.tenant_id, needed)
    if send_at is not None:
        schedule(
            LAUNCH_QUEUE,
            {"tenant_id": str(principal.tenant_id), "campaign_id": str(campaign_id)},
            at=send_at,
            key=f"launch-{campaign_id}-{int(send_at.timestamp())}",
        )
    elif result.campaign.status == "running":
        publish(
            "campaign.launched",
            CampaignLaunched(tenant_id=principal.tenant_id, campaign_id=campaign_id, epoch=epoch),
        )
    return result


def launch_scheduled(tenant_id: uuid.UUID, campaign_id: uuid.UUID) -> bool:
    """The launch task: start the campaign if it is still scheduled and its time has come."""
    from shared.queue import publish

    with tenant_session(tenant_id) as s:
        campaign = s.get(Campaign, campaign_id, with_for_update=True)
        if campaign is None or campaign.status != "scheduled":
            return False
        if campaign.send_at and campaign.send_at > now() + timedelta(seconds=5):
            return False  # rescheduled later; that task will come
        running = start(s, campaign) > 0
        epoch = campaign.run_epoch
    if running:
        publish(
            "campaign.launched",
            CampaignLaunched(tenant_id=tenant_id, campaign_id=campaign_id, epoch=epoch),
        )
    return running


def pause(
    principal: Principal, campaign_id: uuid.UUID, reason: str = "paused by a user"
) -> schemas.CampaignOut:
    from shared.queue import publish_on_commit

    with tenant_session(principal.tenant_id) as s:
        campaign = _get(s, campaign_id, lock=True)
        if campaign.status != "running":
            raise conflict(
                f"A {campaign.status} campaign cannot be paused.", "campaign-not-running"
            )
        campaign.status = "paused"
        campaign.paused_at = paused_at = now()
        campaign.pause_reason = reason
        publish_on_commit(
            s,
            "campaign.paused",
            CampaignPaused(
                tenant_id=principal.tenant_id,
                campaign_id=campaign_id,
                cause="user",
                reason=reason,
                paused_at=paused_at,
            ),
        )
        s.flush()
        s.refresh(campaign)
        return out(campaign)


def resume(principal: Principal, campaign_id: uuid.UUID) -> schemas.CampaignOut:
    from shared.queue import publish

    with tenant_session(principal.tenant_id) as s:
        campaign = _get(s, campaign_id, lock=True)
        if campaign.status != "paused":
            raise conflict(
                f"A {campaign.status} campaign cannot be resumed.", "campaign-not-paused"
            )
        campaign.status = "running"
        campaign.paused_at = None
        campaign.pause_reason = None
        # A new run: the batches of the last one (still scheduled, or retrying) drop
        # themselves, so resuming never adds a second set of batches to the first.
        campaign.run_epoch += 1
        s.flush()
        s.refresh(campaign)
        result = out(campaign)
        epoch = campaign.run_epoch
    # Judged afresh: the failures that paused it must not pause it again at the next outcome.
    reset_window("campaign", campaign_id)
    publish(
        "campaign.launched",
        CampaignLaunched(
            tenant_id=principal.tenant_id, campaign_id=campaign_id, resumed=True, epoch=epoch
        ),
    )
    return result


def redrive_running() -> int:
    """Every running campaign starts a new run that fans out what it has left (the local
    launcher, at start: the batches a stopped process held may be gone or stale). Returns
    how many."""
    from shared.db.session import system_session

    with system_session() as s:
        running = s.execute(
            select(Campaign.tenant_id, Campaign.id).where(Campaign.status == "running")
        ).all()
    return sum(_new_run(tenant_id, campaign_id) for tenant_id, campaign_id in running)


# A running campaign with work left whose audience has not moved for this long has lost its
# batches (a task dropped by a queue, a process gone): the reconciler gives it a new run.
STALLED_AFTER = timedelta(minutes=2)
_STALLED = text(
    "SELECT c.tenant_id, c.id FROM campaigns AS c WHERE c.status = 'running'"
    " AND c.updated_at < :cutoff"
    " AND NOT EXISTS (SELECT 1 FROM campaign_contacts AS cc WHERE cc.campaign_id = c.id"
    " AND cc.updated_at >= :cutoff)"
    " AND (EXISTS (SELECT 1 FROM campaign_contacts AS cc WHERE cc.campaign_id = c.id"
    " AND cc.status = 'pending') OR EXISTS (SELECT 1 FROM messages AS m"
    " WHERE m.campaign_id = c.id AND m.status = 'queued'"
    " AND (m.due_at IS NULL OR m.due_at < :cutoff)))"
)


def redrive_stalled(stalled_after: timedelta = STALLED_AFTER) -> int:
    """New runs for the running campaigns that stopped moving with work left (not those
    waiting for quiet hours). Returns how many."""
    from shared.db.session import system_session

    with system_session() as s:
        stalled = s.execute(_STALLED, {"cutoff": now() - stalled_after}).all()
    return sum(_new_run(tenant_id, campaign_id) for tenant_id, campaign_id in stalled)


def _new_run(tenant_id: uuid.UUID, campaign_id: uuid.UUID) -> int:
    """Start a new run of a running campaign: it fans out what is left; the batches of the
    runs before drop themselves. 1 when it did."""
    from shared.campaigns.engine import fan_out

    with tenant_session(tenant_id) as s:
        campaign = s.get(Campaign, campaign_id, with_for_update=True)
        if campaign is None or campaign.status != "running":
            return 0
        campaign.run_epoch += 1
        epoch = campaign.run_epoch
    fan_out(tenant_id, campaign_id, epoch=epoch)
    return 1


def cancel(principal: Principal, campaign_id: uuid.UUID) -> schemas.CampaignOut:
    with tenant_session(principal.tenant_id) as s:
        campaign = _get(s, campaign_id, lock=True)
        if campaign.status in ("completed", "cancelled"):
            raise conflict(f"The campaign is already {campaign.status}.", "campaign-finished")
        campaign.status = "cancelled"
        campaign.cancelled_at = now()
        withdrawn = (
            s.execute(
                update(Message)
                .where(Message.campaign_id == campaign_id, Message.status == "queued")
                .values(status="suppressed", error_message="campaign cancelled")
                .returning(Message.id)
            )
            .scalars()
            .all()
        )
        # Rows not sent yet are cancelled; a queued row whose message is already with the
        # provider stays queued and takes that message's outcome (counted once, as sent).
        s.execute(
            update(CampaignContact)
            .where(
                CampaignContact.campaign_id == campaign_id,
                or_(
                    CampaignContact.status == "pending",
                    and_(
                        CampaignContact.status == "queued",
                        or_(
                            CampaignContact.message_id.is_(None),
                            CampaignContact.message_id.in_(withdrawn),
                        ),
                    ),
                ),
            )
            .values(status="cancelled")
        )
        s.flush()
        s.refresh(campaign)
        return out(campaign)


# An audience row follows its message once the provider has answered (`sending`: not yet).
ROW_STATUS_OF = {
    "sent": "sent",
    "delivered": "sent",
    "undelivered": "sent",
    "failed": "failed",
    "suppressed": "skipped",
}
_SETTLE_ROWS = text(
    "UPDATE campaign_contacts AS cc SET status = v.status, updated_at = now()"
    " FROM unnest(CAST(string_to_array(:campaigns, ',') AS uuid[]),"
    " CAST(string_to_array(:messages, ',') AS uuid[]), string_to_array(:statuses, ','))"
    " AS v(campaign_id, message_id, status)"
    " WHERE cc.campaign_id = v.campaign_id AND cc.message_id = v.message_id"
    " AND cc.status = 'queued' RETURNING cc.campaign_id"
)


def settle_audience_rows(
    s: Session, rows: Sequence[tuple[uuid.UUID | None, uuid.UUID, str]]
) -> None:
    """The audience rows of these messages, (campaign, message, row status), that are still
    `queued` take their status in one statement, whoever learns the outcome first (the
    send's record, a callback, a failure); a campaign with nothing left completes."""
    rows = [r for r in rows if r[0] is not None]
    if not rows:
        return
    settled = s.execute(
        _SETTLE_ROWS,
        {
            "campaigns": joined(c for c, _, _ in rows),
            "messages": joined(m for _, m, _ in rows),
            "statuses": joined(status for _, _, status in rows),
        },
    ).all()
    for campaign_id in sorted({r.campaign_id for r in settled}):  # one lock order
        finish_if_done(s, campaign_id)


# Whoever settles a campaign's last rows completes it. Two transactions settling the last
# two rows at once each saw the other's row still queued (not committed yet), and the
# campaign stayed running: the check waits for the other's commit (a lock per campaign,
# held to the end of the transaction; each statement then sees what committed before it).
_FINISH_LOCK = text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))")


def finish_if_done(s: Session, campaign_id: uuid.UUID) -> bool:
    """Completed when nothing is left pending or queued."""
    s.execute(_FINISH_LOCK, {"key": f"campaign-finish:{campaign_id}"})
    left = s.scalar(
        select(CampaignContact.contact_id)
        .where(
            CampaignContact.campaign_id == campaign_id,
            CampaignContact.status.in_(("pending", "queued")),
        )
        .limit(1)
    )
    if left is not None:
        return False
    completed = s.execute(
        update(Campaign)
        .where(Campaign.id == campaign_id, Campaign.status == "running")
        .values(status="completed", completed_at=now())
        .returning(Campaign.tenant_id)
    ).first()
    if completed is None:
        return False
    _announce_completed(s, completed.tenant_id, campaign_id)
    return True


def _announce_completed(s: Session, tenant_id: uuid.UUID, campaign_id: uuid.UUID) -> None:
    from shared.queue import publish_on_commit

    publish_on_commit(
        s, "campaign.completed", CampaignCompleted(tenant_id=tenant_id, campaign_id=campaign_id)
    )


# --- stats, preview, messages ---------------------------------------------------------


def stats(principal: Principal, campaign_id: uuid.UUID) -> schemas.CampaignStats:
    with tenant_session(principal.tenant_id) as s:
        campaign = _get(s, campaign_id)
        by_cc = dict(
            s.execute(
                select(CampaignContact.status, func.count())
                .where(CampaignContact.campaign_id == campaign_id)
                .group_by(CampaignContact.status)
            ).all()
        )
        # Held by quiet hours counted in the same statement as the queued, so they agree.
        held = and_(Message.status == "queued", Message.due_at > func.now())
        rows = s.execute(
            select(
                Message.status,
                func.count(),
                func.count().filter(held),
                func.min(Message.due_at).filter(held),
            )
            .where(Message.campaign_id == campaign_id)
            .group_by(Message.status)
        ).all()
        by_status = {status: n for status, n, _, _ in rows}
        waiting = sum(n for _, _, n, _ in rows)
        next_due = min((due for _, _, _, due in rows if due is not None), default=None)
        codes = s.execute(
            select(Message.error_code, func.count())
            .where(
                Message.campaign_id == campaign_id,
                Message.error_code.is_not(None),
                Message.status.in_(("failed", "undelivered")),
            )
            .group_by(Message.error_code)
        ).all()
        handed = ("sending", "sent", "delivered", "undelivered")
        segments = (
            s.scalar(
                select(func.coalesce(func.sum(Message.segments), 0)).where(
                    Message.campaign_id == campaign_id, Message.status.in_(handed)
                )
            )
            or 0
        )
        queued_segments = (
            s.scalar(
                select(func.coalesce(func.sum(Message.segments), 0)).where(
                    Message.campaign_id == campaign_id
                )
            )
            or 0
        )
        cost = (
            s.scalar(
                select(func.coalesce(func.sum(Message.price_minor), 0)).where(
                    Message.campaign_id == campaign_id
                )
            )
            or 0
        )
        since = campaign.launched_at or campaign.created_at
        audience_contacts = select(CampaignContact.contact_id).where(
            CampaignContact.campaign_id == campaign_id
        )
        opted_out = (
            s.scalar(
                select(func.count(func.distinct(ConsentEvent.contact_id))).where(
                    ConsentEvent.kind == "opt_out",
                    ConsentEvent.occurred_at >= since,
                    ConsentEvent.contact_id.in_(audience_contacts),
                )
            )
            or 0
        )
        replies = (
            s.scalar(
                select(func.count())
                .select_from(Message)
                .where(
                    Message.direction == "inbound",
                    Message.created_at >= since,
                    Message.contact_id.in_(audience_contacts),
                )
            )
            or 0
        )
        recent = (
            s.scalar(
                select(func.count())
                .select_from(Message)
                .where(
                    Message.campaign_id == campaign_id,
                    Message.sending_at >= now() - timedelta(seconds=10),
                )
            )
            or 0
        )
        size = campaign.audience_size or 0
        plan = s.scalar(select(Tenant.plan).where(Tenant.id == principal.tenant_id))
        estimate = estimated_cost_minor(max(int(queued_segments), size), plan)
        return schemas.CampaignStats(
            audience=size,
            pending=by_cc.get("pending", 0),
            queued=by_status.get("queued", 0),
            waiting_for_quiet_hours=int(waiting),
            next_due_at=next_due,
            sending=by_status.get("sending", 0),
            sent=by_status.get("sent", 0),
            delivered=by_status.get("delivered", 0),
            undelivered=by_status.get("undelivered", 0),
            failed=by_status.get("failed", 0),
            failed_by_code={str(code): n for code, n in codes},
            skipped=by_cc.get("skipped", 0),
            cancelled=by_cc.get("cancelled", 0),
            opted_out_during=int(opted_out),
            replies=int(replies),
            segments=int(segments),
            estimated_cost_minor=estimate,
            actual_cost_minor=int(cost),
            throughput_per_second=round(recent / 10, 2),
        )


def body_of(s: Session, campaign: Campaign) -> str:
    if campaign.body:
        return campaign.body
    version = s.scalar(
        select(TemplateVersion.body).where(
            TemplateVersion.template_id == campaign.template_id,
            TemplateVersion.version == campaign.template_version,
        )
    )
    if version is None:
        raise conflict("The campaign's template version is gone.", "campaign-incomplete")
    return version


def render_context(contact: Recipient, tenant: Tenant, campaign: Campaign) -> dict[str, Any]:
    return {**contact_context(contact, tenant), "campaign": {"name": campaign.name}}


def smart_encoding_of(campaign: Campaign, tenant: Tenant) -> bool:
    """The campaign's own choice, else the workspace's default."""
    return tenant.smart_encoding if campaign.smart_encoding is None else campaign.smart_encoding


def message_text(
    compiled: CompiledTemplate, contact: Recipient, tenant: Tenant, campaign: Campaign, smart: bool
) -> str:
    """The text `contact` is sent (and counted, and shown in the preview): the body rendered
    for them, smart-encoded when `smart` (see `smart_encoding_of`)."""
    text = compiled.render(render_context(contact, tenant, campaign))
    return smart_encode(text) if smart else text


def preview(
    principal: Principal, campaign_id: uuid.UUID, data: schemas.PreviewIn
) -> schemas.PreviewOut:
    with tenant_session(principal.tenant_id) as s:
        campaign = _get(s, campaign_id)
        tenant = s.get_one(Tenant, principal.tenant_id)
        if not (campaign.body or campaign.template_id):
            raise Problem(
                409, "campaign-incomplete", "Incomplete", "The campaign has no message yet."
            )
        compiled = compile_template(body_of(s, campaign))
        audience = schemas.Audience.model_validate(campaign.audience)
        if data.contact_ids:
            contacts = list(s.scalars(select(Contact).where(Contact.id.in_(data.contact_ids))))
        else:
            ids = [
                row[0] for row in s.execute(audiences.eligible(s, audience).limit(data.sample_size))
            ]
            contacts = list(s.scalars(select(Contact).where(Contact.id.in_(ids)))) if ids else []
        estimate = audiences.count(s, audience) if not audience.is_empty() else 0
        smart = smart_encoding_of(campaign, tenant)
        samples = []
        for contact in contacts:
            text = message_text(compiled, contact, tenant, campaign, smart)
            rendered = compiled.render(render_context(contact, tenant, campaign))
            info = analyze(text)
            samples.append(
                schemas.PreviewSample(
                    contact_id=contact.id,
                    phone=contact.phone,
                    text=text,
                    segments=info.segments,
                    encoding=info.encoding,
                    unicode_chars=list(info.unicode_chars),
                    rendered=rendered if rendered != text else None,
                )
            )
        body = smart_encode(compiled.body) if smart else compiled.body
        per_message = max((x.segments for x in samples), default=analyze(body).segments)
        rate = campaign_pace(s, principal.tenant_id, campaign)
        zones = _zone_sample(s, audience) if campaign.quiet_hours and estimate else []
        timing = estimated_send(
            now(),
            estimate,
            per_message / rate.segments_per_second if rate.segments_per_second else None,
            campaign.quiet_hours,
            zones,
        )
        return schemas.PreviewOut(
            samples=samples,
            smart_encoding=smart,
            audience_estimate=estimate,
            unknown_variables=list(compiled.unknown_variables),
            blocking_variables=list(compiled.unknown_without_fallback),
            estimated_segments=per_message * estimate,
            estimated_cost_minor=estimated_cost_minor(per_message * estimate, tenant.plan),
            pool_capacity_mps=rate.pool_mps,
            effective_rate_mps=round(rate.segments_per_second, 3),
            rate_limited_by=rate.limited_by,
            estimated_duration_seconds=timing.duration_seconds,
            estimated_finish_at=timing.finish_at,
            deferred_by_quiet_hours=timing.deferred,
        )


def _zone_sample(s: Session, audience: schemas.Audience) -> list[tuple[str, str | None]]:
    """(phone, declared zone) of a random sample of the audience, in launch order."""
    rows = audiences.eligible(s, audience).subquery()
    picked = s.execute(
        select(rows.c.phone, Contact.timezone, rows.c.created_at)
        .join(Contact, Contact.id == rows.c.id)
        .order_by(func.random())
        .limit(ESTIMATE_SAMPLE)
    ).all()
    return [(phone, zone) for phone, zone, _ in sorted(picked, key=lambda row: row[2])]


def campaign_messages(
    principal: Principal, campaign_id: uuid.UUID, query: schemas.CampaignMessagesQuery
) -> Any:
    from shared.messaging import schemas as message_schemas
    from shared.messaging.sending import list_messages

    with tenant_session(principal.tenant_id) as s:
        _get(s, campaign_id)
    return list_messages(
        principal,
        message_schemas.MessageQuery(
            campaign_id=campaign_id, status=query.status, cursor=query.cursor, limit=query.limit
        ),
    )
