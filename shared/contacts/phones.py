"""Phone numbers: E.164 normalization with `phonenumbers`, and the time zone of a number.

`PhoneNormalizer` serves one default region (the workspace's, `US` unless set) and is what
the API and the CSV import both use, so a number accepted by one is accepted by the other.

Speed matters for imports (a million rows), and a full `phonenumbers.parse()` costs ~30 µs.
For the common case (a bare 10/11-digit North American number, or `+1` and 10 digits) the
normalizer skips the generic parser: the digits *are* the national number, and validity and
time zone come from a cache keyed by the first six digits (area code + exchange). That is
exact for the United States: every pattern of phonenumbers' US metadata decides validity
and number type within the first six digits of a ten-digit number, and its time-zone data
for country code 1 is keyed by at most seven digits (`1` + six). `tests/contacts/
test_phones.py` checks the shortcut against the full parser on random numbers, so a change
of metadata that breaks the assumption fails the tests. Anything else (other countries,
Canadian and Caribbean numbers, extensions, letters) takes the full parser.
"""

from __future__ import annotations

from functools import lru_cache

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumber, PhoneNumberFormat

DEFAULT_REGION = "US"
MAX_RAW_LENGTH = 40
UNKNOWN_ZONE = "Etc/Unknown"
# Separators people type inside numbers; removed before the fast path looks at digits.
_SEPARATORS = str.maketrans("", "", " \t-().\u00a0/")


class InvalidPhone(ValueError):
    """The text is not a valid phone number; the message says why (shown to users)."""


def valid_region(region: str) -> bool:
    return region.upper() in phonenumbers.SUPPORTED_REGIONS


def zone_for(number: PhoneNumber) -> str | None:
    """The IANA time zone of a valid number when it has exactly one, else None.

    Numbers whose area spans several zones, and non-geographic numbers (toll-free), get
    None: guessing would put quiet hours in the wrong place.
    """
    from phonenumbers import timezone  # its prefix table loads on first use

    zones = [z for z in timezone.time_zones_for_number(number) if z != UNKNOWN_ZONE]
    return zones[0] if len(zones) == 1 else None


def _us_lookup(national: str) -> tuple[bool, str | None]:
    """(valid for the US, time zone) of a ten-digit national number, in one type lookup.

    The same answers as `is_valid_number_for_region(n, "US")` and `zone_for(n)`, which
    would each work out the number's type again (the cache miss is what an import of
    numbers spread over many exchanges pays for).
    """
    from phonenumbers import PhoneNumberType, timezone
    from phonenumbers.phonemetadata import PhoneMetadata

    number = PhoneNumber(country_code=1, national_number=int(national))
    type_of = getattr(phonenumbers.phonenumberutil, "_number_type_helper", None)
    metadata = PhoneMetadata.metadata_for_region("US")
    if type_of is None or metadata is None:  # a phonenumbers without the helper
        valid = phonenumbers.is_valid_number_for_region(number, "US")
        return valid, zone_for(number) if valid else None
    kind = type_of(national, metadata)
    if kind == PhoneNumberType.UNKNOWN:
        return False, None
    if phonenumbers.is_number_type_geographical(kind, 1):
        zones = timezone.time_zones_for_geographical_number(number)
    else:
        zones = timezone.time_zones_for_number(number)
    known = [z for z in zones if z != UNKNOWN_ZONE]
    return True, known[0] if len(known) == 1 else None


@lru_cache(maxsize=1)
def _us_shortcut_enabled() -> bool:
    """The six-digit cache is only sound while US numbers are exactly ten digits long."""
    from phonenumbers.phonemetadata import PhoneMetadata

    us = PhoneMetadata.metadata_for_region("US")
    general = us.general_desc if us is not None else None
    return general is not None and tuple(general.possible_length) == (10,)


class PhoneNormalizer:
    """Normalizes numbers for one default region; reuse one instance for many numbers."""

    def __init__(self, region: str = DEFAULT_REGION) -> None:
        region = (region or DEFAULT_REGION).upper()
        if not valid_region(region):
            raise ValueError(f"unknown region {region!r}")
        self.region = region
        self._nanpa = phonenumbers.country_code_for_region(region) == 1
        self._us_fast = _us_shortcut_enabled()
        # first six digits of a US national number -> (valid, time zone)
        self._us: dict[str, tuple[bool, str | None]] = {}

    def normalize(self, raw: str) -> tuple[str, str | None]:
        """(E.164 number, time zone or None); raises InvalidPhone."""
        text = raw.strip()
        if not text:
            raise InvalidPhone("A phone number is required.")
        if len(text) > MAX_RAW_LENGTH:
            raise InvalidPhone("Too long to be a phone number.")
        national = self._us_national(text) if self._us_fast else None
        if national is not None:
            valid, zone = self._us_prefix(national)
            if valid:
                return "+1" + national, zone
        return self._parse(text)

    def _us_national(self, text: str) -> str | None:
        """The 10 national digits of a plain North American number, or None."""
        digits = text.translate(_SEPARATORS)
        if digits.startswith("+"):
            if len(digits) == 12 and digits[1] == "1" and digits[2:].isdigit():
                return digits[2:]
            return None
        if not self._nanpa or not digits.isdigit():
            return None
        if len(digits) == 10:
            return digits
        if len(digits) == 11 and digits[0] == "1":
            return digits[1:]
        return None

    def _us_prefix(self, national: str) -> tuple[bool, str | None]:
        key = national[:6]
        hit = self._us.get(key)
        if hit is None:
            hit = self._us[key] = _us_lookup(national)
        return hit

    def _parse(self, text: str) -> tuple[str, str | None]:
        try:
            number = phonenumbers.parse(text, self.region)
        except NumberParseException as exc:
            raise InvalidPhone(f"Not a phone number ({_parse_reason(exc)}).") from exc
        if not phonenumbers.is_valid_number(number):
            raise InvalidPhone(
                f"Not a valid phone number (read with default region {self.region})."
            )
        return phonenumbers.format_number(number, PhoneNumberFormat.E164), zone_for(number)


def _parse_reason(exc: NumberParseException) -> str:
    reasons = {
        NumberParseException.INVALID_COUNTRY_CODE: "unknown country code",
        NumberParseException.NOT_A_NUMBER: "no digits to read",
        NumberParseException.TOO_SHORT_AFTER_IDD: "too short",
        NumberParseException.TOO_SHORT_NSN: "too short",
        NumberParseException.TOO_LONG: "too long",
    }
    return reasons.get(exc.error_type, "unreadable")


def normalize(raw: str, region: str = DEFAULT_REGION) -> tuple[str, str | None]:
    """One number: (E.164, time zone or None); raises InvalidPhone."""
    return _normalizer(region.upper()).normalize(raw)


@lru_cache(maxsize=64)
def _normalizer(region: str) -> PhoneNormalizer:
    return PhoneNormalizer(region)
