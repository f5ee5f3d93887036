"""Webhook tests: a real receiver; the local environment (loopback allowed, http) unless a
test sets another; the retry schedule compressed."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from shared.config import get_settings
from tests.identity_helpers import Account, signup
from tests.webhooks.receiver import Receiver


@pytest.fixture
def settings_env() -> Iterator[Callable[..., None]]:
    """Set environment variables for one test (settings re-read), restored after."""
    saved: dict[str, str | None] = {}

    def set_env(**values: str) -> None:
        for name, value in values.items():
            saved.setdefault(name, os.environ.get(name))
            os.environ[name] = value
        get_settings.cache_clear()

    yield set_env
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    get_settings.cache_clear()


@pytest.fixture
def local(settings_env: Callable[..., None]) -> None:
    """Loopback receivers allowed (ENVIRONMENT=local); retries after ~10 ms, 0.6 s, 3.6 s."""
    settings_env(ENVIRONMENT="local", WEBHOOK_RETRY_SCALE="0.002")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def account(api: httpx.Client) -> Account:
    return signup(api, "hooks")


def create_endpoint(api: httpx.Client, account: Account, url: str, **fields: Any) -> dict[str, Any]:
    r = api.post("/v1/webhook-endpoints", json={"url": url, **fields}, headers=account.headers)
    assert r.status_code == 201, r.text
    created: dict[str, Any] = r.json()
    return created


def deliveries(
    api: httpx.Client, account: Account, endpoint_id: str, **query: str
) -> list[dict[str, Any]]:
    r = api.get(
        f"/v1/webhook-endpoints/{endpoint_id}/deliveries", params=query, headers=account.headers
    )
    assert r.status_code == 200, r.text
    found: list[dict[str, Any]] = r.json()["data"]
    return found
