"""The billing routes: the overview, Checkout, the customer portal, invoices, usage.

Without STRIPE_API_KEY billing is off: the overview answers the free plan with the
usage counted locally, invoices are an empty list, and Checkout and the portal answer 409
`stripe-not-configured`. A Stripe that does not answer turns the upcoming invoice into a
local estimate (labelled so) and Checkout, the portal and invoices into 503.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NoReturn

from sqlalchemy import select, update

from shared.billing import catalog, limits, schemas
from shared.billing.plans import CURRENCY, METERS, PLANS, TOKENS_PER_AI_REPLY, Plan
from shared.billing.state import Standing, billing_enabled, standing
from shared.billing.usage import period_totals
from shared.config import get_settings
from shared.db.session import tenant_session
from shared.http.problems import Problem, conflict, field_error
from shared.providers import stripe as stripe_api
from shared.tenancy.models import Membership, Tenant, User
from shared.tenancy.principal import Principal

log = logging.getLogger("billing")
BILLING_PAGE = "/settings/billing"


def _require_billing() -> None:
    if not billing_enabled():
        raise conflict(
            "Stripe is not configured on this platform (STRIPE_API_KEY is not set): every "
            "workspace uses the free plan and no limit is enforced.",
            "stripe-not-configured",
        )


def _unavailable(exc: stripe_api.StripeCallError) -> NoReturn:
    raise Problem(
        503,
        "stripe-unavailable",
        "Stripe unavailable",
        f"Stripe did not answer ({exc.message}); try again in a minute.",
        headers={"Retry-After": "30"},
    ) from exc


# --- the overview ------------------------------------------------------------------------


def overview(principal: Principal) -> schemas.BillingOut:
    with tenant_session(principal.tenant_id) as s:
        tenant = s.get_one(Tenant, principal.tenant_id)
        now = standing(tenant)
        used = period_totals(s, now.period_start, now.period_end)
        counts = {name: limits.count(s, principal.tenant_id, name) for name in limits.LIMIT_NAMES}
        customer, subscription_id = tenant.stripe_customer_id, tenant.stripe_subscription_id
        subscription = (
            schemas.SubscriptionOut(
                status=tenant.subscription_status,
                current_period_start=tenant.current_period_start,
                current_period_end=tenant.current_period_end,
                cancel_at_period_end=tenant.cancel_at_period_end,
                trial_end=tenant.trial_end,
            )
            if tenant.subscription_status
            else None
        )
    enabled = billing_enabled()
    refusal = now.bulk_refusal()
    return schemas.BillingOut(
        stripe_configured=enabled,
        limits_enforced=enabled,
        plan=now.plan.name,
        plans=[_plan_card(plan, now, enabled) for plan in PLANS.values()],
        subscription=subscription,
        period_start=now.period_start,
        period_end=now.period_end,
        usage=[_meter_usage(now.plan, meter, used[meter.key]) for meter in METERS],
        limits=[
            schemas.LimitOut(name=name, used=counts[name], limit=limits.limit_of(now.plan, name))
            for name in limits.LIMIT_NAMES
        ],
        upcoming_invoice=_upcoming(now, used, customer, subscription_id) if enabled else None,
        past_due=(
            schemas.PastDueOut(
                since=now.past_due_since,
                grace_ends_at=now.grace_ends_at,
                bulk_sending_blocked=refusal is not None,
            )
            if now.past_due_since is not None and now.grace_ends_at is not None
            else None
        ),
        bulk_sending_allowed=refusal is None,
        can_checkout=enabled and not now.subscribed,
        can_manage=enabled and customer is not None,
    )


def _cents(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def _plan_card(plan: Plan, now: Standing, enabled: bool) -> schemas.PlanOut:
    from shared.billing.plans import AI_TOKENS, SEGMENTS

    return schemas.PlanOut(
        name=plan.name,
        display_name=plan.display_name,
        description=plan.description,
        currency=CURRENCY,
        monthly_price_minor=plan.monthly_price_minor,
        included_segments=plan.included_segments,
        segment_price_minor=_cents(plan.overage_price(SEGMENTS)),
        included_ai_tokens=plan.included_ai_tokens,
        ai_token_price_minor=_cents(plan.overage_price(AI_TOKENS)),
        approx_ai_replies=plan.included_ai_tokens // TOKENS_PER_AI_REPLY,
        mps=plan.mps,
        seats=plan.seats,
        numbers=plan.numbers,
        contacts=plan.contacts,
        current=plan.name == now.plan.name,
        purchasable=enabled and plan.paid and not now.subscribed,
    )


def _overage_cost(plan: Plan, meter: Any, used: int) -> tuple[int, int]:
    price = plan.overage_price(meter)
    overage = max(0, used - plan.included(meter))
    if price is None:
        return overage, 0
    return overage, int((price * overage).to_integral_value(ROUND_HALF_UP))


def _meter_usage(plan: Plan, meter: Any, used: int) -> schemas.MeterUsageOut:
    included = plan.included(meter)
    overage, cost = _overage_cost(plan, meter, used)
    return schemas.MeterUsageOut(
        meter=meter.key,
        display_name=meter.display_name,
        unit=meter.unit,
        used=used,
        included=included,
        percent=round(used * 100 / included, 1) if included else 0.0,
        overage=overage,
        overage_price_minor=_cents(plan.overage_price(meter)),
        overage_estimate_minor=cost,
    )


def _upcoming(
    now: Standing, used: dict[str, int], customer: str | None, subscription_id: str | None
) -> schemas.UpcomingInvoiceOut | None:
    if not now.subscribed or customer is None or subscription_id is None:
        return None
    try:
        preview = stripe_api.call(  # no retry: the page falls back to an estimate at once
            "invoices.create_preview",
            params={"customer": customer, "subscription": subscription_id},
            options={"max_network_retries": 0},
        )
    except stripe_api.StripeCallError as exc:
        log.warning("invoice preview unavailable: %s", exc)
        return _estimate(now, used)
    lines = [
        schemas.InvoiceLineOut(
            description=str(line.get("description") or ""),
            amount_minor=int(line.get("amount") or 0),
            quantity=line.get("quantity"),
        )
        for line in (preview.get("lines") or {}).get("data") or []
    ]
    return schemas.UpcomingInvoiceOut(
        source="stripe",
        currency=str(preview.get("currency") or CURRENCY),
        amount_due_minor=int(preview.get("amount_due") or 0),
        subtotal_minor=int(preview.get("subtotal") or 0),
        period_start=_time(preview.get("period_start")),
        period_end=_time(preview.get("period_end")),
        next_payment_attempt=_time(preview.get("next_payment_attempt")),
        lines=lines,
    )


def _estimate(now: Standing, used: dict[str, int]) -> schemas.UpcomingInvoiceOut:
    plan = now.plan
    lines = [
        schemas.InvoiceLineOut(
            description=f"{plan.display_name} plan (monthly)",
            amount_minor=plan.monthly_price_minor,
            quantity=1,
        )
    ]
    for meter in METERS:
        overage, cost = _overage_cost(plan, meter, used[meter.key])
        if overage:
            lines.append(
                schemas.InvoiceLineOut(
                    description=f"{meter.display_name} beyond the {plan.included(meter):,} "
                    "included",
                    amount_minor=cost,
                    quantity=overage,
                )
            )
    total = sum(line.amount_minor for line in lines)
    return schemas.UpcomingInvoiceOut(
        source="estimate",
        currency=CURRENCY,
        amount_due_minor=total,
        subtotal_minor=total,
        period_start=now.period_start,
        period_end=now.period_end,
        next_payment_attempt=now.period_end,
        lines=lines,
    )


def _time(value: Any) -> datetime | None:
    return datetime.fromtimestamp(int(value), UTC) if value else None


# --- Checkout and the portal ------------------------------------------------------------


def checkout(principal: Principal, body: schemas.CheckoutIn) -> schemas.RedirectOut:
    """A Checkout Session (subscription mode) for a paid plan; the customer is created once
    per workspace and reused. A live subscription changes plans in the portal instead."""
    _require_billing()
    plan = PLANS[body.plan]
    with tenant_session(principal.tenant_id) as s:
        if standing(s.get_one(Tenant, principal.tenant_id)).subscribed:
            raise conflict(
                "The workspace has a subscription already: change plans in the customer "
                "portal (POST /v1/billing/portal).",
                "subscription-exists",
            )
    try:
        prices = catalog.price_ids(plan)
        if prices is None:
            raise conflict(
                f"Stripe has no prices for the {plan.display_name} plan yet: run "
                "`smsctl billing sync`.",
                "billing-not-synced",
            )
        customer = ensure_customer(principal.tenant_id)
        base = get_settings().app_base_url.rstrip("/") + BILLING_PAGE
        tenant = str(principal.tenant_id)
        session = stripe_api.call(
            "checkout.sessions.create",
            params={
                "mode": "subscription",
                "customer": customer,
                "client_reference_id": tenant,
                "line_items": [
                    {"price": price_id, "quantity": 1}
                    if key == plan.lookup_key("base")
                    else {"price": price_id}
                    for key, price_id in prices.items()
                ],
                "success_url": f"{base}?checkout=success&session_id={{CHECKOUT_SESSION_ID}}",
                "cancel_url": f"{base}?checkout=cancelled",
                "metadata": {"tenant_id": tenant, "plan": plan.name},
                "subscription_data": {"metadata": {"tenant_id": tenant, "plan": plan.name}},
            },
        )
    except stripe_api.StripeCallError as exc:
        _unavailable(exc)
    return schemas.RedirectOut(url=str(session["url"]), id=str(session["id"]))


def ensure_customer(tenant_id: uuid.UUID) -> str:
    """The workspace's Stripe customer, created on first use (the idempotency key makes a
    concurrent or repeated first use create one customer)."""
    with tenant_session(tenant_id) as s:
        tenant = s.get_one(Tenant, tenant_id)
        if tenant.stripe_customer_id:
            return tenant.stripe_customer_id
        name = tenant.name
        email = s.scalar(
            select(User.email)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.tenant_id == tenant_id, Membership.role == "owner")
            .order_by(Membership.created_at)
            .limit(1)
        )
    created = stripe_api.call(
        "customers.create",
        params={"name": name, "email": email, "metadata": {"tenant_id": str(tenant_id)}},
        options={"idempotency_key": f"customer-{tenant_id}"},
    )
    with tenant_session(tenant_id) as s:
        s.execute(
            update(Tenant)
            .where(Tenant.id == tenant_id, Tenant.stripe_customer_id.is_(None))
            .values(stripe_customer_id=str(created["id"]))
        )
        stored = s.scalar(select(Tenant.stripe_customer_id).where(Tenant.id == tenant_id))
    return str(stored)


def portal(principal: Principal) -> schemas.RedirectOut:
    """The Stripe customer portal: payment methods, plan changes, cancellation, invoices."""
    _require_billing()
    with tenant_session(principal.tenant_id) as s:
        customer = s.scalar(
            select(Tenant.stripe_customer_id).where(Tenant.id == principal.tenant_id)
        )
    if customer is None:
        raise conflict(
            "The workspace has no Stripe customer yet: subscribe first "
            "(POST /v1/billing/checkout).",
            "no-billing-account",
        )
    return_url = get_settings().app_base_url.rstrip("/") + BILLING_PAGE
    try:
        session = stripe_api.call(
            "billing_portal.sessions.create",
            params={"customer": customer, "return_url": return_url},
        )
    except stripe_api.StripeCallError as exc:
        _unavailable(exc)
    return schemas.RedirectOut(url=str(session["url"]), id=str(session["id"]))


# --- invoices ------------------------------------------------------------------------------


def invoices(principal: Principal, query: schemas.InvoiceQuery) -> schemas.InvoicePage:
    if not billing_enabled():
        return schemas.InvoicePage(data=[])
    with tenant_session(principal.tenant_id) as s:
        customer = s.scalar(
            select(Tenant.stripe_customer_id).where(Tenant.id == principal.tenant_id)
        )
    if customer is None:
        return schemas.InvoicePage(data=[])
    params: dict[str, Any] = {"customer": customer, "limit": query.limit}
    if query.cursor:
        params["starting_after"] = query.cursor
    try:
        listed = stripe_api.call("invoices.list", params=params)
    except stripe_api.StripeRejected as exc:
        if query.cursor:
            raise field_error("query.cursor", "Not a cursor of this list.") from exc
        log.warning("Stripe refused the invoice list of %s: %s", customer, exc)
        return schemas.InvoicePage(data=[])
    except stripe_api.StripeCallError as exc:
        _unavailable(exc)
    data = [_invoice(i) for i in listed.get("data") or []]
    more = bool(listed.get("has_more")) and data
    return schemas.InvoicePage(data=data, next_cursor=data[-1].id if more else None)


def _invoice(raw: dict[str, Any]) -> schemas.InvoiceOut:
    return schemas.InvoiceOut(
        id=str(raw["id"]),
        number=raw.get("number"),
        status=raw.get("status"),
        currency=str(raw.get("currency") or CURRENCY),
        total_minor=int(raw.get("total") or 0),
        amount_due_minor=int(raw.get("amount_due") or 0),
        amount_paid_minor=int(raw.get("amount_paid") or 0),
        period_start=_time(raw.get("period_start")),
        period_end=_time(raw.get("period_end")),
        created=_time(raw.get("created")) or datetime.now(UTC),
        hosted_invoice_url=raw.get("hosted_invoice_url"),
        invoice_pdf=raw.get("invoice_pdf"),
    )
