"""billing: the plan, usage and invoices of the workspace; Checkout and the customer portal."""

from __future__ import annotations

from shared.billing import schemas, service, usage
from shared.http.function import HttpFunction, Request

app = HttpFunction("billing")


@app.operation
def get_billing(req: Request) -> schemas.BillingOut:
    """Plan cards, the subscription, usage bars against what the plan includes, limits,
    the upcoming invoice and the past-due state. Without Stripe: the free plan."""
    return service.overview(req.require_principal())


@app.operation
def create_checkout(req: Request, body: schemas.CheckoutIn) -> schemas.RedirectOut:
    """A Stripe Checkout URL for a paid plan (409 without Stripe, or with a subscription
    already: change plans in the portal)."""
    return service.checkout(req.require_principal(), body)


@app.operation
def create_portal(req: Request) -> schemas.RedirectOut:
    """A Stripe customer portal URL (409 before the first subscription)."""
    return service.portal(req.require_principal())


@app.operation
def list_invoices(req: Request, query: schemas.InvoiceQuery) -> schemas.InvoicePage:
    """The workspace's invoices at Stripe, newest first (cursor paged)."""
    return service.invoices(req.require_principal(), query)


@app.operation
def billing_usage(req: Request, query: schemas.UsageQuery) -> schemas.UsageSeriesOut:
    """A daily series of segments (SMS, MMS) and AI tokens, from the local usage records."""
    return usage.series(req.require_principal(), query)


handler = app
