"""A campaign survives `smsctl dev` being killed (SIGKILL) and stopped (SIGTERM) while it
sends: after each restart it goes on, and every contact gets exactly one message. The real
process, the durable local queue, the fake Twilio's request log as the judge."""

from __future__ import annotations

import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests import services
from tests.campaigns.helpers import (
    add_contacts,
    create_campaign,
    sends_by_recipient,
    wait_status,
    workspace_with_pool,
)
from tests.campaigns.test_reliability import assert_exactly_once
from tests.conftest import create_database, drop_database
from tests.fakes.smtp import Mailbox
from tests.fakes.twilio import FakeTwilio
from tests.local.devproc import DevProcess

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def dev(
    pg_admin_url: str,
    platform_env: dict[str, str],
    fake_twilio: FakeTwilio,
    mailbox: Mailbox,
    request: pytest.FixtureRequest,
) -> Iterator[DevProcess]:
    """`smsctl dev` on a database of its own (its queue is nobody else's)."""
    name = f"smsplat_dev_{uuid.uuid4().hex[:8]}"
    url = create_database(pg_admin_url, name)
    ARTIFACTS.mkdir(exist_ok=True)
    log = ARTIFACTS / f"{request.node.name}.log"
    log.unlink(missing_ok=True)
    proc = DevProcess(
        {
            "DATABASE_URL": url,
            "REDIS_URL": platform_env["redis_url"],
            "QUEUE_BACKEND": "inline",
            "TWILIO_API_BASE": fake_twilio.base_url,
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(mailbox.port),
            # Sends the provider never got go again 2 s after their claim (10 min by
            # default: Twilio's message list may lag; the fake's does not).
            "RECONCILE_RESEND_GRACE_SECONDS": "2",
        },
        services.free_port(),
        log,
    )
    try:
        yield proc
    finally:
        proc.close()
        drop_database(pg_admin_url, name)


def test_a_campaign_survives_kill_and_sigterm_of_smsctl_dev(
    dev: DevProcess, fake_twilio: FakeTwilio
) -> None:
    base = dev.start()
    api = httpx.Client(base_url=base, timeout=30)
    setup = workspace_with_pool(api, fake_twilio, dids=1, mps=5)
    contacts = add_contacts(api, setup, 40, ["vip"])
    phones = {c["phone"] for c in contacts}
    campaign = create_campaign(api, setup)
    assert api.post(f"/v1/campaigns/{campaign['id']}/launch", headers=setup.headers).is_success

    def sent() -> int:
        return len(sends_by_recipient(fake_twilio, phones))

    def wait_sent(n: int) -> None:
        deadline = time.monotonic() + 60
        while sent() < n:
            assert time.monotonic() < deadline, f"only {sent()} sent\n{dev.output()[-3000:]}"
            time.sleep(0.05)

    wait_sent(8)
    dev.stop(signal.SIGKILL, timeout=10)  # mid-campaign: sends in flight, batches leased
    killed_at = sent()
    assert killed_at < len(phones)
    time.sleep(1)
    assert sent() == killed_at  # nothing sends while it is down

    dev.start()
    assert "Queue: durable (PostgreSQL)" in dev.output()
    wait_sent(killed_at + 8)  # it goes on by itself
    assert dev.stop(signal.SIGTERM) == 0  # stopped as a service manager stops it
    stopped_at = sent()
    assert stopped_at < len(phones), "the campaign finished before the second stop"

    dev.start()
    done = wait_status(api, setup, campaign["id"], "completed", timeout=120)
    assert done["status"] == "completed"
    assert_exactly_once(fake_twilio, contacts)
    stats = api.get(f"/v1/campaigns/{campaign['id']}/stats", headers=setup.headers).json()
    assert api.get(f"/v1/campaigns/{campaign['id']}", headers=setup.headers).is_success
    assert dev.stop(signal.SIGINT) == 0
    assert stats  # the stats answer after two restarts
