"""Stripe webhooks, and the subscription state they lead to.

An event is verified with `stripe.Webhook.construct_event` on the raw body (tolerance
300 s); anything else is a 400 and nothing is stored. A verified event is never trusted
for state: for the customer it concerns, the customer's subscriptions are read again from
Stripe and the one that matters (live before ended, then the newest) is stored on the
workspace. Events that come twice, late or out of order therefore end in the same state.
The workspace's row is locked while it is re-read, so two events for one workspace apply
one after the other, the later with the later answer.

Idempotent by event id: the id is recorded in the transaction that applies the event, so
a duplicate changes nothing and publishes nothing, and a failure (Stripe unreachable for
the re-read: 503, Stripe retries) records nothing. A change of plan or state records a
`billing.updated` event (published after the commit) and emails the owners and admins
when they must act (payment failed, action required, trial ending, subscription ended).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from shared.billing import notices
from shared.billing.events import BillingUpdated
from shared.billing.plans import Plan, plan_of, plan_of_lookup_key
from shared.billing.state import LIVE_STATUSES, PAST_DUE_STATUSES, grace_ends
from shared.config import get_settings
from shared.db.session import system_session
from shared.http.problems import Problem
from shared.messaging.models import ProcessedProviderEvent
from shared.providers import stripe as stripe_api
from shared.tenancy.models import Tenant

log = logging.getLogger("billing.webhooks")
SIGNATURE_TOLERANCE_SECONDS = 300
HANDLED = frozenset(
    {
        "checkout.session.completed",
        "customer.subscription.created",
        "customer.subscription.updated",
        "customer.subscription.deleted",
        "customer.subscription.paused",
        "customer.subscription.resumed",
        "customer.subscription.trial_will_end",
        "invoice.paid",
        "invoice.payment_failed",
        "invoice.payment_action_required",
    }
)
# Which of a customer's subscriptions is the workspace's: the highest rank, then newest.
_RANK = {"active": 4, "trialing": 4, "past_due": 3, "unpaid": 3, "incomplete": 2, "paused": 1}


def handle_webhook(payload: bytes, signature: str) -> str:
    """Verify and apply one Stripe event; returns what happened (logged, tested)."""
    secret = get_settings().stripe_webhook_secret.get_secret_value()
    if not secret:
        raise Problem(
            400,
            "stripe-not-configured",
            "Stripe is not configured",
            "STRIPE_WEBHOOK_SECRET is not set: events cannot be verified.",
        )
    try:
        event = stripe_api.verify_event(payload, signature, secret, SIGNATURE_TOLERANCE_SECONDS)
    except ValueError as exc:
        raise Problem(400, "bad-signature", "Bad signature", str(exc)[:300]) from exc
    return apply_event(event)


def apply_event(event: dict[str, Any]) -> str:
    event_id, kind = str(event.get("id") or ""), str(event.get("type") or "")
    data = event.get("data")
    obj = data.get("object") if isinstance(data, dict) else None
    if kind not in HANDLED or not event_id or not isinstance(obj, dict):
        return "ignored"
    if kind == "checkout.session.completed" and obj.get("mode") != "subscription":
        return "ignored"
    customer = _id_of(obj.get("customer"))
    if customer is None:
        return "ignored"
    metadata = obj.get("metadata")
    hint = obj.get("client_reference_id") or (
        metadata.get("tenant_id") if isinstance(metadata, dict) else None
    )
    tenant_id = _tenant_for(customer, hint)
    if tenant_id is None:
        log.warning("Stripe event %s (%s) for unknown customer %s", event_id, kind, customer)
        return "unknown-customer"
    try:
        outcome, emails = _apply(event_id, kind, obj, tenant_id, customer)
    except stripe_api.StripeRejected as exc:
        # Asking again will not help (e.g. the customer was deleted at Stripe): say so in
        # the logs, and do not make Stripe retry for days. Nothing is recorded.
        log.error("Stripe refused the re-read for event %s (%s): %s", event_id, kind, exc)
        return "stripe-refused"
    except stripe_api.StripeCallError as exc:
        raise Problem(
            503,
            "stripe-unavailable",
            "Stripe unavailable",
            f"The subscription could not be read from Stripe ({exc.message}); "
            "Stripe sends the event again.",
            headers={"Retry-After": "60"},
        ) from exc
    notices.send_emails(emails)
    notices.publish_pending(tenant_id)
    return outcome


def _id_of(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("id")
    return str(value) if value else None


def _tenant_for(customer: str, hint: Any) -> uuid.UUID | None:
    """The workspace of a customer (bound at checkout), else the one the event names
    (our `client_reference_id` / metadata) if it has no other customer."""
    with system_session() as s:
        found: uuid.UUID | None = s.scalar(
            select(Tenant.id).where(Tenant.stripe_customer_id == customer)
        )
        if found is not None or not hint:
            return found
        try:
            named = s.get(Tenant, uuid.UUID(str(hint)))
        except ValueError:
            return None
        if named is None or named.stripe_customer_id not in (None, customer):
            return None
        return named.id


@dataclass(frozen=True)
class Snapshot:
    plan: str
    status: str | None
    subscription_id: str | None
    period_start: datetime | None
    period_end: datetime | None
    cancel_at_period_end: bool
    trial_end: datetime | None
    past_due_since: datetime | None

    @classmethod
    def of(cls, tenant: Tenant) -> Snapshot:
        return cls(
            tenant.plan,
            tenant.subscription_status,
            tenant.stripe_subscription_id,
            tenant.current_period_start,
            tenant.current_period_end,
            tenant.cancel_at_period_end,
            tenant.trial_end,
            tenant.past_due_since,
        )


def _apply(
    event_id: str, kind: str, obj: dict[str, Any], tenant_id: uuid.UUID, customer: str
) -> tuple[str, list[uuid.UUID]]:
    with system_session() as s:
        first = s.scalar(
            insert(ProcessedProviderEvent)
            .values(provider="stripe", event_id=event_id[:128], tenant_id=tenant_id)
            .on_conflict_do_nothing(index_elements=["provider", "event_id"])
            .returning(ProcessedProviderEvent.id)
        )
        if first is None:
            return "duplicate", []
        tenant = s.get_one(Tenant, tenant_id, with_for_update=True)
        if tenant.stripe_customer_id is None:
            tenant.stripe_customer_id = customer
        subscription = current_subscription(customer)
        before = Snapshot.of(tenant)
        store(tenant, subscription, datetime.now(UTC))
        after = Snapshot.of(tenant)
        emails: list[uuid.UUID] = []
        if after != before:
            notices.add_event(s, tenant_id, _updated(tenant_id, before, after, kind), event_id)
            emails += _transition_emails(s, tenant_id, before, after)
        emails += _event_emails(s, tenant_id, kind, obj, after)
    return ("updated" if after != before else "unchanged"), emails


def current_subscription(customer: str) -> dict[str, Any] | None:
    """The customer's subscription that matters, read from Stripe now."""
    listed = stripe_api.call(
        "subscriptions.list", params={"customer": customer, "status": "all", "limit": 100}
    )
    subscriptions: list[dict[str, Any]] = list(listed.get("data") or [])
    if not subscriptions:
        return None
    return max(
        subscriptions, key=lambda sub: (_RANK.get(sub.get("status", ""), 0), sub.get("created", 0))
    )


