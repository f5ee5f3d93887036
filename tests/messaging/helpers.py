"""Helpers for messaging tests: a workspace connected to the fake Twilio, polling."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from tests.fakes.twilio import FakeTwilio
from tests.identity_helpers import Account, signup


@dataclass
class TwilioWorkspace:
    account: Account
    sid: str
    token: str
    number: dict[str, Any]  # our number, as the API shows it

    @property
    def headers(self) -> dict[str, str]:
        return self.account.headers


def connect_twilio(api: httpx.Client, fake: FakeTwilio, prefix: str = "tw") -> TwilioWorkspace:
    account = signup(api, prefix)
    sid, token = fake.add_account()
    fake.own_fresh_number(sid)
    r = api.put(
        "/v1/twilio/config", json={"account_sid": sid, "auth_token": token}, headers=account.headers
    )
    assert r.status_code == 200, r.text
    imported = api.post("/v1/numbers/import", headers=account.headers)
    assert imported.status_code == 200, imported.text
    assert imported.json()["imported"] == 1
    return TwilioWorkspace(account, sid, token, imported.json()["data"][0])


def new_phone() -> str:
    """A valid US mobile-looking number (the fake accepts it; no magic error suffix)."""
    return f"+1415{uuid.uuid4().int % 8_000_000 + 2_000_000}"


def wait_until(check: Callable[[], Any], timeout: float = 15.0, interval: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(interval)


def message_status(api: httpx.Client, headers: dict[str, str], message_id: str) -> str:
    return str(api.get(f"/v1/messages/{message_id}", headers=headers).json()["status"])
