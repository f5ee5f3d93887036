"""Browser tests: Debian's Chromium, driven by Playwright, against the platform as `make dev`
starts it (`smsctl dev`: the gateway serving the console's static export, the simulator
provider, the inline queue) on this run's database, Redis and mailbox.

Every page a test opens gets axe-core (`console.check_a11y`) and leaves a screenshot under
test-artifacts/console/. A test fails on a page error, on a Content-Security-Policy
violation, and on any request that leaves the machine (no CDN, no web font, no telemetry).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests import services
from tests.fakes.anthropic import FakeAnthropic
from tests.fakes.smtp import Mailbox
from tests.fakes.twilio import FakeTwilio
from tests.web.browser import ARTIFACTS, Console

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    found = shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    )
    if found is None:
        services.unavailable(
            "Chromium", "install it with `apt-get install -y chromium` (make test does)"
        )
    assert found is not None
    return found


@pytest.fixture(scope="session")
def console_bundle() -> Path:
    """web/out, built (npm ci + next build) only when web/ changed since the last build."""
    from shared.local import console

    try:
        console.build(quiet=True)
    except console.ConsoleBuildError as exc:
        pytest.fail(str(exc))
    return console.OUT


@pytest.fixture(scope="session")
def fake_anthropic() -> Iterator[FakeAnthropic]:
    """The fake Anthropic API the platform's AI engine reaches (ANTHROPIC_BASE_URL); a test
    scripts its answers by a marker in its workspace's persona (tests/fakes/anthropic.py)."""
    fake = FakeAnthropic().start()
    yield fake
    fake.stop()


@contextmanager
def run_platform(
    platform_env: dict[str, str],
    mailbox: Mailbox,
    extra_env: dict[str, str] | None = None,
    log_name: str = "platform.log",
) -> Iterator[str]:
    """`smsctl dev` in a process of its own, on this run's database, Redis and mailbox;
    `extra_env` adds settings (a test module's own platform: Stripe on, for instance)."""
    port = services.free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": platform_env["database_url"],
        "REDIS_URL": platform_env["redis_url"],
        "PUBLIC_BASE_URL": base,
        "APP_BASE_URL": base,
        "QUEUE_BACKEND": "inline",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(mailbox.port),
        "SIMULATOR_CALLBACK_DELAY_SECONDS": "0.05",
        "TWILIO_API_BASE": "",
        "ENVIRONMENT": "local",
        **(extra_env or {}),
    }
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = (ARTIFACTS / log_name).open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "shared.cli", "dev", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                pytest.fail(f"smsctl dev exited ({proc.returncode}); see {ARTIFACTS / log_name}")
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("smsctl dev did not answer /health within 120 s")
            time.sleep(0.3)
        yield base
    finally:
        proc.send_signal(signal.SIGINT)  # Ctrl-C, as a person stops it
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="session")
def platform_url(
    platform_env: dict[str, str],
    mailbox: Mailbox,
    console_bundle: Path,
    fake_twilio: FakeTwilio,
    fake_anthropic: FakeAnthropic,
) -> Iterator[str]:
    """`smsctl dev` in a process of its own, on this run's database, Redis and mailbox; a
    workspace that connects Twilio reaches the fake Twilio, and the AI the fake Anthropic
    (without a connected account, the simulator stands in for Twilio as in `make dev`)."""
    extra = {
        "TWILIO_API_BASE": fake_twilio.base_url,
        "ANTHROPIC_BASE_URL": fake_anthropic.base_url,
        "ANTHROPIC_API_KEY": fake_anthropic.api_key,
    }
    with run_platform(platform_env, mailbox, extra) as base:
        yield base


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def console(
    browser: object, platform_url: str, request: pytest.FixtureRequest
) -> Iterator[Console]:
    """A fresh browser profile (no cookies) on the platform; checked when the test ends."""
    session = Console.open(browser, platform_url, request.node.name)
    yield session
    session.close()
    session.assert_clean()


@pytest.fixture
def api_client(platform_url: str) -> Iterator[httpx.Client]:
    """The same platform over HTTP, to set up data the pages of this foundation do not make."""
    with httpx.Client(base_url=platform_url, timeout=30) as client:
        yield client
