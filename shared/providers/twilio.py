"""Twilio through its official SDK. Every client has a timeout; errors are classified.

`TWILIO_API_BASE` points the SDK at another host (the fake server in tests) by rewriting
each request's scheme and host in a custom `TwilioHttpClient`: setting the SDK's base URL
breaks as soon as TWILIO_REGION / TWILIO_EDGE change the hostname.
"""

from __future__ import annotations

import threading
from datetime import datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from shared.config import get_settings
from shared.providers.sms import (
    AvailableNumber,
    Outcome,
    OwnedNumber,
    ProviderError,
    ProviderMessage,
    SentMessage,
    SmsProvider,
)


def _http_client(timeout: float, api_base: str) -> Any:
    from twilio.http.http_client import TwilioHttpClient

    class RewritingHttpClient(TwilioHttpClient):  # type: ignore[misc]
        def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
            if api_base:
                target = urlsplit(api_base)
                parts = urlsplit(url)
                url = urlunsplit((target.scheme, target.netloc, parts.path, parts.query, ""))
            return super().request(method, url, *args, **kwargs)

    client = RewritingHttpClient(timeout=timeout, pool_connections=True)
    # Keep a connection per dispatch thread (requests keeps 10 by default and discards the
    # rest after each call, reconnecting every time when more threads send at once).
    from requests.adapters import HTTPAdapter

    adapter = HTTPAdapter(pool_maxsize=HTTP_POOL_SIZE)
    client.session.mount("https://", adapter)
    client.session.mount("http://", adapter)
    return client


_clients_lock = threading.Lock()
HTTP_POOL_SIZE = 32


@lru_cache(maxsize=256)
def _client(account_sid: str, auth_token: str, timeout: float, api_base: str) -> Any:
    """One SDK client per account, reused across invocations (keeps its connection pool)."""
    from twilio.rest import Client

    with _clients_lock:
        return Client(account_sid, auth_token, http_client=_http_client(timeout, api_base))


def _error(exc: Exception) -> ProviderError:
    from requests import exceptions as rex
    from twilio.base.exceptions import TwilioRestException

    if isinstance(exc, TwilioRestException):
        return ProviderError(str(exc.msg), code=exc.code, http_status=exc.status)
    if isinstance(exc, rex.ConnectTimeout | rex.ConnectionError) and not isinstance(
        exc, rex.ReadTimeout
    ):
        # Never reached Twilio: safe to retry.
        return ProviderError(f"cannot reach Twilio: {exc}", outcome=Outcome.TRANSIENT)
    if isinstance(exc, rex.ReadTimeout | rex.Timeout):
        # The request may have been accepted: the caller must reconcile, not resend.
        return ProviderError(f"Twilio did not answer in time: {exc}", outcome=Outcome.UNKNOWN)
    return ProviderError(f"{type(exc).__name__}: {exc}", outcome=Outcome.UNKNOWN)


def _sms_capable(capabilities: dict[str, Any] | None) -> dict[str, bool]:
    caps = {str(k).lower(): bool(v) for k, v in (capabilities or {}).items()}
    return {
        "sms": caps.get("sms", False),
        "mms": caps.get("mms", False),
        "voice": caps.get("voice", False),
    }


class TwilioProvider(SmsProvider):
    name = "twilio"

    def __init__(self, account_sid: str, auth_token: str) -> None:
        settings = get_settings()
        self.account_sid = account_sid
        self.client = _client(
            account_sid, auth_token, settings.twilio_timeout_seconds, settings.twilio_api_base
        )

    def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        from requests import RequestException
        from twilio.base.exceptions import TwilioException

        try:
            return fn(*args, **kwargs)
        except (TwilioException, RequestException) as exc:
            raise _error(exc) from exc

    def send(
        self,
        *,
        from_: str,
        to: str,
        body: str,
        status_callback: str,
        media_urls: list[str] | None = None,
        messaging_service_sid: str | None = None,
    ) -> SentMessage:
        kwargs: dict[str, Any] = {"to": to, "body": body, "status_callback": status_callback}
        if messaging_service_sid:
            kwargs["messaging_service_sid"] = messaging_service_sid
        else:
            kwargs["from_"] = from_
        if media_urls:
            kwargs["media_url"] = media_urls
        message = self._call(self.client.messages.create, **kwargs)
        segments = int(message.num_segments) if message.num_segments else None
        return SentMessage(sid=message.sid, status=message.status, segments=segments)

    def _message(self, m: Any) -> ProviderMessage:
        return ProviderMessage(
            sid=m.sid,
            status=m.status,
            to=m.to,
            from_=m.from_,
            error_code=m.error_code,
            date_created=m.date_created,
            price=m.price,
        )

    def fetch(self, sid: str) -> ProviderMessage:
        return self._message(self._call(self.client.messages(sid).fetch))

    def find_sent(self, *, to: str, from_: str, after: datetime) -> list[ProviderMessage]:
        found = self._call(
            self.client.messages.list, to=to, from_=from_, date_sent_after=after, limit=50
        )
        return [self._message(m) for m in found]

    def list_numbers(self) -> list[OwnedNumber]:
        numbers = self._call(self.client.incoming_phone_numbers.list, page_size=1000)
        return [
            OwnedNumber(n.sid, n.phone_number, n.friendly_name, _sms_capable(n.capabilities))
            for n in numbers
        ]

    def search_numbers(
        self, *, country: str, area_code: str | None, contains: str | None, limit: int
    ) -> list[AvailableNumber]:
        kwargs: dict[str, Any] = {"sms_enabled": True, "limit": limit}
        if area_code:
            kwargs["area_code"] = int(area_code)
        if contains:
            kwargs["contains"] = contains
        found = self._call(self.client.available_phone_numbers(country).local.list, **kwargs)
        return [
            AvailableNumber(
                n.phone_number, n.friendly_name, n.region, n.locality, _sms_capable(n.capabilities)
            )
            for n in found
        ]

    def buy_number(self, phone_number: str, *, sms_url: str, status_url: str) -> OwnedNumber:
        n = self._call(
            self.client.incoming_phone_numbers.create,
            phone_number=phone_number,
            sms_url=sms_url,
            sms_method="POST",
            status_callback=status_url,
        )
        return OwnedNumber(n.sid, n.phone_number, n.friendly_name, _sms_capable(n.capabilities))

    def configure_number(self, sid: str, *, sms_url: str, status_url: str) -> None:
        self._call(
            self.client.incoming_phone_numbers(sid).update,
            sms_url=sms_url,
            sms_method="POST",
            status_callback=status_url,
        )

    def release_number(self, sid: str) -> None:
        self._call(self.client.incoming_phone_numbers(sid).delete)

    def validate(self) -> None:
        self._call(self.client.api.v2010.accounts(self.account_sid).fetch)
