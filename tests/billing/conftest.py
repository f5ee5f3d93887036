"""Billing tests: the official Stripe SDK against the fake Stripe server (tests/fakes/stripe.py).

Billing is on (STRIPE_API_KEY set) only inside this package, so plan limits bind here and
nowhere else in the suite. Meter pushes that usage asks for are captured rather than
queued for the next minute: each test runs the push task itself, at the moment it needs.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from tests.fakes.stripe import FakeStripe

_ENV = ("STRIPE_API_KEY", "STRIPE_API_BASE", "STRIPE_WEBHOOK_SECRET")


def refresh() -> None:
    from shared.config import get_settings
    from shared.providers.stripe import reset_client

    get_settings.cache_clear()  # the gateway reads settings per call: this is enough
    reset_client()


@pytest.fixture(scope="package")
def fake_stripe(gateway_url: str) -> Iterator[FakeStripe]:
    from shared.billing import catalog

    fake = FakeStripe().start()
    fake.webhook_url = f"{gateway_url}/webhooks/stripe"
    before = {name: os.environ.get(name) for name in _ENV}
    os.environ.update(
        STRIPE_API_KEY=fake.api_key,
        STRIPE_API_BASE=fake.base_url,
        STRIPE_WEBHOOK_SECRET=fake.webhook_secret,
    )
    refresh()
    catalog.sync()
    yield fake
    for name, value in before.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    refresh()
    fake.stop()


@pytest.fixture(autouse=True)
def push_requests(fake_stripe: FakeStripe, monkeypatch: pytest.MonkeyPatch) -> list[uuid.UUID]:
    """Workspaces whose meter push was asked for (instead of a task a minute later)."""
    from shared.ai import engine
    from shared.billing import usage

    asked: list[uuid.UUID] = []
    monkeypatch.setattr(usage, "request_push", asked.append)
    monkeypatch.setattr(engine, "request_push", asked.append)
    return asked
