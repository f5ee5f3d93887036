"""stripe-webhooks: Stripe's events, verified by their Stripe-Signature on the raw body."""

from __future__ import annotations

from shared.billing.schemas import WebhookAck
from shared.billing.subscriptions import handle_webhook
from shared.http.function import HttpFunction, Request

app = HttpFunction("stripe-webhooks")


@app.operation
def stripe_webhook(req: Request) -> WebhookAck:
    """400 for a bad or stale signature (nothing stored); 503 when Stripe cannot be asked
    for the subscription's state (Stripe sends the event again)."""
    signature = str(req.headers.get("Stripe-Signature", ""))
    return WebhookAck(outcome=handle_webhook(req.read_body(), signature))


handler = app
