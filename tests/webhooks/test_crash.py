"""A worker that dies mid-delivery: the task comes back and the receiver gets the same
webhook-id again (at-least-once), on RabbitMQ with real `smsctl worker` processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import uuid

import httpx
import pytest

from shared.queue import set_backend
from shared.queue.rabbitmq import RabbitBackend
from shared.tenancy.principal import Principal
from shared.webhooks import service
from tests.identity_helpers import Account
from tests.webhooks.conftest import create_endpoint, deliveries
from tests.webhooks.receiver import Receiver, Reply

pytestmark = [pytest.mark.rabbitmq, pytest.mark.usefixtures("local")]


def _worker(rabbitmq_url: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "QUEUE_BACKEND": "rabbitmq",
        "RABBITMQ_URL": rabbitmq_url,
        "ENVIRONMENT": "local",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "shared.cli", "worker", "--concurrency", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_a_crash_mid_delivery_redelivers_with_the_same_webhook_id(
    api: httpx.Client, account: Account, receiver: Receiver, rabbitmq_url: str
) -> None:
    never = threading.Event()
    receiver.script = [Reply(200, hold=never)]  # the first request hangs: the worker dies
    endpoint = create_endpoint(api, account, receiver.url)
    backend = RabbitBackend(rabbitmq_url)
    set_backend(backend)
    workers: list[subprocess.Popen[bytes]] = []
    try:
        owner = Principal(tenant_id=uuid.UUID(account.workspace_id), role="owner")
        service.send_test(owner, uuid.UUID(endpoint["id"]))
        workers.append(_worker(rabbitmq_url))
        receiver.wait_for(lambda: len(receiver.requests) == 1, timeout=60)
        workers[0].send_signal(signal.SIGKILL)  # mid-request: nothing recorded, no ack
        workers[0].wait(10)
        workers.append(_worker(rabbitmq_url))
        receiver.wait_for(lambda: len(receiver.requests) == 2, timeout=60)
        first, again = receiver.requests
        assert again.headers["webhook-id"] == first.headers["webhook-id"]
        assert again.body == first.body
        assert first.verify(endpoint["secret"])
        assert again.verify(endpoint["secret"])

        def succeeded() -> bool:
            return deliveries(api, account, endpoint["id"])[0]["status"] == "succeeded"

        receiver.wait_for(succeeded)
        (delivery,) = deliveries(api, account, endpoint["id"])
        assert len(delivery["attempt_log"]) == 1  # the lost attempt left no record
    finally:
        never.set()
        for proc in workers:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(20)
                except subprocess.TimeoutExpired:
                    proc.kill()
        set_backend(None)
