"""A campaign on the RabbitMQ backend loses nothing when the broker drops every connection
of the platform mid-run (as a broker going away does to its clients): publishers retry on
fresh connections, the worker reconnects, unacked deliveries come back. Only this run's
vhost's connections are closed (the broker is shared; it is never restarted here)."""

from __future__ import annotations

import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from urllib.parse import quote, urlsplit, urlunsplit

import httpx
import pika
import pytest

from shared.queue import RegistryDispatcher, set_backend
from tests import services
from tests.campaigns.helpers import (
    add_contacts,
    create_campaign,
    sends_by_recipient,
    wait_status,
    workspace_with_pool,
)
from tests.campaigns.test_reliability import assert_exactly_once
from tests.fakes.twilio import FakeTwilio

pytestmark = pytest.mark.rabbitmq


def close_vhost_connections(url: str) -> int:
    """`rabbitmqctl close_connection` for each connection of `url`'s vhost only."""
    vhost = pika.URLParameters(url).virtual_host
    listed = subprocess.run(
        ["rabbitmqctl", "-q", "list_connections", "pid", "vhost"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    pids = [
        line.split("\t")[0]
        for line in listed.splitlines()
        if "\t" in line and line.split("\t")[1].strip() == vhost
    ]
    assert vhost not in ("/", ""), "never close the default vhost's connections"
    closing = [  # at once: the CLI takes seconds per call
        subprocess.Popen(
            ["rabbitmqctl", "close_connection", pid, "test: connection dropped"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for pid in pids
    ]
    for proc in closing:
        proc.wait(timeout=60)
    return len(pids)


def _ctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], capture_output=True, timeout=60, check=True)


@pytest.fixture
def own_vhost_url(rabbitmq_url: str) -> Iterator[str]:
    """A vhost of this test's own on the same broker, deleted after: only its connections
    are closed, whatever vhost the rest of the run uses."""
    if not shutil.which("rabbitmqctl"):
        services.unavailable("rabbitmqctl", "connections cannot be closed from the broker side")
    vhost = f"drops-{uuid.uuid4().hex[:8]}"
    params = pika.URLParameters(rabbitmq_url)
    _ctl("add_vhost", vhost)
    try:
        _ctl("set_permissions", "-p", vhost, params.credentials.username, ".*", ".*", ".*")
        parts = urlsplit(rabbitmq_url)
        yield urlunsplit(parts._replace(path="/" + quote(vhost, safe="")))
    finally:
        _ctl("delete_vhost", vhost)


def test_rabbitmq_connections_dropped_mid_campaign(
    api: httpx.Client, fake_twilio: FakeTwilio, own_vhost_url: str
) -> None:
    from shared.queue.rabbitmq import RabbitBackend

    rabbitmq_url = own_vhost_url
    backend = RabbitBackend(rabbitmq_url, max_attempts=10, backoff_base=0.2)
    worker = backend.start_worker(RegistryDispatcher(), concurrency=8)
    assert worker.wait_connected(30)
    set_backend(backend)
    try:
        setup = workspace_with_pool(api, fake_twilio, dids=1, mps=4)
        contacts = add_contacts(api, setup, 80, ["vip"])  # twenty seconds of sending
        campaign = create_campaign(api, setup)
        launched = api.post(f"/v1/campaigns/{campaign['id']}/launch", headers=setup.headers)
        assert launched.status_code == 200
        phones = {c["phone"] for c in contacts}
        deadline = time.monotonic() + 30
        while len(sends_by_recipient(fake_twilio, phones)) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert close_vhost_connections(rabbitmq_url) >= 2  # the worker's and a publisher's
        assert len(sends_by_recipient(fake_twilio, phones)) < len(phones)  # dropped mid-run
        time.sleep(0.5)
        close_vhost_connections(rabbitmq_url)  # and again, once they have reconnected
        wait_status(api, setup, campaign["id"], "completed", timeout=90)
        assert_exactly_once(fake_twilio, contacts)
    finally:
        set_backend(None)
