"""The billing sweep (hourly): push what is left, and compare with Stripe's meters.

1. Every workspace with unsettled usage or pending batches is pushed (a lost or dead-
   lettered push task only delays billing until here).
2. For every workspace with a paid, live subscription and each meter, the usage we sent
   for the current period (pushed batches, by their event time) is compared with
   Stripe's meter event summary for the same minutes. A difference is drift: logged as
   an error with both figures and returned (`smsctl billing reconcile` prints it).
   Stripe aggregates asynchronously, so the last minutes (`settle`) are left out.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from shared.billing import metering, notices
from shared.billing.models import MeterBatch, UsageRecord
from shared.billing.plans import METERS
from shared.billing.state import billing_enabled, standing
from shared.billing.usage import meter_quantity
from shared.db.session import system_session, tenant_session
from shared.providers import stripe as stripe_api
from shared.tenancy.models import Tenant

log = logging.getLogger("billing.reconcile")
SETTLE = timedelta(minutes=10)


@dataclass(frozen=True)
class MeterCheck:
    tenant_id: uuid.UUID
    meter: str
    window_start: datetime
    window_end: datetime
    local: int  # pushed by us, event times in the window
    stripe: int  # Stripe's summary of the window
    unsent: int  # recorded here, not accepted by Stripe yet (pending or unbatched)

    @property
    def drift(self) -> int:
        return self.stripe - self.local


@dataclass
class SweepResult:
    pushed: dict[uuid.UUID, int]
    delayed: list[uuid.UUID]
    checks: list[MeterCheck]

    @property
    def drifted(self) -> list[MeterCheck]:
        return [c for c in self.checks if c.drift != 0]


def sweep(settle: timedelta = SETTLE) -> SweepResult:
    result = SweepResult(pushed={}, delayed=[], checks=[])
    if not billing_enabled():
        return result
    for tenant_id in _with_pending_usage():
        try:
            result.pushed[tenant_id] = metering.push(tenant_id).pushed
        except metering.PushDelayed:
            result.delayed.append(tenant_id)
    for tenant_id in _subscribed():
        try:
            result.checks += check_tenant(tenant_id, settle)
        except stripe_api.StripeCallError as exc:
            log.warning("cannot compare %s with Stripe now: %s", tenant_id, exc)
    for check in result.drifted:
        log.error(
            "meter drift for %s %s: Stripe %d, sent %d (%d unsent)",
            check.tenant_id,
            check.meter,
            check.stripe,
            check.local,
            check.unsent,
            extra={"fields": {"billing_drift": check.drift, "tenant_id": str(check.tenant_id)}},
        )
    notices.publish_pending()
    return result


def _with_pending_usage() -> list[uuid.UUID]:
    with system_session() as s:
        usage = select(UsageRecord.tenant_id).where(UsageRecord.reported_at.is_(None))
        batches = select(MeterBatch.tenant_id).where(MeterBatch.status == "pending")
        return list(s.scalars(usage.union(batches)))


def _subscribed() -> list[uuid.UUID]:
    with system_session() as s:
        return list(
            s.scalars(
                select(Tenant.id).where(
                    Tenant.stripe_customer_id.is_not(None),
                    Tenant.subscription_status.in_(("active", "trialing", "past_due", "unpaid")),
                )
            )
        )


def _minute(at: datetime) -> datetime:
    return at.replace(second=0, microsecond=0)


def _ceil_minute(at: datetime) -> datetime:
    floor = _minute(at)
    return floor if floor == at else floor + timedelta(minutes=1)


def _by_meter(rows: Any) -> dict[str, int]:
    return {str(meter): int(quantity or 0) for meter, quantity in rows}


def check_tenant(tenant_id: uuid.UUID, settle: timedelta = SETTLE) -> list[MeterCheck]:
    """Compare the current period's pushed usage with Stripe's summaries, per meter."""
    with tenant_session(tenant_id) as s:
        tenant = s.get_one(Tenant, tenant_id)
        now = standing(tenant)
        customer = tenant.stripe_customer_id
        if customer is None or not metering.billable(tenant):
            return []
        start = _minute(now.period_start)
        end = _ceil_minute(min(now.period_end, datetime.now(UTC) - settle))
        if end <= start:
            return []
        sent = _by_meter(
            s.execute(
                select(MeterBatch.meter, func.sum(MeterBatch.quantity))
                .where(
                    MeterBatch.tenant_id == tenant_id,
                    MeterBatch.status == "pushed",
                    MeterBatch.stripe_customer_id == customer,
                    MeterBatch.event_time >= start,
                    MeterBatch.event_time < end,
                )
                .group_by(MeterBatch.meter)
            ).all()
        )
        waiting = _by_meter(
            s.execute(
                select(MeterBatch.meter, func.sum(MeterBatch.quantity))
                .where(MeterBatch.tenant_id == tenant_id, MeterBatch.status == "pending")
                .group_by(MeterBatch.meter)
            ).all()
        )
        unbatched = s.execute(
            select(*[func.coalesce(func.sum(meter_quantity(m)), 0) for m in METERS]).where(
                UsageRecord.tenant_id == tenant_id,
                UsageRecord.reported_at.is_(None),
                UsageRecord.meter_batch_id.is_(None),
            )
        ).one()
    meter_ids = _meter_ids()
    checks = []
    for index, meter in enumerate(METERS):
        meter_id = meter_ids.get(meter.key)
        if meter_id is None:
            continue
        summaries = stripe_api.call(
            "billing.meters.event_summaries.list",
            meter_id,
            params={
                "customer": customer,
                "start_time": int(start.timestamp()),
                "end_time": int(end.timestamp()),
            },
        )
        stripe_total = sum(
            float(x.get("aggregated_value") or 0) for x in summaries.get("data") or []
        )
        checks.append(
            MeterCheck(
                tenant_id=tenant_id,
                meter=meter.key,
                window_start=start,
                window_end=end,
                local=sent.get(meter.key, 0),
                stripe=round(stripe_total),
                unsent=waiting.get(meter.key, 0) + int(unbatched[index]),
            )
        )
    return checks


def _meter_ids() -> dict[str, str]:
    listed = stripe_api.call("billing.meters.list", params={"status": "active", "limit": 100})
    return {str(m["event_name"]): str(m["id"]) for m in listed.get("data") or []}
