"""Exactly one provider send per campaign contact under duplicates, provider errors, a
Redis restart and a worker killed mid-batch. The fake Twilio's request log is the judge."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from shared.cache import reset_redis
from shared.db.session import system_session, tenant_session
from shared.queue import RegistryDispatcher, set_backend
from shared.queue.events import Envelope
from shared.queue.inline import InlineBackend
from tests import services
from tests.campaigns.helpers import (
    add_contacts,
    create_campaign,
    sends_by_recipient,
    wait_status,
    workspace_with_pool,
)
from tests.fakes.twilio import FakeTwilio
from tests.messaging.helpers import wait_until


def assert_exactly_once(fake: FakeTwilio, contacts: list[dict[str, Any]]) -> None:
    phones = {c["phone"] for c in contacts}
    sent = sends_by_recipient(fake, phones)
    assert set(sent) == phones, f"missing: {phones - set(sent)}"
    twice = {p: len(v) for p, v in sent.items() if len(v) != 1}
    assert not twice, f"sent more than once: {twice}"


class DuplicatingBackend(InlineBackend):
    """Every event and every task is delivered twice (as at-least-once allows)."""

    def publish(self, topic: str, envelope: Envelope) -> None:
        super().publish(topic, envelope)
        super().publish(topic, envelope)

    def schedule(
        self,
        queue: str,
        payload: Mapping[str, Any],
        at: datetime | None = None,
        key: str | None = None,
    ) -> bool:
        first = super().schedule(queue, payload, at=at, key=key)
        super().schedule(queue, payload, at=at, key=None)  # the duplicate skips dedup
        return first


@pytest.fixture
def duplicating_queue() -> Iterator[None]:
    set_backend(DuplicatingBackend(RegistryDispatcher(), max_attempts=8, backoff_base=0.2))
    yield
    set_backend(None)


def test_every_event_delivered_twice(
    api: httpx.Client, fake_twilio: FakeTwilio, duplicating_queue: None
) -> None:
    setup = workspace_with_pool(api, fake_twilio, dids=2, mps=10)
    contacts = add_contacts(api, setup, 20, ["vip"])
    campaign = create_campaign(api, setup)
    assert (
        api.post(f"/v1/campaigns/{campaign['id']}/launch", headers=setup.headers).status_code == 200
    )
    wait_status(api, setup, campaign["id"], "completed", timeout=60)
    time.sleep(1.0)  # let the duplicates run out
    assert_exactly_once(fake_twilio, contacts)


def test_provider_429_and_500_for_a_while(api: httpx.Client, fake_twilio: FakeTwilio) -> None:
    setup = workspace_with_pool(api, fake_twilio, dids=2, mps=20)
    contacts = add_contacts(api, setup, 12, ["vip"])
    campaign = create_campaign(api, setup)
    fake_twilio.fail_next(429, 20429, times=4)
    fake_twilio.fail_next(500, 20500, times=4)
    assert (
        api.post(f"/v1/campaigns/{campaign['id']}/launch", headers=setup.headers).status_code == 200
    )
    wait_status(api, setup, campaign["id"], "completed", timeout=90)
    assert not fake_twilio.faults
    assert_exactly_once(fake_twilio, contacts)


def _restart_redis() -> None:
    subprocess.run(
        ["redis-cli", "-p", "6379", "shutdown", "nosave"], capture_output=True, check=False
    )
    time.sleep(0.5)
    assert services.start_redis()


def test_redis_restart_mid_campaign(
    api: httpx.Client, fake_twilio: FakeTwilio, platform_env: dict[str, str]
) -> None:
    if not platform_env["redis_url"].startswith("redis://127.0.0.1:6379") or not shutil.which(
        "redis-server"
    ):
        pytest.skip("needs the Redis server on 6379 to restart it")
    setup = workspace_with_pool(api, fake_twilio, dids=1, mps=8)
    contacts = add_contacts(api, setup, 24, ["vip"])
    campaign = create_campaign(api, setup)
    assert (
        api.post(f"/v1/campaigns/{campaign['id']}/launch", headers=setup.headers).status_code == 200
    )
    time.sleep(1.0)
    _restart_redis()
    reset_redis()
    wait_status(api, setup, campaign["id"], "completed", timeout=90)
    assert_exactly_once(fake_twilio, contacts)


WORKER = textwrap.dedent("""
    import sys, uuid
    from shared.campaigns.engine import send_batch
    send_batch(uuid.UUID(sys.argv[1]), uuid.UUID(sys.argv[2]), 1, 1000)
    import time; time.sleep(60)  # keep its in-process queue alive until killed