def plan_of_subscription(subscription: dict[str, Any]) -> Plan | None:
    for item in (subscription.get("items") or {}).get("data") or []:
        plan = plan_of_lookup_key((item.get("price") or {}).get("lookup_key"))
        if plan is not None:
            return plan
    named = (subscription.get("metadata") or {}).get("plan")
    candidate = plan_of(named) if named else None
    return candidate if candidate is not None and candidate.paid else None


def _period(subscription: dict[str, Any]) -> tuple[datetime | None, datetime | None]:
    """The current period (on the items since API 2025-03-31; on the subscription before)."""
    items = (subscription.get("items") or {}).get("data") or []
    starts = [i["current_period_start"] for i in items if i.get("current_period_start")]
    ends = [i["current_period_end"] for i in items if i.get("current_period_end")]
    start = min(starts) if starts else subscription.get("current_period_start")
    end = max(ends) if ends else subscription.get("current_period_end")
    return _time(start), _time(end)


def _time(value: Any) -> datetime | None:
    return datetime.fromtimestamp(int(value), UTC) if value else None


def store(tenant: Tenant, subscription: dict[str, Any] | None, at: datetime) -> None:
    """The workspace's billing columns from a subscription as Stripe has it now."""
    if subscription is None:
        tenant.plan, tenant.subscription_status, tenant.stripe_subscription_id = "free", None, None
        tenant.current_period_start = tenant.current_period_end = tenant.trial_end = None
        tenant.cancel_at_period_end, tenant.past_due_since = False, None
        return
    status = str(subscription.get("status"))
    plan = plan_of_subscription(subscription)
    tenant.stripe_subscription_id = str(subscription["id"])
    tenant.subscription_status = status
    # Canceled, never started (incomplete) or paused: the free plan's limits.
    tenant.plan = plan.name if plan is not None and status in LIVE_STATUSES else "free"
    tenant.current_period_start, tenant.current_period_end = _period(subscription)
    tenant.cancel_at_period_end = bool(subscription.get("cancel_at_period_end"))
    tenant.trial_end = _time(subscription.get("trial_end"))
    if status in PAST_DUE_STATUSES:
        tenant.past_due_since = tenant.past_due_since or at
    else:
        tenant.past_due_since = None


