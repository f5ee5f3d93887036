"""Plan limits, enforced where they bite, each with one call in the caller's transaction.

A limit that is reached answers 402 problem+json with a `type` per limit
(`plan-limit-seats`, `-numbers`, `-contacts`, `-segments`), the `limit`, the `current`
value, what the request would add (`requested`) and the `plan`; past due beyond the
grace period answers 402 `payment-past-due`. Nothing is enforced while billing is off
(no STRIPE_API_KEY): see shared.billing.state.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared.billing.plans import SEGMENTS, Plan
from shared.billing.state import Standing, billing_enabled, standing
from shared.billing.usage import period_totals
from shared.http.problems import Problem
from shared.tenancy.models import Invitation, Membership, Tenant

LIMIT_NAMES = ("seats", "numbers", "contacts")


class LimitExceeded(Problem):
    def __init__(
        self, name: str, plan: Plan, limit: int, current: int, requested: int, detail: str
    ) -> None:
        super().__init__(
            402,
            f"plan-limit-{name}",
            "Plan limit reached",
            detail,
            limit=limit,
            current=current,
            requested=requested,
            plan=plan.name,
        )


def _standing(s: Session, tenant_id: uuid.UUID) -> Standing:
    return standing(s.get_one(Tenant, tenant_id))


def count(s: Session, tenant_id: uuid.UUID, name: str) -> int:
    """What counts against a limit now: seats (members and pending invitations), live
    numbers, contacts not erased."""
    from shared.contacts.models import Contact
    from shared.messaging.models import PhoneNumber

    if name == "seats":
        members = (
            select(func.count()).select_from(Membership).where(Membership.tenant_id == tenant_id)
        )
        invited = (
            select(func.count())
            .select_from(Invitation)
            .where(
                Invitation.tenant_id == tenant_id,
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.expires_at > datetime.now(UTC),
            )
        )
        return int(s.scalar(members) or 0) + int(s.scalar(invited) or 0)
    if name == "numbers":
        query: Any = (
            select(func.count())
            .select_from(PhoneNumber)
            .where(PhoneNumber.tenant_id == tenant_id, PhoneNumber.status != "released")
        )
    else:
        query = (
            select(func.count())
            .select_from(Contact)
            .where(Contact.tenant_id == tenant_id, Contact.erased_at.is_(None))
        )
    return int(s.scalar(query) or 0)


def limit_of(plan: Plan, name: str) -> int | None:
    value: int | None = getattr(plan, name)
    return value


def check(s: Session, tenant_id: uuid.UUID, name: str, adding: int = 1) -> None:
    """Refuse (402) when `adding` more would pass the plan's `name` limit; with
    `adding=0`, refuse when the workspace is already past it (after a bulk write)."""
    if not billing_enabled():
        return
    plan = _standing(s, tenant_id).plan
    limit = limit_of(plan, name)
    if limit is None:
        return
    current = count(s, tenant_id, name)
    if current + adding <= limit:
        return
    what = {"seats": "seats (members and pending invitations)", "numbers": "phone numbers"}
    has = f"the workspace has {current}" if adding else f"this would make {current}"
    raise LimitExceeded(
        name,
        plan,
        limit,
        current,
        adding,
        f"The {plan.display_name} plan includes {limit} {what.get(name, name)}; {has}. "
        "Upgrade the plan (POST /v1/billing/checkout) for more.",
    )


def check_seats(s: Session, tenant_id: uuid.UUID) -> None:
    check(s, tenant_id, "seats")


def check_numbers(s: Session, tenant_id: uuid.UUID, adding: int = 1) -> None:
    check(s, tenant_id, "numbers", adding)


def check_contacts(s: Session, tenant_id: uuid.UUID, adding: int = 1) -> None:
    check(s, tenant_id, "contacts", adding)


def check_campaign_launch(s: Session, tenant_id: uuid.UUID, segments_needed: int | None) -> None:
    """A launch (or a scheduled one) is refused past due beyond the grace period; on a
    plan without overage (free), also when the period's remaining included segments
    cannot cover the campaign (`segments_needed`, when the audience is known)."""
    if not billing_enabled():
        return
    now = _standing(s, tenant_id)
    refusal = now.bulk_refusal()
    if refusal is not None:
        assert now.grace_ends_at is not None
        raise Problem(
            402,
            "payment-past-due",
            "Payment past due",
            f"The subscription is past due since {now.past_due_since:%Y-%m-%d} and the grace "
            f"period ended on {now.grace_ends_at:%Y-%m-%d}: campaigns are refused until the "
            "invoice is paid (POST /v1/billing/portal). Replies still go out.",
            past_due_since=now.past_due_since.isoformat() if now.past_due_since else None,
            grace_ends_at=now.grace_ends_at.isoformat(),
        )
    if segments_needed is None or now.plan.overage_price(SEGMENTS) is not None:
        return
    used = period_totals(s, now.period_start, now.period_end)[SEGMENTS.key]
    remaining = max(0, now.plan.included_segments - used)
    if segments_needed > remaining:
        raise LimitExceeded(
            "segments",
            now.plan,
            now.plan.included_segments,
            used,
            segments_needed,
            f"This campaign needs about {segments_needed} segments; the {now.plan.display_name}"
            f" plan has {remaining} of its {now.plan.included_segments} left until "
            f"{now.period_end:%Y-%m-%d}. Upgrade the plan to send it.",
        )


def bulk_refusal(tenant: Tenant) -> str | None:
    """Why a running campaign must stop now (past due beyond the grace period), or None."""
    return standing(tenant).bulk_refusal()
