"""A workspace's billing standing, from its tenant row: plan, period, past-due grace.

- Subscription states: `trialing` and `active` send normally; `past_due` (and `unpaid`)
  keep sending for BILLING_PAST_DUE_GRACE_DAYS from the moment it was first seen past
  due, then bulk campaigns are refused while replies and one-off messages still go out;
  `canceled` (and every state that never started) means the free plan's limits.
- The usage period is the subscription's current period, or the calendar month (UTC)
  without a subscription.
- Billing is on when STRIPE_API_KEY is set. Without it (a development or self-hosted
  platform has nothing to upgrade to) usage is still counted and shown, but no plan limit
  is enforced.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from shared.billing.plans import Plan, plan_of
from shared.config import get_settings
from shared.tenancy.models import Tenant

LIVE_STATUSES = ("active", "trialing", "past_due", "unpaid")
PAST_DUE_STATUSES = ("past_due", "unpaid")


def billing_enabled() -> bool:
    return bool(get_settings().stripe_api_key.get_secret_value())


def now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Standing:
    plan: Plan
    status: str | None
    period_start: datetime
    period_end: datetime
    past_due_since: datetime | None
    grace_ends_at: datetime | None

    @property
    def subscribed(self) -> bool:
        return self.status in LIVE_STATUSES

    def bulk_refusal(self, at: datetime | None = None) -> str | None:
        """Why bulk campaigns are refused now (past due beyond the grace period), or None."""
        if self.grace_ends_at is None or not billing_enabled():
            return None
        if (at or now()) < self.grace_ends_at:
            return None
        return (
            f"billing: payment past due since {self.past_due_since:%Y-%m-%d}; campaigns are "
            "paused until the invoice is paid"
        )


def grace_ends(past_due_since: datetime | None) -> datetime | None:
    if past_due_since is None:
        return None
    return past_due_since + timedelta(days=get_settings().billing_past_due_grace_days)


def standing(tenant: Tenant, at: datetime | None = None) -> Standing:
    at = at or now()
    status = tenant.subscription_status
    start, end = _period(tenant, at)
    since = tenant.past_due_since if status in PAST_DUE_STATUSES else None
    return Standing(
        plan=plan_of(tenant.plan),
        status=status,
        period_start=start,
        period_end=end,
        past_due_since=since,
        grace_ends_at=grace_ends(since),
    )


def _period(tenant: Tenant, at: datetime) -> tuple[datetime, datetime]:
    start, end = tenant.current_period_start, tenant.current_period_end
    if tenant.subscription_status in LIVE_STATUSES and start is not None and end is not None:
        # A renewal not heard of yet: the next period starts where this one ended.
        while end <= at and end > start:
            start, end = end, end + (end - start)
        return start, end
    month = datetime(at.year, at.month, 1, tzinfo=UTC)
    following = datetime(at.year + at.month // 12, at.month % 12 + 1, 1, tzinfo=UTC)
    return month, following
