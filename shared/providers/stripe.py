"""Stripe through the official `stripe` SDK, imported lazily (function cold starts).

One `StripeClient` per (API key, base URL), created on first use and reused across
invocations; `STRIPE_API_BASE` points it elsewhere (tests: the fake in tests/fakes).
`call` runs one request and returns the JSON Stripe answered as plain dicts, so nothing
SDK-typed leaks into the domain. Errors become ours:

- `StripeNotConfigured`: no STRIPE_API_KEY (billing is off);
- `StripeUnavailable`: Stripe could not answer now (connection, timeout, 429, 5xx): the
  same request later may succeed (the meter push keeps its batches and retries);
- `StripeRejected`: Stripe refused the request (4xx): repeating it will not help.

The SDK retries a failed request once itself (with an idempotency key it adds to POSTs);
longer outages are the queue's business, so no function sleeps waiting for Stripe.
"""

from __future__ import annotations

import threading
from typing import Any

from shared.config import get_settings

TIMEOUT_SECONDS = 10.0
MAX_SDK_RETRIES = 1

_lock = threading.Lock()
_cached: tuple[tuple[str, str], Any] | None = None


class StripeNotConfigured(Exception):
    """STRIPE_API_KEY is not set."""


class StripeCallError(Exception):
    def __init__(self, message: str, status: int | None = None, code: str | None = None) -> None:
        super().__init__(f"{message} (status {status}, code {code})")
        self.message = message
        self.status = status
        self.code = code


class StripeUnavailable(StripeCallError):
    """Connection error, timeout, 429 or 5xx: try again later."""


class StripeRejected(StripeCallError):
    """A 4xx answer: the request itself is wrong (or the object is gone)."""


def is_configured() -> bool:
    return bool(get_settings().stripe_api_key.get_secret_value())


def client() -> Any:
    """The SDK client for the current settings (a new one when the key or base changed)."""
    global _cached
    settings = get_settings()
    key = settings.stripe_api_key.get_secret_value()
    if not key:
        raise StripeNotConfigured("Set STRIPE_API_KEY to use billing.")
    ident = (key, settings.stripe_api_base)
    with _lock:
        if _cached is None or _cached[0] != ident:
            import stripe

            bases: Any = {"api": settings.stripe_api_base} if settings.stripe_api_base else {}
            _cached = (
                ident,
                stripe.StripeClient(
                    key,
                    base_addresses=bases,
                    max_network_retries=MAX_SDK_RETRIES,
                    http_client=stripe.RequestsClient(timeout=TIMEOUT_SECONDS),
                ),
            )
        return _cached[1]


def reset_client() -> None:
    """Forget the cached client (tests that change the settings)."""
    global _cached
    with _lock:
        _cached = None


def call(method: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """Call the SDK's `client.v1.<method>` (e.g. `prices.list`); Stripe's answer as plain
    JSON data."""
    import stripe

    target: Any = client().v1
    for part in method.split("."):
        target = getattr(target, part)
    try:
        answer = target(*args, **kwargs)
    except stripe.APIConnectionError as exc:
        raise StripeUnavailable(str(exc.user_message or exc)[:300]) from exc
    except stripe.StripeError as exc:
        status = exc.http_status
        message = str(exc.user_message or exc)[:300]
        if status is None or status == 429 or status >= 500:
            raise StripeUnavailable(message, status, exc.code) from exc
        raise StripeRejected(message, status, exc.code) from exc
    data: dict[str, Any] = answer.to_dict(for_json=True)
    return data


def verify_event(payload: bytes, signature: str, secret: str, tolerance: int) -> dict[str, Any]:
    """A webhook event checked with `stripe.Webhook.construct_event` on the raw body.
    Raises ValueError when the signature, its age or the body is not acceptable."""
    import stripe

    try:
        event = stripe.Webhook.construct_event(payload, signature, secret, tolerance=tolerance)
    except stripe.SignatureVerificationError as exc:
        raise ValueError(str(exc.user_message or exc)) from exc
    except (UnicodeDecodeError, ValueError) as exc:  # not UTF-8, or not JSON
        raise ValueError(f"the body is not a Stripe event: {exc}") from exc
    data: dict[str, Any] = event.to_dict(for_json=True)
    return data