def _updated(tenant_id: uuid.UUID, before: Snapshot, after: Snapshot, cause: str) -> BillingUpdated:
    return BillingUpdated(
        tenant_id=tenant_id,
        plan=after.plan,
        previous_plan=before.plan,
        subscription_status=after.status,
        previous_status=before.status,
        current_period_start=after.period_start,
        current_period_end=after.period_end,
        cancel_at_period_end=after.cancel_at_period_end,
        trial_end=after.trial_end,
        past_due_since=after.past_due_since,
        grace_ends_at=grace_ends(after.past_due_since),
        cause=cause,
    )


def _transition_emails(
    s: Session, tenant_id: uuid.UUID, before: Snapshot, after: Snapshot
) -> list[uuid.UUID]:
    portal = f"{get_settings().app_base_url}/settings/billing"
    if after.past_due_since is not None and before.past_due_since is None:
        grace = grace_ends(after.past_due_since)
        assert grace is not None
        return notices.email_admins(
            s,
            tenant_id,
            "Payment failed: please update your payment method",
            "We could not collect the payment for your subscription. Campaigns keep sending "
            f"until {grace:%Y-%m-%d %H:%M} UTC; after that they are paused until the invoice "
            f"is paid (replies to your contacts still go out).\nUpdate it here: {portal}\n",
        )
    if after.status == "canceled" and before.status != "canceled":
        return notices.email_admins(
            s,
            tenant_id,
            "Your subscription has ended",
            f"Your {plan_of(before.plan).display_name} subscription has ended; the free "
            f"plan's limits apply from now on.\nSubscribe again at any time: {portal}\n",
        )
    return []


def _event_emails(
    s: Session, tenant_id: uuid.UUID, kind: str, obj: dict[str, Any], after: Snapshot
) -> list[uuid.UUID]:
    """Emails about the event itself (not a change of state), once per event."""
    if kind == "invoice.payment_action_required":
        url = obj.get("hosted_invoice_url") or f"{get_settings().app_base_url}/settings/billing"
        return notices.email_admins(
            s,
            tenant_id,
            "Your payment needs your confirmation",
            f"Your bank asks you to confirm the payment of your invoice: {url}\n",
        )
    if kind == "customer.subscription.trial_will_end" and after.trial_end is not None:
        return notices.email_admins(
            s,
            tenant_id,
            "Your trial ends soon",
            f"Your trial ends on {after.trial_end:%Y-%m-%d}. Add a payment method to keep "
            f"your plan: {get_settings().app_base_url}/settings/billing\n",
        )
    return []
