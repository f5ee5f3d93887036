"""The billing routes: what the console's Billing page reads, and who may read it."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import httpx

from functions import billing_meter
from tests.billing.helpers import add_usage, subscribed, tenant
from tests.fakes.stripe import FakeStripe
from tests.identity_helpers import Account, signup

ROUTES = [
    ("GET", "/v1/billing", None),
    ("POST", "/v1/billing/checkout", {"plan": "starter"}),
    ("POST", "/v1/billing/portal", None),
    ("GET", "/v1/billing/invoices", None),
    ("GET", "/v1/billing/usage", None),
]


def _member(api: httpx.Client, owner: Account) -> dict[str, str]:
    key = api.post("/v1/api-keys", json={"name": "member", "role": "member"}, headers=owner.headers)
    assert key.status_code == 201, key.text
    return {"Authorization": f"Bearer {key.json()['secret']}"}


def test_owner_and_admin_only(api: httpx.Client, fake_stripe: FakeStripe) -> None:
    owner = signup(api, "route-roles")
    member = _member(api, owner)
    for method, path, body in ROUTES:
        r = api.request(method, path, json=body, headers=member)
        assert r.status_code == 403, f"{method} {path}: {r.status_code}"
        assert api.request(method, path, json=body).status_code == 401


def test_a_free_workspace_sees_its_plan_cards_usage_and_limits(
    api: httpx.Client, fake_stripe: FakeStripe
) -> None:
    owner = signup(api, "route-free")
    add_usage(owner.workspace_id, "sms_outbound_segments", [30, 20])
    add_usage(owner.workspace_id, "ai_input_tokens", [5_000])
    r = api.get("/v1/billing", headers=owner.headers)
    assert r.status_code == 200, r.text
    data = r.json()
    assert (data["stripe_configured"], data["plan"], data["subscription"]) == (True, "free", None)
    cards = {card["name"]: card for card in data["plans"]}
    assert list(cards) == ["free", "starter", "growth", "enterprise"]
    assert [name for name, card in cards.items() if card["current"]] == ["free"]
    assert cards["starter"]["monthly_price_minor"] == 4900
    assert cards["starter"]["segment_price_minor"] == "1.5"
    assert cards["starter"]["ai_token_price_minor"] == "0.0005"
    assert cards["free"]["segment_price_minor"] is None
    assert cards["enterprise"]["seats"] is None  # unlimited
    assert [c["purchasable"] for c in cards.values()] == [False, True, True, True]
    usage = {u["meter"]: u for u in data["usage"]}
    assert (usage["sms_segments"]["used"], usage["sms_segments"]["included"]) == (50, 100)
    assert usage["sms_segments"]["percent"] == 50.0
    assert usage["ai_tokens"]["used"] == 5_000
    limits = {lim["name"]: (lim["used"], lim["limit"]) for lim in data["limits"]}
    assert limits == {"seats": (1, 2), "numbers": (0, 1), "contacts": (0, 500)}
    start = datetime.fromisoformat(data["period_start"])
    assert (start.day, start.hour) == (1, 0)  # the calendar month without a subscription
    assert data["upcoming_invoice"] is None
    assert (data["past_due"], data["bulk_sending_allowed"]) == (None, True)
    assert (data["can_checkout"], data["can_manage"]) == (True, False)
    portal = api.post("/v1/billing/portal", headers=owner.headers)
    assert portal.status_code == 409
    assert portal.json()["type"].endswith("/no-billing-account")
    assert api.get("/v1/billing/invoices", headers=owner.headers).json() == {
        "data": [],
        "next_cursor": None,
    }


def test_checkout_refuses_bad_plans_and_a_second_subscription(
    api: httpx.Client, fake_stripe: FakeStripe
) -> None:
    owner = signup(api, "route-checkout")
    for bad in ({"plan": "free"}, {"plan": "platinum"}, {}, {"plan": "starter", "x": 1}):
        r = api.post("/v1/billing/checkout", json=bad, headers=owner.headers)
        assert r.status_code == 422, (bad, r.text)
    first = api.post("/v1/billing/checkout", json={"plan": "starter"}, headers=owner.headers)
    again = api.post("/v1/billing/checkout", json={"plan": "growth"}, headers=owner.headers)
    assert first.status_code == again.status_code == 200
    customers = {
        s["customer"]
        for s in fake_stripe.of_type("checkout.session")
        if s["client_reference_id"] == owner.workspace_id
    }
    assert len(customers) == 1  # one customer per workspace, reused
    session = next(
        s for s in fake_stripe.of_type("checkout.session") if s["id"] == first.json()["id"]
    )
    assert session["mode"] == "subscription"
    assert session["metadata"] == {"tenant_id": owner.workspace_id, "plan": "starter"}
    assert "{CHECKOUT_SESSION_ID}" in session["success_url"]
    fake_stripe.deliver_all(fake_stripe.complete_checkout(first.json()["id"]))
    third = api.post("/v1/billing/checkout", json={"plan": "growth"}, headers=owner.headers)
    assert third.status_code == 409
    assert third.json()["type"].endswith("/subscription-exists")
    portal = api.post("/v1/billing/portal", headers=owner.headers)
    assert portal.status_code == 200, portal.text
    assert portal.json()["url"].startswith(fake_stripe.base_url)


def test_the_upcoming_invoice_moves_with_pushed_usage(
    api: httpx.Client, fake_stripe: FakeStripe
) -> None:
    owner = subscribed(api, fake_stripe, "route-upcoming")  # starter: 5,000 included
    add_usage(owner.workspace_id, "sms_outbound_segments", [5_000, 1_000])
    before = api.get("/v1/billing", headers=owner.headers).json()["upcoming_invoice"]
    assert (before["source"], before["amount_due_minor"]) == ("stripe", 4900)  # not pushed yet
    billing_meter.run({"tenant_id": owner.workspace_id})
    data = api.get("/v1/billing", headers=owner.headers).json()
    upcoming = data["upcoming_invoice"]
    assert upcoming["source"] == "stripe"
    assert upcoming["amount_due_minor"] == 4900 + 1_500  # 1,000 segments at 1.5 cents
    assert {line["amount_minor"] for line in upcoming["lines"]} == {4900, 1500, 0}
    usage = {u["meter"]: u for u in data["usage"]}["sms_segments"]
    assert (usage["overage"], usage["overage_estimate_minor"]) == (1_000, 1_500)
    # Stripe unreachable: a local estimate of the same, labelled as one.
    fake_stripe.fail("/v1/invoices/create_preview", 500)  # not retried: the page answers now
    estimate = api.get("/v1/billing", headers=owner.headers).json()["upcoming_invoice"]
    assert (estimate["source"], estimate["amount_due_minor"]) == ("estimate", 6400)
    again = api.get("/v1/billing", headers=owner.headers).json()["upcoming_invoice"]
    assert (again["source"], again["amount_due_minor"]) == ("stripe", 6400)


def test_invoices_are_listed_newest_first_with_links(
    api: httpx.Client, fake_stripe: FakeStripe
) -> None:
    owner = subscribed(api, fake_stripe, "route-invoices")
    sub = fake_stripe.subscription_of(tenant(owner.workspace_id).stripe_customer_id or "")
    failed = fake_stripe.fail_renewal(sub["id"])
    fake_stripe.deliver_all(failed)
    fake_stripe.deliver_all(fake_stripe.pay(failed[0]["data"]["object"]["id"]))
    page = api.get("/v1/billing/invoices?limit=1", headers=owner.headers).json()
    assert len(page["data"]) == 1
    newest = page["data"][0]
    assert newest["id"] == failed[0]["data"]["object"]["id"]
    assert (newest["status"], newest["amount_paid_minor"]) == ("paid", 4900)
    assert newest["hosted_invoice_url"].startswith(fake_stripe.base_url)
    assert newest["invoice_pdf"].endswith("/pdf")
    assert newest["number"].startswith("FAKE-")
    rest = api.get(
        f"/v1/billing/invoices?limit=1&cursor={page['next_cursor']}", headers=owner.headers
    ).json()
    assert len(rest["data"]) == 1
    assert rest["next_cursor"] is None
    assert rest["data"][0]["id"] != newest["id"]
    for bad in ("nonsense", "in_doesnotexist"):
        r = api.get(f"/v1/billing/invoices?cursor={bad}", headers=owner.headers)
        assert r.status_code == 422, r.text


def test_usage_series_is_daily_with_every_day_present(
    api: httpx.Client, fake_stripe: FakeStripe
) -> None:
    owner = signup(api, "route-usage")
    today = datetime.now(UTC).date()
    three_days_ago = datetime.combine(today - timedelta(days=3), datetime.min.time(), UTC)
    add_usage(owner.workspace_id, "sms_outbound_segments", [2, 3], at=three_days_ago)
    add_usage(owner.workspace_id, "mms_outbound_messages", [1])
    add_usage(owner.workspace_id, "ai_output_tokens", [70])
    add_usage(owner.workspace_id, "sms_inbound_segments", [9])  # not billed, not shown
    start = today - timedelta(days=5)
    r = api.get(f"/v1/billing/usage?from={start}&to={today}", headers=owner.headers)
    assert r.status_code == 200, r.text
    data = r.json()
    assert [date.fromisoformat(d["day"]) for d in data["days"]] == [
        start + timedelta(days=i) for i in range(6)
    ]
    by_day = {date.fromisoformat(d["day"]): d for d in data["days"]}
    assert by_day[today - timedelta(days=3)]["sms_segments"] == 5
    assert by_day[today]["mms_messages"] == 1
    assert by_day[today]["segments"] == 3
    assert data["totals"] == {
        "day": str(start),
        "sms_segments": 5,
        "mms_messages": 1,
        "segments": 8,
        "ai_tokens": 70,
    }
    for query in ("from=2026-13-01", f"from={today}&to={start}", "from=2000-01-01&to=2002-01-01"):
        assert api.get(f"/v1/billing/usage?{query}", headers=owner.headers).status_code == 422


def test_workspace_b_never_sees_a_billing(api: httpx.Client, fake_stripe: FakeStripe) -> None:
    a = subscribed(api, fake_stripe, "route-a")
    add_usage(a.workspace_id, "sms_outbound_segments", [777_777])
    billing_meter.run({"tenant_id": a.workspace_id})
    row = tenant(a.workspace_id)
    invoices = [
        i["id"] for i in fake_stripe.of_type("invoice") if i["customer"] == row.stripe_customer_id
    ]
    secrets = [str(row.stripe_customer_id), str(row.stripe_subscription_id), *invoices, "777777"]
    b = signup(api, "route-b")
    for path in ("/v1/billing", "/v1/billing/invoices", "/v1/billing/usage"):
        r = api.get(path, headers=b.headers)
        assert r.status_code == 200, r.text
        for secret in secrets:
            assert secret not in r.text, f"{path} shows {secret} of workspace A"
    assert api.get("/v1/billing", headers=b.headers).json()["plan"] == "free"
    # A's invoice id as B's cursor gives nothing of A.
    r = api.get(f"/v1/billing/invoices?cursor={invoices[0]}", headers=b.headers)
    assert r.status_code in (200, 422)
    assert all(secret not in r.text for secret in secrets)
    portal = api.post("/v1/billing/portal", headers=b.headers)
    assert portal.status_code == 409  # B has no customer; never A's
    assert uuid.UUID(b.workspace_id) != uuid.UUID(a.workspace_id)
