"""Aggregates for the console's dashboard and onboarding checklist.

Each function runs one statement in the caller's tenant session: the activity series
reads `messages` by (tenant_id, created_at) and `consent_events` by (tenant_id,
occurred_at); campaigns in flight read `campaign_contacts` by (campaign_id, status).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, case, exists, func, literal, select, text, union_all
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.functions import count

from shared.billing.plans import estimated_cost_minor
from shared.campaigns.models import Campaign, CampaignContact
from shared.config import get_settings
from shared.contacts.models import ConsentEvent, Contact
from shared.dashboard import schemas
from shared.db.session import tenant_session
from shared.messaging.models import Message, PhoneNumber, TwilioConfig
from shared.tenancy.models import Tenant
from shared.tenancy.principal import Principal

# Accepted by the provider: what "sent" means on the dashboard.
ACCEPTED = ("sent", "delivered", "undelivered")
FAILED = ("failed", "undelivered")
SETTLED = ("sent", "skipped", "failed", "cancelled")
IN_FLIGHT = ("scheduled", "running", "paused")
_POINTS = {"24h": ("hour", 24), "7d": ("day", 7), "30d": ("day", 30)}


def _buckets(unit: str, n: int, tz: ZoneInfo, now: datetime) -> list[datetime]:
    """Starts of the last `n` buckets as local wall-clock times (naive), oldest first."""
    local = now.astimezone(tz).replace(tzinfo=None)
    if unit == "hour":
        last = local.replace(minute=0, second=0, microsecond=0)
        return [last - timedelta(hours=i) for i in range(n - 1, -1, -1)]
    last = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return [last - timedelta(days=i) for i in range(n - 1, -1, -1)]


def _utc(local: datetime, tz: ZoneInfo) -> datetime:
    return local.replace(tzinfo=tz).astimezone(UTC)


def activity(
    principal: Principal, query: schemas.ActivityQuery, now: datetime | None = None
) -> schemas.ActivityOut:
    unit, n = _POINTS[query.range]
    tz = ZoneInfo(query.tz)
    starts = _buckets(unit, n, tz, now or datetime.now(UTC))
    since = _utc(starts[0], tz)
    tenant = principal.tenant_id

    def bucket(column: ColumnElement[datetime] | InstrumentedAttribute[datetime]) -> Any:
        return func.date_trunc(unit, func.timezone(query.tz, column))

    outbound = Message.direction == "outbound"
    # The workspace's plan rides along (its segment price makes the spend estimate): still
    # one statement.
    plan = select(Tenant.plan).where(Tenant.id == tenant).scalar_subquery()
    messages = (
        select(
            bucket(Message.created_at).label("b"),
            count().filter(and_(outbound, Message.status.in_(ACCEPTED))).label("sent"),
            count().filter(Message.status == "delivered").label("delivered"),
            count().filter(and_(outbound, Message.status.in_(FAILED))).label("failed"),
            count().filter(Message.direction == "inbound").label("replies"),
            literal(0).label("opt_outs"),
            func.coalesce(
                func.sum(Message.segments).filter(and_(outbound, Message.status.in_(ACCEPTED))),
                0,
            ).label("segments"),
            plan.label("plan"),
        )
        .where(Message.tenant_id == tenant, Message.created_at >= since)
        .group_by(text("1"))
    )
    opt_outs = (
        select(
            bucket(ConsentEvent.occurred_at).label("b"),
            literal(0),
            literal(0),
            literal(0),
            literal(0),
            count(),
            literal(0),
            plan,
        )
        .where(
            ConsentEvent.tenant_id == tenant,
            ConsentEvent.occurred_at >= since,
            ConsentEvent.kind == "opt_out",
        )
        .group_by(text("1"))
    )
    with tenant_session(tenant) as s:
        rows = s.execute(union_all(messages, opt_outs)).all()

    fields = ("sent", "delivered", "failed", "replies", "opt_outs")
    by_start: dict[datetime, dict[str, int]] = {b: dict.fromkeys(fields, 0) for b in starts}
    segments = 0
    plan_name = rows[0][-1] if rows else None
    for b, *values, segs, _plan in rows:
        point = by_start.get(b)
        if point is None:  # a message stamped in the future (clock skew): not in the range
            continue
        for name, value in zip(fields, values, strict=True):
            point[name] += int(value)
        segments += int(segs)
    points = [schemas.ActivityPoint(start=_utc(b, tz), **by_start[b]) for b in starts]
    totals = {name: sum(getattr(p, name) for p in points) for name in fields}
    outcomes = totals["delivered"] + totals["failed"]
    return schemas.ActivityOut(
        range=query.range,
        bucket="hour" if unit == "hour" else "day",
        since=since,
        points=points,
        totals=schemas.ActivityCounts(**totals),
        delivery_rate=round(totals["delivered"] / outcomes, 4) if outcomes else None,
        segments=segments,
        estimated_spend_minor=estimated_cost_minor(segments, plan_name),
    )


def campaigns_in_flight(principal: Principal, limit: int = 20) -> schemas.CampaignProgressList:
    """Scheduled, running and paused campaigns with their settled recipients."""
    done = count(CampaignContact.contact_id).filter(CampaignContact.status.in_(SETTLED))
    stmt = (
        select(Campaign, done.label("done"))
        .outerjoin(CampaignContact, CampaignContact.campaign_id == Campaign.id)
        .where(Campaign.tenant_id == principal.tenant_id, Campaign.status.in_(IN_FLIGHT))
        .group_by(Campaign.id)
        .order_by(
            case((Campaign.status == "running", 0), (Campaign.status == "paused", 1), else_=2),
            Campaign.send_at,
            Campaign.created_at,
        )
        .limit(limit)
    )
    with tenant_session(principal.tenant_id) as s:
        return schemas.CampaignProgressList(
            data=[
                schemas.CampaignProgress(
                    id=c.id,
                    name=c.name,
                    status=c.status,
                    send_at=c.send_at,
                    launched_at=c.launched_at,
                    pause_reason=c.pause_reason,
                    audience=c.audience_size or 0,
                    done=int(n),
                )
                for c, n in s.execute(stmt).all()
            ]
        )


def onboarding(principal: Principal) -> schemas.OnboardingOut:
    """The checklist ticks itself from what the workspace has (one round trip)."""
    tenant = principal.tenant_id
    stmt = select(
        exists().where(TwilioConfig.tenant_id == tenant),
        exists().where(PhoneNumber.tenant_id == tenant, PhoneNumber.status != "released"),
        exists().where(Contact.tenant_id == tenant),
        exists().where(Campaign.tenant_id == tenant, Campaign.launched_at.is_not(None)),
    )
    with tenant_session(tenant) as s:
        twilio, number, contacts, campaign = s.execute(stmt).one()
    provider: Literal["twilio", "simulator"] | None = None
    if twilio:
        provider = "twilio"
    elif get_settings().simulator_enabled:
        provider = "simulator"
    steps = [
        schemas.OnboardingStep(key="provider", done=provider is not None),
        schemas.OnboardingStep(key="number", done=bool(number)),
        schemas.OnboardingStep(key="contacts", done=bool(contacts)),
        schemas.OnboardingStep(key="campaign", done=bool(campaign)),
    ]
    return schemas.OnboardingOut(
        provider=provider, steps=steps, complete=all(step.done for step in steps)
    )
