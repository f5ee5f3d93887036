"""The dashboard's aggregates and the onboarding checklist, on real PostgreSQL."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import event

from shared.campaigns.models import Campaign, CampaignContact
from shared.contacts.models import ConsentEvent, Contact
from shared.dashboard import schemas, service
from shared.db.engine import get_engine
from shared.db.session import tenant_session
from shared.messaging.models import Message
from shared.tenancy.principal import Principal
from tests.identity_helpers import Account, signup

NOW = datetime(2026, 3, 10, 15, 20, tzinfo=UTC)


def _principal(account: Account) -> Principal:
    return Principal(tenant_id=uuid.UUID(account.workspace_id), role="owner")


def _message(tenant: uuid.UUID, at: datetime, status: str, **extra: Any) -> Message:
    inbound = status == "received"
    return Message(
        tenant_id=tenant,
        direction="inbound" if inbound else "outbound",
        sender_type="contact" if inbound else "api",
        from_number="+14155550100",
        to_number="+14155550101",
        body="hi",
        status=status,
        segments=extra.pop("segments", 1),
        created_at=at,
        **extra,
    )


def _opt_out(tenant: uuid.UUID, at: datetime) -> ConsentEvent:
    return ConsentEvent(
        tenant_id=tenant, phone="+14155550101", kind="opt_out", source="keyword", occurred_at=at
    )


@contextmanager
def statements() -> Iterator[list[str]]:
    """SQL statements this thread runs meanwhile (background senders, such as the email
    outbox, are not counted), leaving out the session's role/tenant pinning."""
    seen: list[str] = []
    thread = threading.get_ident()

    def record(conn: Any, cursor: Any, sql: str, *args: Any) -> None:
        if threading.get_ident() != thread:
            return
        if "set_config" not in sql and "SET LOCAL" not in sql.upper():
            seen.append(sql)

    engine = get_engine()
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_activity_counts_per_hour_over_24h(api: httpx.Client) -> None:
    account = signup(api, "dash")
    tenant = uuid.UUID(account.workspace_id)
    hour_ago = NOW - timedelta(minutes=50)  # 14:30, the 14:00 bucket
    with tenant_session(tenant) as s:
        s.add_all(
            [
                _message(tenant, hour_ago, "delivered", segments=2),
                _message(tenant, hour_ago, "delivered"),
                _message(tenant, hour_ago, "undelivered"),
                _message(tenant, hour_ago, "failed"),
                _message(tenant, hour_ago, "queued"),
                _message(tenant, NOW - timedelta(hours=3), "received"),
                _message(tenant, NOW - timedelta(hours=30), "delivered"),  # before the range
                _opt_out(tenant, hour_ago),
                _opt_out(tenant, NOW - timedelta(days=3)),  # before the range
            ]
        )
    query = schemas.ActivityQuery(range="24h", tz="UTC")
    with statements() as seen:
        out = service.activity(_principal(account), query, now=NOW)
    assert len(seen) == 1, seen  # one statement for the series and the totals
    assert out.bucket == "hour"
    assert len(out.points) == 24
    assert out.points[-1].start == datetime(2026, 3, 10, 15, tzinfo=UTC)
    assert out.since == datetime(2026, 3, 9, 16, tzinfo=UTC)
    at_14 = next(p for p in out.points if p.start.hour == 14)
    assert (at_14.sent, at_14.delivered, at_14.failed, at_14.opt_outs) == (3, 2, 2, 1)
    assert out.totals.model_dump() == {
        "sent": 3,
        "delivered": 2,
        "failed": 2,
        "replies": 1,
        "opt_outs": 1,
    }
    assert out.delivery_rate == 0.5
    assert out.segments == 4  # sent, delivered and undelivered count; queued and failed do not
    # Priced as the plans say (shared/billing/plans.py): free has no overage, so the first
    # paid plan's 1.5 cents per segment.
    assert out.estimated_spend_minor == 6


