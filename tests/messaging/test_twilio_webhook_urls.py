"""The connected Twilio account comes with the webhook URLs to paste into Twilio."""

from __future__ import annotations

import httpx

from shared.config import get_settings
from tests.fakes.twilio import FakeTwilio
from tests.identity_helpers import signup


def test_config_shows_the_webhook_urls(api: httpx.Client, fake_twilio: FakeTwilio) -> None:
    account = signup(api, "urls")
    sid, token = fake_twilio.add_account()
    r = api.put(
        "/v1/twilio/config", json={"account_sid": sid, "auth_token": token}, headers=account.headers
    )
    assert r.status_code == 200, r.text
    base = get_settings().public_base_url.rstrip("/")
    for shown in (r.json(), api.get("/v1/twilio/config", headers=account.headers).json()):
        assert shown["inbound_webhook_url"] == f"{base}/webhooks/twilio/inbound"
        assert shown["status_webhook_url"] == f"{base}/webhooks/twilio/status"
