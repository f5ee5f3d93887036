"""The fake Anthropic API for the AI tests; the real SDK reaches it through base_url."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.fakes.anthropic import FakeAnthropic

_ENV = ("ANTHROPIC_BASE_URL", "ANTHROPIC_API_KEY")


def _refresh() -> None:
    from shared.config import get_settings
    from shared.providers.anthropic import reset_client

    get_settings.cache_clear()  # the gateway reads settings per call: this is enough
    reset_client()


@pytest.fixture(scope="session")
def fake_anthropic(gateway_url: str) -> Iterator[FakeAnthropic]:
    # The SDK is imported lazily on the first call (cold starts); import it here so the
    # first AI test does not spend its wait on it (20 s on a loaded 2-core machine).
    import anthropic  # noqa: F401

    fake = FakeAnthropic().start()
    before = {name: os.environ.get(name) for name in _ENV}
    os.environ.update(ANTHROPIC_BASE_URL=fake.base_url, ANTHROPIC_API_KEY=fake.api_key)
    _refresh()
    yield fake
    for name, value in before.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    _refresh()
    fake.stop()


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Backoff of a failed reply in tests: 50 ms, not seconds (429/529 send retry-after: 0)."""
    from shared.ai import engine

    monkeypatch.setattr(engine, "RETRY_BASE_SECONDS", 0.05)
