"""Helpers for billing tests: subscribing through the fake Checkout, reading state."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import select, text, update

from shared.billing.models import BillingEvent, MeterBatch, UsageRecord
from shared.db.session import system_session
from shared.tenancy.models import Tenant
from tests.fakes.stripe import FakeStripe
from tests.identity_helpers import Account, signup


def simulated_area() -> str:
    """An area code of its own for a test's simulator numbers: the simulator's fictional
    555 range has 100 numbers that the whole suite shares."""
    return str(200 + uuid.uuid4().int % 600)  # 8xx holds the toll-free codes


def subscribe(
    api: httpx.Client, fake: FakeStripe, account: Account, plan: str = "starter"
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Checkout through the API, paid at the fake; returns the subscription and the events
    Stripe sends (not delivered yet)."""
    r = api.post("/v1/billing/checkout", json={"plan": plan}, headers=account.headers)
    assert r.status_code == 200, r.text
    session_id = r.json()["id"]
    assert r.json()["url"].endswith(session_id)
    events = fake.complete_checkout(session_id)
    customer = events[0]["data"]["object"]["customer"]
    return fake.subscription_of(customer), events


def subscribed(api: httpx.Client, fake: FakeStripe, prefix: str, plan: str = "starter") -> Account:
    account = signup(api, prefix)
    _, events = subscribe(api, fake, account, plan)
    for response in fake.deliver_all(events):
        assert response.status_code == 200, response.text
    return account


def tenant(tenant_id: str | uuid.UUID) -> Tenant:
    with system_session() as s:
        row = s.get_one(Tenant, uuid.UUID(str(tenant_id)))
        s.expunge(row)
    return row


def billing_events(tenant_id: str | uuid.UUID, kind: str | None = None) -> list[BillingEvent]:
    with system_session() as s:
        query = select(BillingEvent).where(BillingEvent.tenant_id == uuid.UUID(str(tenant_id)))
        if kind:
            query = query.where(BillingEvent.type == kind)
        rows = list(s.scalars(query.order_by(BillingEvent.created_at)))
        s.expunge_all()
    return rows


def usage_records(tenant_id: str | uuid.UUID) -> list[UsageRecord]:
    with system_session() as s:
        rows = list(
            s.scalars(
                select(UsageRecord)
                .where(UsageRecord.tenant_id == uuid.UUID(str(tenant_id)))
                .order_by(UsageRecord.occurred_at, UsageRecord.source_id)
            )
        )
        s.expunge_all()
    return rows


def batches(tenant_id: str | uuid.UUID) -> list[MeterBatch]:
    with system_session() as s:
        rows = list(
            s.scalars(
                select(MeterBatch)
                .where(MeterBatch.tenant_id == uuid.UUID(str(tenant_id)))
                .order_by(MeterBatch.created_at)
            )
        )
        s.expunge_all()
    return rows


def add_usage(
    tenant_id: str | uuid.UUID, kind: str, quantities: list[int], at: datetime | None = None
) -> None:
    """Usage records as the send path and the AI engine write them (one per source)."""
    with system_session() as s:
        for quantity in quantities:
            values: dict[str, Any] = {
                "tenant_id": uuid.UUID(str(tenant_id)),
                "kind": kind,
                "quantity": quantity,
                "source_id": f"test:{uuid.uuid4()}",
            }
            if at is not None:
                values["occurred_at"] = at
            s.add(UsageRecord(**values))


def set_past_due_since(tenant_id: str | uuid.UUID, since: datetime) -> None:
    with system_session() as s:
        s.execute(
            update(Tenant)
            .where(Tenant.id == uuid.UUID(str(tenant_id)))
            .values(past_due_since=since)
        )


def processed(event_id: str) -> bool:
    with system_session() as s:
        return bool(
            s.scalar(
                text(
                    "SELECT count(*) FROM processed_provider_events"
                    " WHERE provider = 'stripe' AND event_id = :id"
                ),
                {"id": event_id},
            )
        )
