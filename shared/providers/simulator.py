"""The SMS simulator: the local default when a workspace has no Twilio account.

It behaves like Twilio where it matters: sends return `SM...` ids; status callbacks
(sent, then delivered or undelivered) arrive later through the same signed webhook route;
numbers come from fictional ranges (+1 AREA 555-0100..0199). Magic destinations make
failures reproducible: a number ending in a Twilio error code fails with it, e.g.
+1415555**21610** (opted out, at send) or +1415555**30007** (carrier filtered, by callback).
A random share of sends can fail too (SIMULATOR_FAILURE_RATE).
"""

from __future__ import annotations

import hashlib
import hmac
import random
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from shared.config import get_settings
from shared.providers.sms import (
    AvailableNumber,
    NotSent,
    OwnedNumber,
    ProviderError,
    ProviderMessage,
    SendGuard,
    SentMessage,
    SmsProvider,
)

QUEUE = "simulator"
SEND_ERRORS = {
    21211: "Invalid 'To' phone number",
    21610: "Attempt to send to unsubscribed recipient",
    21614: "'To' number is not a valid mobile number",
}
CALLBACK_ERRORS = {30003, 30005, 30006, 30007, 30008}


def simulator_auth_token() -> str:
    """What signs the simulator's webhooks (a Twilio auth token stands in for it)."""
    secret = get_settings().jwt_secret.get_secret_value().encode()
    return hmac.new(secret, b"sms-simulator", hashlib.sha256).hexdigest()[:32]


def _fictional(area_code: str) -> list[str]:
    return [f"+1{area_code}55501{n:02d}" for n in range(100)]


class SimulatorProvider(SmsProvider):
    name = "simulator"

    def __init__(self, account_key: str, is_taken: Callable[[str], bool] | None = None) -> None:
        self.account_key = account_key  # the workspace id: its simulated account
        self.is_taken = is_taken or (lambda _: False)

    def send(
        self,
        *,
        from_: str,
        to: str,
        body: str,
        status_callback: str,
        media_urls: list[str] | None = None,
        messaging_service_sid: str | None = None,
        guard: SendGuard | None = None,
    ) -> SentMessage:
        if guard is not None and not guard():
            raise NotSent()
        left_at = time.time()
        code = int(to[-5:]) if to[-5:].isdigit() else 0
        if code in SEND_ERRORS:
            raise ProviderError(SEND_ERRORS[code], code=code, http_status=400)
        sid = "SM" + uuid.uuid4().hex
        settings = get_settings()
        failure: int | None = code if code in CALLBACK_ERRORS else None
        if failure is None and random.random() < settings.simulator_failure_rate:
            codes = [int(c) for c in settings.simulator_error_codes.split(",") if c.strip()]
            failure = random.choice(codes or [30003])
        final = ("undelivered", failure) if failure else ("delivered", None)
        self._schedule_callbacks(sid, from_, to, status_callback, final)
        return SentMessage(sid=sid, status="queued", segments=None, left_at=left_at)

    def _schedule_callbacks(
        self, sid: str, from_: str, to: str, url: str, final: tuple[str, int | None]
    ) -> None:
        from shared.queue import schedule

        delay = get_settings().simulator_callback_delay_seconds
        now = datetime.now(UTC)
        steps = [("sent", None), final]
        for i, (status, code) in enumerate(steps, start=1):
            params = {
                "MessageSid": sid,
                "SmsSid": sid,
                "MessageStatus": status,
                "SmsStatus": status,
                "From": from_,
                "To": to,
                "AccountSid": f"AC{self.account_key.replace('-', '')}",
                "ApiVersion": "2010-04-01",
            }
            if code:
                params["ErrorCode"] = str(code)
            schedule(
                QUEUE,
                {"url": url, "params": params},
                at=now + timedelta(seconds=delay * i),
                key=f"sim-{sid}-{status}",
            )

    def fetch(self, sid: str) -> ProviderMessage:
        raise ProviderError(
            f"the simulator keeps no message history ({sid})", code=20404, http_status=404
        )

    def find_sent(self, *, to: str, from_: str, after: datetime) -> list[ProviderMessage]:
        return []

    def list_numbers(self) -> list[OwnedNumber]:
        # Each simulated account starts with two numbers, as a new Twilio trial does, in an
        # area code of its own (never 555, where searches start) so that they seldom clash
        # with another workspace's numbers.
        digest = int(hashlib.sha256(self.account_key.encode()).hexdigest(), 16)
        area = 200 + digest % 800
        own = _fictional(str(556 if area == 555 else area))
        picks = [own[(digest // 1000) % 100], own[(digest // 100_000) % 100]]
        return [
            OwnedNumber(
                "PN" + hashlib.sha256(p.encode()).hexdigest()[:32],
                p,
                p,
                {"sms": True, "mms": True, "voice": True},
            )
            for p in dict.fromkeys(picks)
        ]

    def search_numbers(
        self, *, country: str, area_code: str | None, contains: str | None, limit: int
    ) -> list[AvailableNumber]:
        if country.upper() != "US":
            return []
        found = []
        for number in _fictional(area_code or "555"):
            if contains and contains not in number:
                continue
            if self.is_taken(number):
                continue
            found.append(
                AvailableNumber(
                    number, number, "CA", "Simulated", {"sms": True, "mms": True, "voice": True}
                )
            )
            if len(found) >= limit:
                break
        return found

    def buy_number(self, phone_number: str, *, sms_url: str, status_url: str) -> OwnedNumber:
        area = phone_number[2:5]
        if phone_number not in _fictional(area):
            raise ProviderError(f"{phone_number} is not available", code=21422, http_status=400)
        sid = "PN" + hashlib.sha256(phone_number.encode()).hexdigest()[:32]
        return OwnedNumber(
            sid, phone_number, phone_number, {"sms": True, "mms": True, "voice": True}
        )

    def configure_number(self, sid: str, *, sms_url: str, status_url: str) -> None:
        return None

    def release_number(self, sid: str) -> None:
        return None

    def validate(self) -> None:
        return None
