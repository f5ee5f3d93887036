"""Usage metering: recorded with the send's state, pushed to Stripe Billing Meters once."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from functions import billing_meter
from shared.billing import metering, reconcile
from shared.billing.usage import request_push as real_request_push
from shared.messaging.webhooks import StatusUpdate, apply_statuses
from tests.billing.helpers import (
    add_usage,
    batches,
    billing_events,
    subscribed,
    tenant,
    usage_records,
)
from tests.fakes.smtp import Mailbox
from tests.fakes.stripe import FakeStripe
from tests.fakes.twilio import FakeTwilio
from tests.identity_helpers import signup
from tests.messaging.helpers import connect_twilio, new_phone, wait_until


def _customer(account: Any) -> str:
    return tenant(account.workspace_id).stripe_customer_id or ""


def _message_usage(workspace_id: str) -> dict[str, tuple[str, int]]:
    return {r.source_id: (r.kind, r.quantity) for r in usage_records(workspace_id)}


def test_segments_are_recorded_when_the_provider_accepts(
    api: httpx.Client,
    fake_stripe: FakeStripe,
    fake_twilio: FakeTwilio,
    monkeypatch: pytest.MonkeyPatch,
    push_requests: list[uuid.UUID],
) -> None:
    monkeypatch.setattr(fake_twilio, "auto_callbacks", False)  # statuses applied by hand below
    ws = connect_twilio(api, fake_twilio, "bill-rec")
    sends = {
        "short": {"to": new_phone(), "body": "Hello"},
        "long": {"to": new_phone(), "body": "x" * 200},  # two segments
        "mms": {"to": new_phone(), "body": "Look", "media_urls": ["https://example.com/a.png"]},
        "refused": {"to": "+14155521211", "body": "never reaches a carrier"},  # 21211 at create
    }
    ids = {}
    for name, body in sends.items():
        r = api.post("/v1/messages", json=body, headers=ws.headers)
        assert r.status_code == 201, r.text
        ids[name] = r.json()["id"]
    wait_until(
        lambda: (
            api.get(f"/v1/messages/{ids['refused']}", headers=ws.headers).json()["status"]
            == "failed"
        )
    )
    usage = _message_usage(ws.account.workspace_id)
    assert usage == {
        f"message:{ids['short']}": ("sms_outbound_segments", 1),
        f"message:{ids['long']}": ("sms_outbound_segments", 2),
        f"message:{ids['mms']}": ("mms_outbound_messages", 1),
    }
    assert uuid.UUID(ws.account.workspace_id) in push_requests

    # Later statuses: delivered and undelivered stay billed; failed is corrected once.
    tenant_id = uuid.UUID(ws.account.workspace_id)

    def status(name: str, value: str) -> StatusUpdate:
        message = api.get(f"/v1/messages/{ids[name]}", headers=ws.headers).json()
        return StatusUpdate(tenant_id, uuid.UUID(ids[name]), message["provider_sid"], value, None)

    apply_statuses([status("short", "delivered"), status("long", "undelivered")])
    apply_statuses([status("mms", "failed")])
    apply_statuses([status("mms", "failed")])  # a redelivered callback changes nothing
    usage = _message_usage(ws.account.workspace_id)
    assert usage[f"message:{ids['mms']}:failed"] == ("mms_outbound_messages", -1)
    assert len(usage) == 4
    assert sum(q for kind, q in usage.values() if kind == "sms_outbound_segments") == 3


def test_a_callback_records_a_send_whose_answer_was_never_recorded(
    api: httpx.Client,
    fake_stripe: FakeStripe,
    fake_twilio: FakeTwilio,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sqlalchemy import delete

    from shared.billing.models import UsageRecord
    from shared.db.session import system_session

    monkeypatch.setattr(fake_twilio, "auto_callbacks", False)
    ws = connect_twilio(api, fake_twilio, "bill-late")
    message = api.post("/v1/messages", json={"to": new_phone(), "body": "Hi"}, headers=ws.headers)
    message_id = message.json()["id"]
    sid = api.get(f"/v1/messages/{message_id}", headers=ws.headers).json()["provider_sid"]
    with system_session() as s:  # as if the sender died right after the provider call
        s.execute(delete(UsageRecord).where(UsageRecord.source_id == f"message:{message_id}"))
    apply_statuses(
        [StatusUpdate(uuid.UUID(ws.account.workspace_id), uuid.UUID(message_id), sid, "sent", None)]
    )
    assert _message_usage(ws.account.workspace_id) == {
        f"message:{message_id}": ("sms_outbound_segments", 1)
    }


def test_a_push_run_twice_counts_once(api: httpx.Client, fake_stripe: FakeStripe) -> None:
    account = subscribed(api, fake_stripe, "bill-twice-push")
    add_usage(account.workspace_id, "sms_outbound_segments", [1, 2, 3])
    add_usage(account.workspace_id, "mms_outbound_messages", [1])
    add_usage(account.workspace_id, "ai_output_tokens", [400])
    add_usage(account.workspace_id, "ai_cache_read_tokens", [600])
    payload = {"tenant_id": account.workspace_id}
    before = len(fake_stripe.requests)
    billing_meter.run(payload)
    billing_meter.run(payload)  # a redelivered task
    customer = _customer(account)
    assert fake_stripe.meter_total("sms_segments", customer) == 6 + 3  # an MMS is 3 segments
    assert fake_stripe.meter_total("ai_tokens", customer) == 1000
    sent = [r for r in fake_stripe.writes(before) if r.path == "/v1/billing/meter_events"]
    assert len(sent) == 2  # one batch per meter, sent once: the second run had nothing
    assert {b.status for b in batches(account.workspace_id)} == {"pushed"}
    assert all(r.reported_at is not None for r in usage_records(account.workspace_id))
    assert all(r.meter_batch_id is not None for r in usage_records(account.workspace_id))


def test_a_busy_minute_is_batched_in_pages_within_one_push(
    api: httpx.Client, fake_stripe: FakeStripe, monkeypatch: pytest.MonkeyPatch
) -> None:
    account = subscribed(api, fake_stripe, "bill-pages")
    monkeypatch.setattr(metering, "BATCH_RECORDS", 2)
    add_usage(account.workspace_id, "sms_outbound_segments", [1, 1, 1, 1, 1])
    result = metering.push(uuid.UUID(account.workspace_id))
    assert (result.batched, result.pushed) == (3, 3)  # pages of 2, 2 and 1
    assert fake_stripe.meter_total("sms_segments", _customer(account)) == 5
    assert len({b.identifier for b in batches(account.workspace_id)}) == 3


def test_a_push_whose_answer_was_lost_is_counted_once(
    api: httpx.Client, fake_stripe: FakeStripe
) -> None:
    account = subscribed(api, fake_stripe, "bill-lost")
    add_usage(account.workspace_id, "sms_outbound_segments", [5])
    result = metering.PushResult()
    metering._batch(uuid.UUID(account.workspace_id), result)  # committed with its identifier
    (batch,) = batches(account.workspace_id)
    metering.send_meter_event(batch)  # Stripe counted it; then the instance died
    assert batches(account.workspace_id)[0].status == "pending"
    billing_meter.run({"tenant_id": account.workspace_id})  # the retry sends it again
    assert fake_stripe.meter_total("sms_segments", _customer(account)) == 5
    assert batches(account.workspace_id)[0].status == "pushed"


def test_stripe_errors_for_a_while_lose_no_usage(
    api: httpx.Client, fake_stripe: FakeStripe, gateway_url: str
) -> None:
    account = subscribed(api, fake_stripe, "bill-outage")
    payload = {"tenant_id": account.workspace_id}
    fake_stripe.fail("/v1/billing/meter_events", 500, times=4)  # the SDK retries 5xx once
    fake_stripe.fail("/v1/billing/meter_events", 429, times=2)
    expected = 0
    outcomes = []
    for round_ in range(5):
        quantities = [round_ + 1, 2]
        add_usage(account.workspace_id, "sms_outbound_segments", quantities)  # sending goes on
        expected += sum(quantities)
        # The task, as Cloud Tasks calls it: 500 makes the queue retry it later.
        r = httpx.post(f"{gateway_url}/_functions/billing-meter", json=payload, timeout=30)
        outcomes.append(r.status_code)
    assert outcomes == [500, 500, 500, 500, 204]
    assert fake_stripe.meter_total("sms_segments", _customer(account)) == expected
    pending = [b for b in batches(account.workspace_id) if b.status != "pushed"]
    assert pending == []
    assert max(b.attempts for b in batches(account.workspace_id)) == 5
    assert all(r.reported_at is not None for r in usage_records(account.workspace_id))


def test_usage_without_a_paid_subscription_is_not_sent_to_stripe(
    api: httpx.Client, fake_stripe: FakeStripe
) -> None:
    account = signup(api, "bill-free-usage")
    add_usage(account.workspace_id, "sms_outbound_segments", [3])
    before = len(fake_stripe.requests)
    result = metering.push(uuid.UUID(account.workspace_id))
    assert (result.batched, result.pushed, result.settled_locally) == (0, 0, 1)
    assert fake_stripe.writes(before) == []
    assert usage_records(account.workspace_id)[0].reported_at is not None


def test_a_correction_in_the_same_hour_nets_out(api: httpx.Client, fake_stripe: FakeStripe) -> None:
    account = subscribed(api, fake_stripe, "bill-net")
    add_usage(account.workspace_id, "sms_outbound_segments", [2, -2])
    result = metering.push(uuid.UUID(account.workspace_id))
    assert (result.batched, result.settled_locally) == (0, 2)
    assert fake_stripe.meter_total("sms_segments", _customer(account)) == 0


def test_warnings_at_80_and_100_percent_once_per_period(
    api: httpx.Client, fake_stripe: FakeStripe, mailbox: Mailbox
) -> None:
    account = signup(api, "bill-warn")  # free: 100 segments included
    tenant_id = uuid.UUID(account.workspace_id)
    add_usage(account.workspace_id, "sms_outbound_segments", [79])
    assert metering.push(tenant_id).warnings == []
    add_usage(account.workspace_id, "sms_outbound_segments", [6])
    assert metering.push(tenant_id).warnings == ["sms_segments:80"]
    assert metering.push(tenant_id).warnings == []  # once per period
    mail = mailbox.wait_for(account.email, "80% of your SMS segments", 10)
    assert "85 of the 100 SMS segments" in mail.body
    add_usage(account.workspace_id, "sms_outbound_segments", [15])
    assert metering.push(tenant_id).warnings == ["sms_segments:100"]
    mailbox.wait_for(account.email, "used all the SMS segments", 10)
    warnings = billing_events(account.workspace_id, "billing.usage_warning")
    assert [(w.data["threshold_percent"], w.data["used"]) for w in warnings] == [
        (80, 85),
        (100, 100),
    ]
    assert all(w.published_at is not None for w in warnings)
    # Usage of an earlier period does not count toward this one.
    last_month = datetime(2020, 1, 15, tzinfo=UTC)
    add_usage(account.workspace_id, "ai_output_tokens", [10**9], at=last_month)
    assert metering.push(tenant_id).warnings == []


def test_reconcile_pushes_what_is_left_and_reports_drift(
    api: httpx.Client, fake_stripe: FakeStripe
) -> None:
    account = subscribed(api, fake_stripe, "bill-drift")
    tenant_id = uuid.UUID(account.workspace_id)
    add_usage(account.workspace_id, "sms_outbound_segments", [4, 4])  # its push ask was lost
    result = reconcile.sweep(settle=reconcile.timedelta(0))
    assert result.pushed.get(tenant_id) == 1
    mine = [c for c in result.checks if c.tenant_id == tenant_id]
    assert {(c.meter, c.local, c.stripe, c.drift) for c in mine} == {
        ("sms_segments", 8, 8, 0),
        ("ai_tokens", 0, 0, 0),
    }
    # Stripe counts something we never sent (or lost something we did): drift.
    with fake_stripe.lock:
        fake_stripe.meter_events.append(
            {
                "event_name": "sms_segments",
                "identifier": "rogue",
                "payload": {"stripe_customer_id": _customer(account), "value": "3"},
                "timestamp": int(datetime.now(UTC).timestamp()),
            }
        )
    drifted = [
        c
        for c in reconcile.sweep(settle=reconcile.timedelta(0)).drifted
        if c.tenant_id == tenant_id
    ]
    assert [(c.meter, c.drift) for c in drifted] == [("sms_segments", 3)]


def test_request_push_asks_for_one_task_per_workspace_and_minute(
    fake_stripe: FakeStripe, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shared.queue

    asked: list[tuple[str, dict[str, Any], datetime | None, str | None]] = []

    def schedule(
        queue: str, payload: dict[str, Any], at: datetime | None = None, key: str | None = None
    ) -> bool:
        asked.append((queue, payload, at, key))
        return True

    monkeypatch.setattr(shared.queue, "schedule", schedule)
    tenant_id = uuid.uuid4()
    real_request_push(tenant_id)
    real_request_push(tenant_id)
    assert len(asked) == 1
    queue, payload, at, key = asked[0]
    assert (queue, payload) == ("billing-meter", {"tenant_id": str(tenant_id)})
    assert at is not None
    assert at.second == 5
    assert 0 < (at - datetime.now(UTC)).total_seconds() <= 65
    assert key is not None
    assert key.startswith(f"meter-{tenant_id}-")
