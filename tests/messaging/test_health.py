"""Sender health: a number failing too often stops with a reason naming its most frequent
error, its admins are emailed, an event is published; put back to work, it starts afresh."""

from __future__ import annotations

import uuid

import httpx

from shared.messaging.health import DID_MIN_SAMPLE, FinalOutcome, record_outcomes
from tests.conversations.helpers import RecordingBackend
from tests.fakes.smtp import Mailbox
from tests.fakes.twilio import FakeTwilio
from tests.messaging.helpers import connect_twilio, wait_until


def _outcomes(number_id: uuid.UUID, codes: list[int | None]) -> list[FinalOutcome]:
    return [FinalOutcome(number_id, None, code is not None, code) for code in codes]


def test_a_failing_number_names_its_most_frequent_error_and_tells_the_admins(
    api: httpx.Client,
    fake_twilio: FakeTwilio,
    mailbox: Mailbox,
    recording_queue: RecordingBackend,
) -> None:
    ws = connect_twilio(api, fake_twilio, "health")
    tenant_id = uuid.UUID(ws.account.workspace_id)
    number_id = uuid.UUID(ws.number["id"])
    # 6 of 20 failed (30 %): 4 with 30003, 2 with 30007; the last outcome is a success.
    codes: list[int | None] = [30007, 30003, None, 30003, 30007, 30003, 30003]
    codes += [None] * (DID_MIN_SAMPLE - len(codes))
    assert record_outcomes(tenant_id, _outcomes(number_id, codes[:-1])) == []
    assert record_outcomes(tenant_id, _outcomes(number_id, codes[-1:])) == [f"number:{number_id}"]

    number = api.get(f"/v1/numbers/{number_id}", headers=ws.headers).json()
    assert number["status"] == "failing"
    assert number["status_reason"] == (
        "6 of the last 20 messages failed, most often with error 30003 (4 times)"
    )
    mail = mailbox.wait_for(ws.account.email, "stopped sending")
    assert ws.number["phone_number"] in mail.subject
    assert "most often with error 30003" in mail.body
    (event,) = [e for t, e in recording_queue.published if t == "number.health_changed"]
    assert event.data["status"] == "failing"
    assert event.data["error_code"] == 30003
    assert (event.data["failures"], event.data["total"]) == (6, 20)
    assert event.data["phone_number"] == ws.number["phone_number"]

    # Put back to work, it is judged on what happens next, not on the failures behind it.
    r = api.patch(f"/v1/numbers/{number_id}", json={"status": "active"}, headers=ws.headers)
    assert r.status_code == 200, r.text
    assert record_outcomes(tenant_id, _outcomes(number_id, [30003])) == []
    assert api.get(f"/v1/numbers/{number_id}", headers=ws.headers).json()["status"] == "active"
    recovered = wait_until(
        lambda: [
            e.data
            for t, e in recording_queue.published
            if t == "number.health_changed" and e.data["status"] == "active"
        ]
    )
    assert recovered == [
        {
            "tenant_id": str(tenant_id),
            "number_id": str(number_id),
            "phone_number": ws.number["phone_number"],
            "status": "active",
            "reason": None,
            "error_code": None,
            "failures": None,
            "total": None,
        }
    ]


def test_failures_without_a_code_say_so() -> None:
    from shared.messaging.health import Window

    assert (
        Window(20, 7, None, 0).reason() == "7 of the last 20 messages failed (no error code given)"
    )


def test_a_batch_counts_each_window_once_with_its_sums() -> None:
    from shared.cache import get_redis
    from shared.messaging.health import window_key

    tenant_id, first, second, campaign = (uuid.uuid4() for _ in range(4))
    batch = [
        FinalOutcome(first, campaign, True, 30007),  # a number's error: counts for both
        FinalOutcome(first, campaign, True, 21610),  # the recipient's: the campaign's only
        FinalOutcome(second, campaign, False, None),
        FinalOutcome(second, None, True, 30007),
    ]
    assert record_outcomes(tenant_id, batch) == []  # under every minimum sample
    assert record_outcomes(tenant_id, batch[:1]) == []
    redis = get_redis()
    windows = {
        key: {k.decode(): int(v) for k, v in redis.hgetall(key).items()}
        for key in (
            window_key("did", first),
            window_key("did", second),
            window_key("campaign", campaign),
        )
    }
    assert windows == {
        window_key("did", first): {"total": 3, "bad": 2, "code:30007": 2},
        window_key("did", second): {"total": 2, "bad": 1, "code:30007": 1},
        window_key("campaign", campaign): {
            "total": 4,
            "bad": 3,
            "code:30007": 2,
            "code:21610": 1,
        },
    }
    assert 0 < redis.ttl(window_key("campaign", campaign)) <= 900
