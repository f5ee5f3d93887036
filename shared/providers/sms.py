"""The SMS provider interface and its error classification.

Two implementations: `twilio` (the official SDK) and `simulator` (the local default).
Errors are classified once, here, so every caller handles them the same way:
- permanent: the message will never go (bad number, opted out at the carrier, filtered);
- transient: the provider did not take the message (429, 5xx, throttled), retry later;
- unknown outcome: the call may have reached the provider (timeout mid-request); never
  resend blindly, reconcile by looking the message up instead.
"""

from __future__ import annotations

import abc
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Outcome(StrEnum):
    PERMANENT = "permanent"
    TRANSIENT = "transient"
    UNKNOWN = "unknown"


# Twilio error codes (https://www.twilio.com/docs/api/errors).
OPTED_OUT_CODE = 21610  # the recipient replied STOP to this sender: opt the contact out
CARRIER_FILTERED_CODE = 30007
PERMANENT_CODES = frozenset(
    {21211, 21408, 21606, 21612, 21614, 21610, 30004, 30005, 30006, 30007, 30032, 21217}
)
TRANSIENT_CODES = frozenset({20429, 30001, 30003, 30008, 20500, 20503})


class ProviderError(Exception):
    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        http_status: int | None = None,
        outcome: Outcome | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.http_status = http_status
        self.outcome = outcome or classify(code, http_status)

    @property
    def permanent(self) -> bool:
        return self.outcome is Outcome.PERMANENT


def classify(code: int | None, http_status: int | None) -> Outcome:
    if code in PERMANENT_CODES:
        return Outcome.PERMANENT
    if code in TRANSIENT_CODES or http_status == 429:
        return Outcome.TRANSIENT
    if http_status is not None and http_status >= 500:
        return Outcome.TRANSIENT
    if http_status is not None and 400 <= http_status < 500:
        return Outcome.PERMANENT
    return Outcome.TRANSIENT


class NotSent(Exception):
    """The send's guard held the request back: nothing left for the provider."""


# Called right before a send's request is written (the DID's last pacing check); False
# holds it back (NotSent).
SendGuard = Callable[[], bool]


@dataclass(frozen=True)
class SentMessage:
    sid: str
    status: str  # the provider's: queued | accepted | sending | sent ...
    segments: int | None = None
    left_at: float | None = None  # when the request was written (epoch s, this process's clock)


@dataclass(frozen=True)
class ProviderMessage:
    sid: str
    status: str
    to: str
    from_: str
    error_code: int | None = None
    date_created: datetime | None = None
    price: str | None = None


@dataclass(frozen=True)
class AvailableNumber:
    phone_number: str
    friendly_name: str
    region: str | None = None
    locality: str | None = None
    capabilities: dict[str, bool] = field(default_factory=dict)


@dataclass(frozen=True)
class OwnedNumber:
    sid: str
    phone_number: str
    friendly_name: str
    capabilities: dict[str, bool] = field(default_factory=dict)


class SmsProvider(abc.ABC):
    name: str

    @abc.abstractmethod
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
        """Send one message. `guard` runs right before the request leaves (after any
        connection set-up); when it returns False nothing is sent and NotSent is raised."""

    @abc.abstractmethod
    def fetch(self, sid: str) -> ProviderMessage: ...

    @abc.abstractmethod
    def find_sent(self, *, to: str, from_: str, after: datetime) -> list[ProviderMessage]:
        """Messages sent to `to` from `from_` since `after` (reconciling unknown outcomes)."""

    @abc.abstractmethod
    def list_numbers(self) -> list[OwnedNumber]: ...

    @abc.abstractmethod
    def search_numbers(
        self, *, country: str, area_code: str | None, contains: str | None, limit: int
    ) -> list[AvailableNumber]: ...

    @abc.abstractmethod
    def buy_number(self, phone_number: str, *, sms_url: str, status_url: str) -> OwnedNumber: ...

    @abc.abstractmethod
    def configure_number(self, sid: str, *, sms_url: str, status_url: str) -> None: ...

    @abc.abstractmethod
    def release_number(self, sid: str) -> None: ...

    @abc.abstractmethod
    def validate(self) -> None:
        """Raise ProviderError when the credentials are not accepted."""
