"""Plan limits where they bite (402 problem+json with the limit and the current value),
and the past-due grace period: campaigns stop after it, replies never do."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from shared.billing import plans
from shared.campaigns.service import launch_scheduled
from shared.db.session import system_session
from tests.billing.helpers import (
    add_usage,
    set_past_due_since,
    simulated_area,
    subscribed,
    tenant,
    usage_records,
)
from tests.fakes.stripe import FakeStripe
from tests.fakes.twilio import FakeTwilio
from tests.identity_helpers import Account, signup
from tests.messaging.helpers import connect_twilio, new_phone, wait_until


def _limit(r: httpx.Response, name: str) -> dict[str, Any]:
    assert r.status_code == 402, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = r.json()
    assert body["type"].endswith(f"/plan-limit-{name}")
    return body


def _shrink(monkeypatch: pytest.MonkeyPatch, plan: str, **limits: int) -> None:
    monkeypatch.setitem(plans.PLANS, plan, dataclasses.replace(plans.PLANS[plan], **limits))


def _pool(api: httpx.Client, account: Account) -> str:
    """A simulator number in a pool."""
    available = api.get(
        f"/v1/numbers/available?area_code={simulated_area()}", headers=account.headers
    ).json()
    bought = api.post(
        "/v1/numbers/purchase",
        json={"phone_number": available["data"][0]["phone_number"]},
        headers=account.headers,
    )
    assert bought.status_code == 201, bought.text
    api.patch(f"/v1/numbers/{bought.json()['id']}", json={"mps": 50}, headers=account.headers)
    pool = api.post("/v1/number-pools", json={"name": "main"}, headers=account.headers).json()
    r = api.put(
        f"/v1/number-pools/{pool['id']}/numbers",
        json={"number_ids": [bought.json()["id"]]},
        headers=account.headers,
    )
    assert r.status_code == 200, r.text
    return str(pool["id"])


def _campaign(
    api: httpx.Client, account: Account, pool_id: str, tag: str, **extra: Any
) -> dict[str, Any]:
    body = {
        "name": f"c-{uuid.uuid4().hex[:6]}",
        "body": "Hello from the sale",
        "audience": {"tags": [tag]},
        "pool_id": pool_id,
        "quiet_hours": None,
        **extra,
    }
    r = api.post("/v1/campaigns", json=body, headers=account.headers)
    assert r.status_code == 201, r.text
    return dict(r.json())


def _contacts(api: httpx.Client, account: Account, tag: str, count: int) -> None:
    for _ in range(count):
        r = api.post(
            "/v1/contacts", json={"phone": new_phone(), "tags": [tag]}, headers=account.headers
        )
        assert r.status_code == 201, r.text


def _status(api: httpx.Client, account: Account, campaign_id: str) -> dict[str, Any]:
    return dict(api.get(f"/v1/campaigns/{campaign_id}", headers=account.headers).json())


def test_seats_on_invite(api: httpx.Client, fake_stripe: FakeStripe) -> None:
    owner = signup(api, "lim-seats")  # free: 2 seats
    first = api.post(
        "/v1/members/invitations", json={"email": "one@example.com"}, headers=owner.headers
    )
    assert first.status_code == 201, first.text
    second = api.post(
        "/v1/members/invitations", json={"email": "two@example.com"}, headers=owner.headers
    )
    body = _limit(second, "seats")
    assert (body["limit"], body["current"], body["requested"], body["plan"]) == (2, 2, 1, "free")


def test_numbers_on_purchase_and_import(
    api: httpx.Client, fake_stripe: FakeStripe, fake_twilio: FakeTwilio
) -> None:
    ws = connect_twilio(api, fake_twilio, "lim-num")  # imports its one number: free allows 1
    area = ws.number["phone_number"][2:5]
    candidate = api.get(f"/v1/numbers/available?area_code={area}", headers=ws.headers).json()
    r = api.post(
        "/v1/numbers/purchase",
        json={"phone_number": candidate["data"][0]["phone_number"]},
        headers=ws.headers,
    )
    body = _limit(r, "numbers")
    assert (body["limit"], body["current"]) == (1, 1)
    for suffix in ("71", "72"):
        fake_twilio.own_number(ws.sid, f"+1{area}5559{suffix}")
    body = _limit(api.post("/v1/numbers/import", headers=ws.headers), "numbers")
    assert (body["limit"], body["current"], body["requested"]) == (1, 1, 2)
    assert len(api.get("/v1/numbers", headers=ws.headers).json()["data"]) == 1


def test_contacts_on_create_and_import(
    api: httpx.Client, fake_stripe: FakeStripe, monkeypatch: pytest.MonkeyPatch
) -> None:
    _shrink(monkeypatch, "free", contacts=3)
    account = signup(api, "lim-contacts")
    phones = [new_phone() for _ in range(4)]
    for phone in phones[:3]:
        assert api.post("/v1/contacts", json={"phone": phone}, headers=account.headers).is_success
    body = _limit(
        api.post("/v1/contacts", json={"phone": phones[3]}, headers=account.headers), "contacts"
    )
    assert (body["limit"], body["current"]) == (3, 3)
    duplicate = api.post("/v1/contacts", json={"phone": phones[0]}, headers=account.headers)
    assert duplicate.status_code == 409  # a duplicate is a duplicate, not a new contact

    def run_import(csv: str) -> dict[str, Any]:
        r = api.post(
            "/v1/contacts/imports",
            files={"file": ("c.csv", csv.encode(), "text/csv")},
            headers=account.headers,
        )
        assert r.status_code == 202, r.text
        job_id = r.json()["id"]

        def done() -> dict[str, Any] | None:
            job = api.get(f"/v1/contacts/imports/{job_id}", headers=account.headers).json()
            return job if job["status"] in ("completed", "failed") else None

        return dict(wait_until(done, timeout=30))

    updates = run_import("phone,first_name\n" + "".join(f"{p},Ann\n" for p in phones[:3]))
    assert (updates["status"], updates["rows_updated"]) == ("completed", 3)
    grows = run_import("phone\n" + "\n".join([phones[0], phones[3], new_phone()]) + "\n")
    assert grows["status"] == "failed"
    assert "includes 3 contacts" in grows["error"]
    listed = api.get("/v1/contacts", headers=account.headers).json()["data"]
    assert len(listed) == 3


def test_a_launch_the_free_segments_cannot_cover_is_refused(
    api: httpx.Client, fake_stripe: FakeStripe, monkeypatch: pytest.MonkeyPatch
) -> None:
    _shrink(monkeypatch, "free", included_segments=5)
    account = signup(api, "lim-segments")
    pool_id = _pool(api, account)
    _contacts(api, account, "a", 2)
    add_usage(account.workspace_id, "sms_outbound_segments", [2])
    first = _campaign(api, account, pool_id, "a")
    r = api.post(f"/v1/campaigns/{first['id']}/launch", headers=account.headers)
    assert r.status_code == 200, r.text  # 2 of the 3 left
    wait_until(lambda: _status(api, account, first["id"])["status"] == "completed")
    wait_until(lambda: sum(u.quantity for u in usage_records(account.workspace_id)) == 4)
    second = _campaign(api, account, pool_id, "a")
    body = _limit(
        api.post(f"/v1/campaigns/{second['id']}/launch", headers=account.headers), "segments"
    )
    assert (body["limit"], body["current"], body["requested"]) == (5, 4, 2)
    assert _status(api, account, second["id"])["status"] == "draft"  # nothing was frozen
    with system_session() as s:
        frozen = s.scalar(
            text("SELECT count(*) FROM campaign_contacts WHERE campaign_id = :c"),
            {"c": second["id"]},
        )
    assert frozen == 0


def test_past_due_grace_then_campaigns_stop_replies_go_on_then_paid(
    api: httpx.Client, fake_stripe: FakeStripe
) -> None:
    account = subscribed(api, fake_stripe, "lim-pastdue")
    pool_id = _pool(api, account)
    _contacts(api, account, "b", 2)
    sub = fake_stripe.subscription_of(tenant(account.workspace_id).stripe_customer_id or "")
    failed = fake_stripe.fail_renewal(sub["id"])
    fake_stripe.deliver_all(failed)
    overview = api.get("/v1/billing", headers=account.headers).json()
    assert overview["subscription"]["status"] == "past_due"
    grace_ends = datetime.fromisoformat(overview["past_due"]["grace_ends_at"])
    assert timedelta(days=6.9) < grace_ends - datetime.now(UTC) <= timedelta(days=7)
    assert overview["past_due"]["bulk_sending_blocked"] is False
    assert overview["bulk_sending_allowed"] is True

    during = _campaign(api, account, pool_id, "b")  # within the grace period: sends
    assert api.post(f"/v1/campaigns/{during['id']}/launch", headers=account.headers).is_success
    wait_until(lambda: _status(api, account, during["id"])["status"] == "completed")
    later = _campaign(
        api, account, pool_id, "b", send_at=(datetime.now(UTC) + timedelta(hours=1)).isoformat()
    )
    assert api.post(f"/v1/campaigns/{later['id']}/launch", headers=account.headers).is_success

    set_past_due_since(account.workspace_id, datetime.now(UTC) - timedelta(days=8))  # time passes
    overview = api.get("/v1/billing", headers=account.headers).json()
    assert overview["past_due"]["bulk_sending_blocked"] is True
    assert overview["bulk_sending_allowed"] is False
    refused = _campaign(api, account, pool_id, "b")
    r = api.post(f"/v1/campaigns/{refused['id']}/launch", headers=account.headers)
    assert r.status_code == 402, r.text
    assert r.json()["type"].endswith("/payment-past-due")
    # A scheduled campaign that starts now stops at its first batch.
    with system_session() as s:
        s.execute(text("UPDATE campaigns SET send_at = now() WHERE id = :c"), {"c": later["id"]})
    assert launch_scheduled(uuid.UUID(account.workspace_id), uuid.UUID(later["id"]))
    paused = wait_until(
        lambda: (c := _status(api, account, later["id"]))["status"] == "paused" and c
    )
    assert paused["pause_reason"].startswith("billing: payment past due")
    stats = api.get(f"/v1/campaigns/{later['id']}/stats", headers=account.headers).json()
    assert stats["sent"] + stats["delivered"] == 0
    # Replies (and one-off messages) still go out.
    reply = api.post(
        "/v1/messages",
        json={"to": new_phone(), "body": "We got your message"},
        headers=account.headers,
    )
    assert reply.status_code == 201, reply.text
    wait_until(
        lambda: (
            api.get(f"/v1/messages/{reply.json()['id']}", headers=account.headers).json()["status"]
            in ("sent", "delivered")
        )
    )

    invoice = failed[0]["data"]["object"]["id"]
    fake_stripe.deliver_all(fake_stripe.pay(invoice))
    row = tenant(account.workspace_id)
    assert (row.subscription_status, row.past_due_since) == ("active", None)
    assert api.get("/v1/billing", headers=account.headers).json()["past_due"] is None
    assert api.post(f"/v1/campaigns/{refused['id']}/launch", headers=account.headers).is_success
    assert api.post(f"/v1/campaigns/{later['id']}/resume", headers=account.headers).is_success
    wait_until(lambda: _status(api, account, later["id"])["status"] == "completed")


def test_no_limit_binds_while_billing_is_off(
    api: httpx.Client, fake_stripe: FakeStripe, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.billing.conftest import refresh

    monkeypatch.delenv("STRIPE_API_KEY")
    refresh()
    try:
        account = signup(api, "lim-off")
        available = api.get(
            f"/v1/numbers/available?area_code={simulated_area()}", headers=account.headers
        )
        for candidate in available.json()["data"][:2]:
            r = api.post(
                "/v1/numbers/purchase",
                json={"phone_number": candidate["phone_number"]},
                headers=account.headers,
            )
            assert r.status_code == 201, r.text
        overview = api.get("/v1/billing", headers=account.headers).json()
        assert (overview["stripe_configured"], overview["limits_enforced"]) == (False, False)
        assert {lim["name"]: lim["used"] for lim in overview["limits"]}["numbers"] == 2
        checkout = api.post(
            "/v1/billing/checkout", json={"plan": "starter"}, headers=account.headers
        )
        assert checkout.status_code == 409
        assert checkout.json()["type"].endswith("/stripe-not-configured")
    finally:
        monkeypatch.undo()
        refresh()