def test_days_start_at_local_midnight(api: httpx.Client) -> None:
    account = signup(api, "dash-tz")
    tenant = uuid.UUID(account.workspace_id)
    # 03:00 UTC on March 10 is still March 9 in New York (UTC-4 after the DST change).
    with tenant_session(tenant) as s:
        s.add(_message(tenant, datetime(2026, 3, 10, 3, tzinfo=UTC), "delivered"))
    out = service.activity(
        _principal(account), schemas.ActivityQuery(range="7d", tz="America/New_York"), now=NOW
    )
    assert len(out.points) == 7
    by_day = {p.start: p.delivered for p in out.points}
    assert by_day[datetime(2026, 3, 9, 4, tzinfo=UTC)] == 1  # March 9, 00:00 EDT
    assert out.points[-1].start == datetime(2026, 3, 10, 4, tzinfo=UTC)
    # March 8 00:00 in New York is still EST (UTC-5): the day before the change.
    assert datetime(2026, 3, 8, 5, tzinfo=UTC) in by_day


def test_activity_route_validates_its_query(api: httpx.Client) -> None:
    account = signup(api, "dash-http")
    r = api.get("/v1/dashboard/activity?range=30d&tz=Europe/Paris", headers=account.headers)
    assert r.status_code == 200, r.text
    assert len(r.json()["points"]) == 30
    assert r.json()["delivery_rate"] is None
    bad = api.get("/v1/dashboard/activity?range=1y&tz=Mars/Olympus", headers=account.headers)
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"query.range", "query.tz"}
    assert api.get("/v1/dashboard/activity").status_code == 401


def test_campaigns_in_flight_with_progress_in_one_query(api: httpx.Client) -> None:
    account = signup(api, "dash-camp")
    tenant = uuid.UUID(account.workspace_id)
    with tenant_session(tenant) as s:
        contacts = [Contact(tenant_id=tenant, phone=f"+1415555{i:04d}") for i in range(4)]
        s.add_all(contacts)
        running = Campaign(
            tenant_id=tenant,
            name="Spring sale",
            body="hi",
            audience={},
            status="running",
            audience_size=4,
            launched_at=NOW,
        )
        scheduled = Campaign(
            tenant_id=tenant, name="Later", body="hi", audience={}, status="scheduled", send_at=NOW
        )
        done = Campaign(tenant_id=tenant, name="Done", body="hi", audience={}, status="completed")
        s.add_all([running, scheduled, done])
        s.flush()
        for seq, (contact, status) in enumerate(
            zip(contacts, ["sent", "skipped", "pending", "queued"], strict=True)
        ):
            s.add(
                CampaignContact(
                    tenant_id=tenant,
                    campaign_id=running.id,
                    contact_id=contact.id,
                    seq=seq,
                    phone=contact.phone,
                    status=status,
                )
            )
    with statements() as seen:
        out = service.campaigns_in_flight(_principal(account))
    assert len(seen) == 1, seen
    assert [(c.name, c.status, c.audience, c.done) for c in out.data] == [
        ("Spring sale", "running", 4, 2),
        ("Later", "scheduled", 0, 0),
    ]
    r = api.get("/v1/dashboard/campaigns", headers=account.headers)
    assert [c["name"] for c in r.json()["data"]] == ["Spring sale", "Later"]


def test_onboarding_ticks_itself_from_the_workspaces_data(api: httpx.Client) -> None:
    account = signup(api, "onboard")
    tenant = uuid.UUID(account.workspace_id)
    r = api.get("/v1/onboarding", headers=account.headers)
    assert r.status_code == 200
    body = r.json()
    assert body["provider"] == "simulator"  # the local default stands in for Twilio
    assert [(s["key"], s["done"]) for s in body["steps"]] == [
        ("provider", True),
        ("number", False),
        ("contacts", False),
        ("campaign", False),
    ]
    assert body["complete"] is False

    number = api.get("/v1/numbers/available?area_code=555", headers=account.headers).json()
    assert (
        api.post(
            "/v1/numbers/purchase",
            json={"phone_number": number["data"][0]["phone_number"]},
            headers=account.headers,
        ).status_code
        == 201
    )
    assert (
        api.post(
            "/v1/contacts", json={"phone": "+14155550199"}, headers=account.headers
        ).status_code
        == 201
    )
    with tenant_session(tenant) as s:
        s.add(
            Campaign(
                tenant_id=tenant,
                name="First",
                body="hi",
                audience={},
                status="completed",
                launched_at=NOW,
            )
        )
    with statements() as seen:
        out = service.onboarding(_principal(account))
    assert len(seen) == 1
    assert out.complete
    assert all(step.done for step in out.steps)


@pytest.mark.parametrize("path", ["/v1/dashboard/campaigns", "/v1/onboarding"])
def test_dashboard_routes_need_a_session(api: httpx.Client, path: str) -> None:
    assert api.get(path).status_code == 401
