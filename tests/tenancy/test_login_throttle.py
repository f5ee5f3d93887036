"""Login throttling: failures only, by (email, address) and by address, growing delays,
and never a lock that a stranger can put on someone else's account."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import httpx
import pytest

from shared.cache import get_redis
from shared.config import get_settings
from tests.identity_helpers import PASSWORD, Account, signup


@pytest.fixture
def throttle(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Small limits, a one-second first delay, and the caller's address taken from
    X-Forwarded-For (one trusted proxy), so a test can speak from several addresses."""
    for key in get_redis().scan_iter("rl:login-fail:*"):
        get_redis().delete(key)
    monkeypatch.setenv("LOGIN_LIMIT_PER_EMAIL", "3")
    monkeypatch.setenv("LOGIN_LIMIT_PER_IP", "8")
    monkeypatch.setenv("LOGIN_DELAY_BASE_SECONDS", "1")
    monkeypatch.setenv("FORWARDED_FOR_HOPS", "1")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


def _address() -> str:
    n = uuid.uuid4().int
    return f"198.18.{n % 250 + 1}.{n // 250 % 250 + 1}"


def login(api: httpx.Client, email: str, password: str, ip: str) -> httpx.Response:
    return api.post(
        "/v1/auth/login",
        json={"email": email, "password": password},
        headers={"X-Forwarded-For": ip},
    )


@pytest.fixture
def account(api: httpx.Client) -> Account:
    return signup(api, "throttle")


def test_successful_logins_never_count(api: httpx.Client, account: Account, throttle: None) -> None:
    ip = _address()
    for _ in range(20):  # over both limits
        assert login(api, account.email, PASSWORD, ip).status_code == 200


def test_failures_past_the_limit_wait_a_growing_delay(
    api: httpx.Client, account: Account, throttle: None
) -> None:
    ip = _address()
    for _ in range(3):  # the free failures
        assert login(api, account.email, "wrong-password-1", ip).status_code == 401
    # The next failure is taken, and sets the first delay (1 s).
    assert login(api, account.email, "wrong-password-1", ip).status_code == 401
    r = login(api, account.email, PASSWORD, ip)
    assert r.status_code == 429, r.text
    assert r.json()["type"].endswith("/rate-limited")
    assert 1 <= int(r.headers["Retry-After"]) <= 1
    time.sleep(1.1)
    # After the delay an attempt is taken again; another failure doubles the delay.
    assert login(api, account.email, "wrong-password-1", ip).status_code == 401
    r = login(api, account.email, PASSWORD, ip)
    assert r.status_code == 429
    assert int(r.headers["Retry-After"]) == 2
    time.sleep(2.1)
    # The right password after the delay: in, and the count of this pair starts over.
    assert login(api, account.email, PASSWORD, ip).status_code == 200
    assert login(api, account.email, "wrong-password-1", ip).status_code == 401
    assert login(api, account.email, PASSWORD, ip).status_code == 200


def test_a_stranger_cannot_lock_the_owner_out(
    api: httpx.Client, account: Account, throttle: None
) -> None:
    attacker, owner = _address(), _address()
    for _ in range(10):
        login(api, account.email, "guessing-password", attacker)
    assert login(api, account.email, PASSWORD, attacker).status_code == 429
    assert login(api, account.email, PASSWORD, owner).status_code == 200


@pytest.fixture
def victims(api: httpx.Client) -> list[Account]:
    return [signup(api, f"stuffing{i}") for i in range(10)]


def test_one_address_trying_many_emails_is_slowed_down(
    api: httpx.Client, victims: list[Account], throttle: None
) -> None:
    ip, elsewhere = _address(), _address()
    statuses = [login(api, v.email, "leaked-password-1", ip).status_code for v in victims[:9]]
    # Eight free failures for the address, a ninth that sets the delay.
    assert statuses == [401] * 9
    r = login(api, victims[9].email, PASSWORD, ip)
    assert r.status_code == 429, r.text
    # The same account from elsewhere is not affected.
    assert login(api, victims[9].email, PASSWORD, elsewhere).status_code == 200
