"""Stripe webhooks: verified on the raw body, idempotent, applied by re-reading Stripe."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from tests.billing.helpers import (
    billing_events,
    processed,
    simulated_area,
    subscribe,
    subscribed,
    tenant,
)
from tests.fakes.smtp import Mailbox
from tests.fakes.stripe import FakeStripe
from tests.identity_helpers import signup


def test_checkout_completed_makes_the_workspace_active(
    api: httpx.Client, fake_stripe: FakeStripe
) -> None:
    account = signup(api, "bill-active")
    sub, events = subscribe(api, fake_stripe, account, "growth")
    assert [e["type"] for e in events] == [
        "checkout.session.completed",
        "customer.subscription.created",
        "invoice.paid",
    ]
    first = fake_stripe.deliver(events[0])
    assert first.status_code == 200, first.text
    assert first.json() == {"outcome": "updated"}
    row = tenant(account.workspace_id)
    assert (row.plan, row.subscription_status) == ("growth", "active")
    assert row.stripe_subscription_id == sub["id"]
    item = sub["items"]["data"][0]
    assert row.current_period_end == datetime.fromtimestamp(item["current_period_end"], UTC)
    # The others re-read the same state: nothing changes, nothing is announced again.
    assert [fake_stripe.deliver(e).json()["outcome"] for e in events[1:]] == ["unchanged"] * 2
    updates = billing_events(account.workspace_id, "billing.updated")
    assert len(updates) == 1
    assert updates[0].data["plan"] == "growth"
    assert updates[0].data["previous_plan"] == "free"
    assert updates[0].published_at is not None

    overview = api.get("/v1/billing", headers=account.headers).json()
    assert overview["plan"] == "growth"
    assert overview["subscription"]["status"] == "active"
    assert overview["can_checkout"] is False
    assert overview["can_manage"] is True


def test_subscription_updated_before_created(api: httpx.Client, fake_stripe: FakeStripe) -> None:
    account = signup(api, "bill-order")
    sub, events = subscribe(api, fake_stripe, account, "starter")
    # Later, the customer moves to growth in the portal; Stripe's events arrive backwards.
    growth = [
        fake_stripe.price_by_lookup_key(f"smsplat_growth_{part}")["id"]
        for part in ("base", "sms_segments", "ai_tokens")
    ]
    updated = fake_stripe.change_plan(sub["id"], growth)
    for event in [*updated, *reversed(events)]:
        assert fake_stripe.deliver(event).status_code == 200
    row = tenant(account.workspace_id)
    assert (row.plan, row.subscription_status) == ("growth", "active")
    # The stale `created` (starter) came last and changed nothing.
    assert [e.data["plan"] for e in billing_events(account.workspace_id, "billing.updated")] == [
        "growth"
    ]


def test_every_event_twice(api: httpx.Client, fake_stripe: FakeStripe, mailbox: Mailbox) -> None:
    account = signup(api, "bill-twice")
    sub, events = subscribe(api, fake_stripe, account)
    outcomes = []
    for event in events:
        outcomes += [fake_stripe.deliver(event).json()["outcome"] for _ in range(2)]
    failed = fake_stripe.fail_renewal(sub["id"])  # the renewal fails a month later
    for event in failed:
        outcomes += [fake_stripe.deliver(event).json()["outcome"] for _ in range(2)]
    events += failed
    assert outcomes[1::2] == ["duplicate"] * len(events)
    assert all(processed(e["id"]) for e in events)
    row = tenant(account.workspace_id)
    assert row.subscription_status == "past_due"
    kinds = [
        (e.data["previous_status"], e.data["subscription_status"])
        for e in billing_events(account.workspace_id, "billing.updated")
    ]
    assert kinds == [(None, "active"), ("active", "past_due")]
    mails = mailbox.wait_for(account.email, "Payment failed", timeout=10)
    assert "Campaigns keep sending until" in mails.body


def test_bad_signatures_are_refused_and_nothing_is_stored(
    api: httpx.Client, fake_stripe: FakeStripe
) -> None:
    account = signup(api, "bill-sig")
    _, events = subscribe(api, fake_stripe, account)
    event = events[0]
    forged = [
        fake_stripe.deliver(event, tamper=True),
        fake_stripe.deliver(event, age=301),
        fake_stripe.deliver(event, secret="whsec_someone_else"),
    ]
    assert [r.status_code for r in forged] == [400, 400, 400]
    for r in forged:
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["type"].endswith("/bad-signature")
    unsigned = httpx.post(fake_stripe.webhook_url or "", content=b"{}")
    assert unsigned.status_code == 400
    not_utf8 = httpx.post(
        fake_stripe.webhook_url or "",
        content=b"\xff\xfe",
        headers={"Stripe-Signature": fake_stripe.signature("x")},
    )
    assert not_utf8.status_code == 400
    assert not processed(event["id"])
    row = tenant(account.workspace_id)
    assert (row.plan, row.subscription_status) == ("free", None)
    assert billing_events(account.workspace_id) == []
    # A signature within the tolerance is accepted.
    assert fake_stripe.deliver(event, age=240).status_code == 200


def test_stripe_unreachable_for_the_reread_answers_503_and_records_nothing(
    api: httpx.Client, fake_stripe: FakeStripe
) -> None:
    account = signup(api, "bill-503")
    _, events = subscribe(api, fake_stripe, account)
    fake_stripe.fail("/v1/subscriptions", 500, times=2)  # the SDK retries once
    r = fake_stripe.deliver(events[0])
    assert r.status_code == 503, r.text
    assert r.json()["type"].endswith("/stripe-unavailable")
    assert not processed(events[0]["id"])
    assert tenant(account.workspace_id).plan == "free"
    assert fake_stripe.deliver(events[0]).json() == {"outcome": "updated"}  # Stripe's retry
    assert tenant(account.workspace_id).plan == "starter"


def test_events_of_unknown_customers_and_types_are_acknowledged(
    api: httpx.Client, fake_stripe: FakeStripe
) -> None:
    stranger = fake_stripe.event(
        "customer.subscription.updated", {"id": "sub_x", "customer": "cus_nobody"}
    )
    assert fake_stripe.deliver(stranger).json() == {"outcome": "unknown-customer"}
    other = fake_stripe.event("charge.refunded", {"id": "ch_x", "customer": "cus_nobody"})
    assert fake_stripe.deliver(other).json() == {"outcome": "ignored"}
    odd = {**fake_stripe.event("invoice.paid", {}), "data": ["not", "an", "object"]}
    assert fake_stripe.deliver(odd).json() == {"outcome": "ignored"}


def test_a_reread_stripe_refuses_is_acknowledged_and_not_recorded(
    api: httpx.Client, fake_stripe: FakeStripe
) -> None:
    account = signup(api, "bill-404")
    _, events = subscribe(api, fake_stripe, account)
    fake_stripe.fail("/v1/subscriptions", 404)  # e.g. the customer was deleted at Stripe
    assert fake_stripe.deliver(events[0]).json() == {"outcome": "stripe-refused"}
    assert not processed(events[0]["id"])
    assert tenant(account.workspace_id).plan == "free"


def test_trial_ending_and_action_required_email_the_owner(
    api: httpx.Client, fake_stripe: FakeStripe, mailbox: Mailbox
) -> None:
    account = signup(api, "bill-mail")
    r = api.post("/v1/billing/checkout", json={"plan": "starter"}, headers=account.headers)
    events = fake_stripe.complete_checkout(r.json()["id"], trial_days=14)
    fake_stripe.deliver_all(events)
    row = tenant(account.workspace_id)
    assert (row.plan, row.subscription_status) == ("starter", "trialing")
    assert row.trial_end is not None
    assert row.trial_end > datetime.now(UTC) + timedelta(days=13)
    sub = fake_stripe.subscription_of(row.stripe_customer_id or "")
    fake_stripe.deliver_all(fake_stripe.trial_will_end(sub["id"]))
    assert "Add a payment method" in mailbox.wait_for(account.email, "trial ends", 10).body
    fake_stripe.deliver_all(fake_stripe.require_action(sub["id"]))
    mail = mailbox.wait_for(account.email, "confirmation", 10)
    assert "/i/in_" in mail.body


def test_deleted_falls_back_to_free_limits(api: httpx.Client, fake_stripe: FakeStripe) -> None:
    account = subscribed(api, fake_stripe, "bill-cancel")
    numbers = api.get(
        f"/v1/numbers/available?area_code={simulated_area()}&limit=5", headers=account.headers
    )
    for candidate in numbers.json()["data"][:2]:  # starter allows 5, free 1
        r = api.post(
            "/v1/numbers/purchase",
            json={"phone_number": candidate["phone_number"]},
            headers=account.headers,
        )
        assert r.status_code == 201, r.text
    sub = fake_stripe.subscription_of(tenant(account.workspace_id).stripe_customer_id or "")
    assert fake_stripe.deliver_all(fake_stripe.cancel(sub["id"]))[0].status_code == 200
    row = tenant(account.workspace_id)
    assert (row.plan, row.subscription_status) == ("free", "canceled")
    third = numbers.json()["data"][2]
    r = api.post(
        "/v1/numbers/purchase",
        json={"phone_number": third["phone_number"]},
        headers=account.headers,
    )
    assert r.status_code == 402, r.text
    body = r.json()
    assert body["type"].endswith("/plan-limit-numbers")
    assert (body["limit"], body["current"], body["plan"]) == (1, 2, "free")
    overview = api.get("/v1/billing", headers=account.headers).json()
    assert overview["plan"] == "free"
    assert overview["can_checkout"] is True  # subscribe again
    last = billing_events(account.workspace_id, "billing.updated")[-1].data
    assert (last["previous_plan"], last["plan"], last["cause"]) == (
        "starter",
        "free",
        "customer.subscription.deleted",
    )
