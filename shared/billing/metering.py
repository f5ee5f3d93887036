"""The meter push: local usage to Stripe Billing Meters, each unit once.

1. Batch: in one transaction, the workspace's unsettled usage records are summed per
   meter and hour into `MeterBatch` rows (rows locked with SKIP LOCKED, so two pushes
   never take the same record). A batch's Stripe `identifier` is derived from its id and
   committed before any call, so every later attempt sends the same identifier.
2. Push: each pending batch becomes one meter event (`identifier`, and the same value as
   the idempotency key). Stripe counts an identifier once, so a push run twice, or a
   call whose answer was lost, counts once. When Stripe is down or rate limits (5xx,
   429, no connection) the batches stay pending and the task fails, to be retried with
   backoff: billing is delayed, sending never is.
3. Warnings: usage at 80% and 100% of what the plan includes this period, once each.

Usage of a workspace without a paid, live subscription is settled without a batch: it
is not billed through Stripe (the free plan has no overage).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from shared.billing import notices
from shared.billing.events import UsageWarning
from shared.billing.models import MeterBatch, UsageRecord
from shared.billing.plans import BILLED_KINDS, METERS, Plan
from shared.billing.state import Standing, billing_enabled, standing
from shared.billing.usage import period_totals
from shared.db.session import system_session, tenant_session
from shared.providers import stripe as stripe_api
from shared.tenancy.models import Tenant

log = logging.getLogger("billing.metering")
BATCH_RECORDS = 20_000  # records summed per transaction
BATCHING_SECONDS = 30.0  # then the push goes on; the rest waits for the next push
OLDEST_EVENT = timedelta(days=34)  # Stripe takes meter events of the past 35 days
WARNING_THRESHOLDS = (80, 100)


class PushDelayed(Exception):
    """Stripe could not take the usage now; the pending batches are kept for a retry."""


@dataclass
class PushResult:
    batched: int = 0  # batches created by this pass
    pushed: int = 0
    rejected: int = 0
    settled_locally: int = 0  # records not billed through Stripe
    warnings: list[str] = field(default_factory=list)


def push(tenant_id: uuid.UUID) -> PushResult:
    """The `billing-meter` task for one workspace."""
    result = PushResult()
    if not billing_enabled():
        return result
    started = time.monotonic()
    while _batch(tenant_id, result) and time.monotonic() - started < BATCHING_SECONDS:
        pass  # a full page: more records wait (a busy minute of a large workspace)
    try:
        _push_pending(tenant_id, result)
    finally:
        result.warnings = check_warnings(tenant_id)
        notices.publish_pending(tenant_id)
    return result


def billable(tenant: Tenant) -> bool:
    s = standing(tenant)
    return bool(tenant.stripe_customer_id) and s.subscribed and s.plan.paid


def _batch(tenant_id: uuid.UUID, result: PushResult) -> bool:
    """Sum one page of unsettled records into batches; True when the page was full."""
    now = datetime.now(UTC)
    with tenant_session(tenant_id) as s:
        tenant = s.get(Tenant, tenant_id)
        if tenant is None:
            return False
        records = s.execute(
            select(UsageRecord.id, UsageRecord.kind, UsageRecord.quantity, UsageRecord.occurred_at)
            .where(
                UsageRecord.tenant_id == tenant_id,
                UsageRecord.reported_at.is_(None),
                UsageRecord.meter_batch_id.is_(None),
            )
            .order_by(UsageRecord.occurred_at)
            .limit(BATCH_RECORDS)
            .with_for_update(skip_locked=True)
        ).all()
        full = len(records) == BATCH_RECORDS
        customer = tenant.stripe_customer_id
        if customer is None or not billable(tenant):
            result.settled_locally += _settle(s, [r.id for r in records], now)
            return full
        groups: dict[tuple[str, datetime], list[tuple[uuid.UUID, int, datetime]]] = defaultdict(
            list
        )
        local: list[uuid.UUID] = []
        for r in records:
            billed = BILLED_KINDS.get(r.kind)
            if billed is None:
                local.append(r.id)
                continue
            meter, weight = billed
            hour = r.occurred_at.replace(minute=0, second=0, microsecond=0)
            groups[(meter.key, hour)].append((r.id, r.quantity * weight, r.occurred_at))
        for (meter_key, _), items in sorted(groups.items(), key=lambda g: g[0][1]):
            quantity = sum(q for _, q, _ in items)
            ids = [i for i, _, _ in items]
            if quantity == 0:  # e.g. a message and its failure correction
                local += ids
                continue
            batch_id = uuid.uuid4()
            latest = max(at for _, _, at in items)
            s.add(
                MeterBatch(
                    id=batch_id,
                    tenant_id=tenant_id,
                    meter=meter_key,
                    quantity=quantity,
                    identifier=f"smsplat-{meter_key}-{batch_id}",
                    stripe_customer_id=customer,
                    event_time=max(latest, now - OLDEST_EVENT),
                )
            )
            s.flush()
            s.execute(_ASSIGN, {"batch": str(batch_id), "ids": [str(i) for i in ids]})
            result.batched += 1
        if local:
            result.settled_locally += _settle(s, local, now)
    return full


# One array parameter, however many records a batch carries.
_ASSIGN = text(
    "UPDATE usage_records SET meter_batch_id = CAST(:batch AS uuid)"
    " WHERE id = ANY(CAST(:ids AS uuid[]))"
)
_SETTLE = text("UPDATE usage_records SET reported_at = :at WHERE id = ANY(CAST(:ids AS uuid[]))")


def _settle(s: Session, ids: list[uuid.UUID], at: datetime) -> int:
    if ids:
        s.execute(_SETTLE, {"at": at, "ids": [str(i) for i in ids]})
    return len(ids)


def _push_pending(tenant_id: uuid.UUID, result: PushResult) -> None:
    with tenant_session(tenant_id) as s:
        batches = s.scalars(
            select(MeterBatch)
            .where(MeterBatch.tenant_id == tenant_id, MeterBatch.status == "pending")
            .order_by(MeterBatch.created_at, MeterBatch.id)
        ).all()
    for batch in batches:
        try:
            send_meter_event(batch)
        except stripe_api.StripeUnavailable as exc:
            _note_attempt(tenant_id, batch.id, "pending", str(exc))
            raise PushDelayed(f"Stripe unavailable; {len(batches)} batch(es) wait") from exc
        except stripe_api.StripeRejected as exc:
            if _duplicate(exc):  # Stripe has this identifier: it is counted already
                _note_attempt(tenant_id, batch.id, "pushed", None)
                result.pushed += 1
                continue
            log.error("Stripe refused meter batch %s: %s", batch.id, exc)
            _note_attempt(tenant_id, batch.id, "rejected", str(exc))
            result.rejected += 1
        else:
            _note_attempt(tenant_id, batch.id, "pushed", None)
            result.pushed += 1


def send_meter_event(batch: MeterBatch) -> None:
    identifier = batch.identifier
    stripe_api.call(
        "billing.meter_events.create",
        params={
            "event_name": batch.meter,
            "identifier": identifier,
            "timestamp": int(batch.event_time.timestamp()),
            "payload": {
                "stripe_customer_id": batch.stripe_customer_id,
                "value": str(batch.quantity),
            },
        },
        options={"idempotency_key": identifier},
    )


def _duplicate(exc: stripe_api.StripeRejected) -> bool:
    text = f"{exc.code or ''} {exc.message}".lower()
    return "duplicate" in text or ("already" in text and "identifier" in text)


def _note_attempt(
    tenant_id: uuid.UUID, batch_id: uuid.UUID, status: str, error: str | None
) -> None:
    now = datetime.now(UTC)
    with tenant_session(tenant_id) as s:
        values: dict[str, object] = {
            "status": status,
            "attempts": MeterBatch.attempts + 1,
            "last_error": error[:1000] if error else None,
        }
        if status == "pushed":
            values["pushed_at"] = now
        s.execute(
            update(MeterBatch)
            .where(MeterBatch.id == batch_id, MeterBatch.status == "pending")
            .values(**values)
        )
        if status != "pending":  # settled: carried to Stripe, or refused for good
            s.execute(
                update(UsageRecord)
                .where(UsageRecord.meter_batch_id == batch_id, UsageRecord.reported_at.is_(None))
                .values(reported_at=now)
            )


# --- warnings at 80% and 100% of the included usage ------------------------------------


def check_warnings(tenant_id: uuid.UUID) -> list[str]:
    """Record (once per period, meter and threshold) the warnings the usage has reached;
    returns the new ones (`sms_segments:80`)."""
    with tenant_session(tenant_id) as s:
        tenant = s.get(Tenant, tenant_id)
        if tenant is None:
            return []
        now = standing(tenant)
        used = period_totals(s, now.period_start, now.period_end)
    reached = [
        (meter, threshold)
        for meter in METERS
        for threshold in WARNING_THRESHOLDS
        if now.plan.included(meter) > 0
        and used[meter.key] * 100 >= now.plan.included(meter) * threshold
    ]
    if not reached:
        return []
    new: list[str] = []
    emails: list[uuid.UUID] = []
    with system_session() as s:
        for meter, threshold in reached:
            event = UsageWarning(
                tenant_id=tenant_id,
                meter=meter.key,
                threshold_percent=threshold,
                used=used[meter.key],
                included=now.plan.included(meter),
                plan=now.plan.name,
                period_start=now.period_start,
                period_end=now.period_end,
            )
            key = f"usage:{meter.key}:{now.period_start.isoformat()}:{threshold}"
            if notices.add_event(s, tenant_id, event, key):
                new.append(f"{meter.key}:{threshold}")
                emails += notices.email_admins(s, tenant_id, *_warning_text(event, now))
    notices.send_emails(emails)
    return new


def _warning_text(event: UsageWarning, now: Standing) -> tuple[str, str]:
    plan: Plan = now.plan
    meter = next(m for m in METERS if m.key == event.meter)
    what = meter.display_name
    if event.threshold_percent >= 100:
        subject = f"You have used all the {what} of your {plan.display_name} plan"
        after = (
            f"Every {meter.unit} beyond them is billed at {plan.overage_price(meter)} cents."
            if plan.overage_price(meter) is not None
            else "Campaigns that need more are refused until the next period; upgrade to send more."
        )
    else:
        subject = f"You have used {event.threshold_percent}% of your {what}"
        after = "Upgrade your plan in Settings > Billing if you need more."
    body = (
        f"Your workspace has used {event.used:,} of the {event.included:,} {what} its "
        f"{plan.display_name} plan includes for the period {now.period_start:%Y-%m-%d} to "
        f"{now.period_end:%Y-%m-%d}.\n{after}\n"
    )
    return subject, body
