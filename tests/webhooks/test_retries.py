"""Retries (500, timeout, connection refused, Retry-After), 410, the failure window, the
per-endpoint bound: the schedule compressed by WEBHOOK_RETRY_SCALE."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.fakes.smtp import Mailbox
from tests.identity_helpers import Account
from tests.services import free_port
from tests.webhooks.conftest import create_endpoint, deliveries
from tests.webhooks.receiver import Receiver, Reply

pytestmark = pytest.mark.usefixtures("local")


def _ping(api: httpx.Client, account: Account, endpoint: dict[str, Any]) -> None:
    r = api.post(f"/v1/webhook-endpoints/{endpoint['id']}/test", headers=account.headers)
    assert r.status_code == 202, r.text


def _settled(api: httpx.Client, account: Account, endpoint_id: str) -> Callable[[], Any]:
    def check() -> dict[str, Any] | None:
        found = deliveries(api, account, endpoint_id)
        return found[0] if found and found[0]["status"] != "pending" else None

    return check


def test_500s_are_retried_with_the_same_webhook_id_until_a_2xx(
    api: httpx.Client, account: Account, receiver: Receiver
) -> None:
    receiver.script = [Reply(500, b"boom"), Reply(502, b"bad gateway")]
    endpoint = create_endpoint(api, account, receiver.url)
    _ping(api, account, endpoint)
    delivery = receiver.wait_for(_settled(api, account, endpoint["id"]))
    assert delivery["status"] == "succeeded"
    assert delivery["attempts"] == 3
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 1
    assert all(r.verify(endpoint["secret"]) for r in receiver.requests)
    latest, second, first = delivery["attempt_log"]
    assert (first["status_code"], first["response_body"]) == (500, "boom")
    assert first["next_retry_at"] is not None
    assert second["status_code"] == 502
    assert latest["status_code"] == 200
    assert latest["next_retry_at"] is None
    shown = api.get(f"/v1/webhook-endpoints/{endpoint['id']}", headers=account.headers).json()
    assert shown["failing_since"] is None  # a success clears the failure record


def test_a_timeout_is_retried(
    api: httpx.Client,
    account: Account,
    receiver: Receiver,
    settings_env: Callable[..., None],
) -> None:
    settings_env(WEBHOOK_TIMEOUT_SECONDS="0.5")
    receiver.script = [Reply(200, delay=2.0)]
    endpoint = create_endpoint(api, account, receiver.url)
    _ping(api, account, endpoint)
    delivery = receiver.wait_for(_settled(api, account, endpoint["id"]))
    assert delivery["status"] == "succeeded"
    latest, first = delivery["attempt_log"]
    assert first["status_code"] is None
    assert "timeout" in first["error"]
    assert latest["status_code"] == 200


def _wait(check: Callable[[], Any], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


def test_connection_refused_is_retried(api: httpx.Client, account: Account) -> None:
    port = free_port()  # nothing listens there yet
    endpoint = create_endpoint(api, account, f"http://127.0.0.1:{port}/hooks")
    _ping(api, account, endpoint)

    def refused() -> bool:
        log = deliveries(api, account, endpoint["id"])[0]["attempt_log"]
        return bool(log) and "ConnectError" in (log[-1]["error"] or "")

    _wait(refused)
    late = Receiver(port=port)
    try:
        delivery = late.wait_for(_settled(api, account, endpoint["id"]))
        assert delivery["status"] == "succeeded"
        assert late.requests[0].verify(endpoint["secret"])
        assert delivery["attempts"] >= 2
    finally:
        late.close()


def test_retry_after_is_honoured(api: httpx.Client, account: Account, receiver: Receiver) -> None:
    receiver.script = [Reply(503, b"busy", headers={"Retry-After": "2"})]
    endpoint = create_endpoint(api, account, receiver.url)
    _ping(api, account, endpoint)
    receiver.wait_for(lambda: len(receiver.requests) == 2)
    first, second = receiver.requests
    assert second.at - first.at >= 1.9  # not the compressed 10 ms


def test_410_disables_the_endpoint_at_once_and_tells_the_workspace(
    api: httpx.Client, account: Account, receiver: Receiver, mailbox: Mailbox
) -> None:
    watcher = Receiver()
    try:
        watch = create_endpoint(api, account, watcher.url, event_types=["endpoint.disabled"])
        receiver.default = Reply(410, b"gone")
        endpoint = create_endpoint(api, account, receiver.url)
        _ping(api, account, endpoint)
        delivery = receiver.wait_for(_settled(api, account, endpoint["id"]))
        assert delivery["status"] == "failed"
        assert delivery["attempts"] == 1
        shown = api.get(f"/v1/webhook-endpoints/{endpoint['id']}", headers=account.headers)
        assert shown.json()["enabled"] is False
        assert "410" in shown.json()["disabled_reason"]
        (event,) = watcher.wait_for(lambda: watcher.of_type("endpoint.disabled"))
        data = event.verify(watch["secret"])["data"]
        assert data["endpoint"]["id"] == endpoint["id"]
        assert data["endpoint"]["enabled"] is False
        mail = mailbox.wait_for(account.email, "Webhook endpoint disabled")
        assert "410 Gone" in mail.body
        # Disabled: nothing more is sent to it.
        assert (
            api.post(
                f"/v1/webhook-endpoints/{endpoint['id']}/test", headers=account.headers
            ).status_code
            == 409
        )
        assert len(receiver.requests) == 1
    finally:
        watcher.close()


def test_five_days_of_failures_disable_the_endpoint(
    api: httpx.Client,
    account: Account,
    receiver: Receiver,
    settings_env: Callable[..., None],
) -> None:
    # 1e-5: the whole schedule takes about a second, the 5 days 4.3 s.
    settings_env(WEBHOOK_RETRY_SCALE="0.00001")
    receiver.default = Reply(500, b"down")
    endpoint = create_endpoint(api, account, receiver.url)
    _ping(api, account, endpoint)
    exhausted = receiver.wait_for(_settled(api, account, endpoint["id"]))
    assert exhausted["status"] == "failed"
    assert exhausted["attempts"] == 8  # the first and 7 retries
    shown = api.get(f"/v1/webhook-endpoints/{endpoint['id']}", headers=account.headers).json()
    assert shown["enabled"] is True
    assert shown["failing_since"] is not None
    time.sleep(4.5)
    _ping(api, account, endpoint)

    def disabled() -> bool:
        r = api.get(f"/v1/webhook-endpoints/{endpoint['id']}", headers=account.headers)
        return r.json()["enabled"] is False

    receiver.wait_for(disabled)
    shown = api.get(f"/v1/webhook-endpoints/{endpoint['id']}", headers=account.headers).json()
    assert shown["disabled_reason"] == "every attempt failed for 5 days"
    # Enabling it again is a fresh start.
    r = api.patch(
        f"/v1/webhook-endpoints/{endpoint['id']}", json={"enabled": True}, headers=account.headers
    )
    assert r.json()["failing_since"] is None
    assert r.json()["disabled_reason"] is None


def test_one_endpoint_has_at_most_its_bound_in_flight(
    api: httpx.Client,
    account: Account,
    receiver: Receiver,
    settings_env: Callable[..., None],
) -> None:
    settings_env(WEBHOOK_MAX_IN_FLIGHT="2")
    receiver.default = Reply(200, delay=0.4)
    endpoint = create_endpoint(api, account, receiver.url)
    for _ in range(6):
        _ping(api, account, endpoint)
    receiver.wait_for(lambda: len(receiver.requests) >= 6, timeout=30)

    def all_done() -> bool:
        found = deliveries(api, account, endpoint["id"])
        return len(found) == 6 and all(d["status"] == "succeeded" for d in found)

    receiver.wait_for(all_done)
    assert receiver.max_in_flight == 2