""")


def test_worker_killed_mid_batch_then_redelivered_and_reconciled(
    api: httpx.Client, fake_twilio: FakeTwilio, platform_env: dict[str, str], gateway_url: str
) -> None:
    from shared.campaigns.engine import send_batch
    from shared.campaigns.models import Campaign
    from shared.campaigns.service import start
    from shared.messaging.reconcile import reconcile_all

    setup = workspace_with_pool(api, fake_twilio, dids=1, mps=4)
    contacts = add_contacts(api, setup, 14, ["vip"])
    campaign = create_campaign(api, setup)
    campaign_id = uuid.UUID(campaign["id"])
    with system_session() as s:
        tenant_id = s.execute(
            text("SELECT tenant_id FROM campaigns WHERE id = :i"), {"i": campaign_id}
        ).scalar_one()
    with tenant_session(tenant_id) as s:
        start(s, s.get_one(Campaign, campaign_id))

    env = {
        **os.environ,
        "DATABASE_URL": platform_env["database_url"],
        "REDIS_URL": platform_env["redis_url"],
        "PUBLIC_BASE_URL": gateway_url,
        "TWILIO_API_BASE": fake_twilio.base_url,
        "QUEUE_BACKEND": "inline",
    }
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER, str(tenant_id), str(campaign_id)], env=env
    )
    phones = {c["phone"] for c in contacts}
    deadline = time.monotonic() + 30
    while len(sends_by_recipient(fake_twilio, phones)) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    worker.send_signal(signal.SIGKILL)  # mid-batch: claimed, scheduled and unsent work is lost
    worker.wait()
    before = len(sends_by_recipient(fake_twilio, phones))
    assert 3 <= before < len(phones)

    # Recovery: the batch is redelivered, and stuck sends are reconciled (found, not resent).
    send_batch(tenant_id, campaign_id, 1, 1000)
    reconcile_all(
        older_than=__import__("datetime").timedelta(0), grace=__import__("datetime").timedelta(0)
    )
    wait_status(api, setup, campaign["id"], "completed", timeout=60)
    assert_exactly_once(fake_twilio, contacts)


def test_a_busy_sender_reserves_nothing_and_catches_up(
    api: httpx.Client, fake_twilio: FakeTwilio
) -> None:
    """While this instance's sends leave late (due sends no dispatch thread has started),
    batches take no rate slots; they come back and send once the threads catch up."""
    import threading

    from shared.messaging import delivery, dispatcher

    setup = workspace_with_pool(api, fake_twilio, dids=2, mps=20)
    contacts = add_contacts(api, setup, 10, ["vip"])
    campaign = create_campaign(api, setup)
    release = threading.Event()
    held = dispatcher.get_dispatcher()
    for _ in range(dispatcher.DISPATCH_THREADS + 1):  # every thread held, one more due
        held.submit(0, release.wait)
    wait_until(delivery.dispatch_is_busy, timeout=10)
    try:
        launched = api.post(f"/v1/campaigns/{campaign['id']}/launch", headers=setup.headers)
        assert launched.status_code == 200
        time.sleep(1.5)
        phones = {c["phone"] for c in contacts}
        assert sends_by_recipient(fake_twilio, phones) == {}
    finally:
        release.set()
    wait_status(api, setup, campaign["id"], "completed", timeout=60)
    assert_exactly_once(fake_twilio, contacts)


def test_rabbitmq_broker_restart_mid_campaign(
    api: httpx.Client, fake_twilio: FakeTwilio, rabbitmq_url: str
) -> None:
    """The campaign runs on the RabbitMQ backend (the same worker as `smsctl worker`); the
    broker restarts while batches, retries and sends are queued: every contact gets exactly
    one message."""
    if not shutil.which("rabbitmqctl"):
        services.unavailable("rabbitmqctl", "the broker cannot be restarted")
    from shared.queue.rabbitmq import RabbitBackend

    backend = RabbitBackend(rabbitmq_url, max_attempts=10, backoff_base=0.2)
    worker = backend.start_worker(RegistryDispatcher(), concurrency=8)
    assert worker.wait_connected(30)
    set_backend(backend)
    try:
        setup = workspace_with_pool(api, fake_twilio, dids=1, mps=8)
        contacts = add_contacts(api, setup, 24, ["vip"])
        campaign = create_campaign(api, setup)
        launched = api.post(f"/v1/campaigns/{campaign['id']}/launch", headers=setup.headers)
        assert launched.status_code == 200
        phones = {c["phone"] for c in contacts}
        deadline = time.monotonic() + 30
        while len(sends_by_recipient(fake_twilio, phones)) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        subprocess.run(["rabbitmqctl", "stop_app"], check=True, capture_output=True, timeout=60)
        time.sleep(0.5)
        subprocess.run(["rabbitmqctl", "start_app"], check=True, capture_output=True, timeout=60)
        assert len(sends_by_recipient(fake_twilio, phones)) < len(phones)  # restarted mid-run
        # A delayed task that expired while its queue was not running (the broker stopping
        # or recovering) is kept by its bucket and dead-lettered again by the broker after
        # its confirm timeout (dead_letter_worker_publisher_confirm_timeout, 180 s by
        # default): late, never lost. Before the buckets were quorum queues it was dropped,
        # and the campaign never completed (the failure seen under load).
        wait_status(api, setup, campaign["id"], "completed", timeout=240)
        assert_exactly_once(fake_twilio, contacts)
    finally:
        set_backend(None)
