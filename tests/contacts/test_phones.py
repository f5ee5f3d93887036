"""The North American shortcut of the normalizer agrees with phonenumbers' full parser."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.contacts.phones import InvalidPhone, PhoneNormalizer, zone_for


def _full_parse(raw: str, region: str) -> tuple[str, str | None] | None:
    """What the generic path answers: None for an invalid number."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), zone_for(number)


def _normalized(normalizer: PhoneNormalizer, raw: str) -> tuple[str, str | None] | None:
    try:
        return normalizer.normalize(raw)
    except InvalidPhone:
        return None


ten_digits = st.from_regex(r"[2-9][0-9]{2}[2-9][0-9]{6}", fullmatch=True) | st.from_regex(
    r"[0-9]{10}", fullmatch=True
)


def _spellings(national: str) -> list[str]:
    a, b, c = national[:3], national[3:6], national[6:]
    return [national, f"1{national}", f"+1{national}", f"({a}) {b}-{c}", f"{a}.{b}.{c}"]


@settings(max_examples=400, database=None, deadline=None)
@given(national=ten_digits)
def test_the_shortcut_matches_the_full_parser(national: str) -> None:
    normalizer = PhoneNormalizer("US")  # a fresh cache: the first lookup fills it
    for raw in _spellings(national):
        assert _normalized(normalizer, raw) == _full_parse(raw, "US"), raw


@settings(max_examples=200, database=None, deadline=None)
@given(prefix=st.from_regex(r"[2-9][0-9]{2}[2-9][0-9]{2}", fullmatch=True), data=st.data())
def test_numbers_sharing_an_exchange_share_the_answer(prefix: str, data: st.DataObject) -> None:
    """The cache is keyed by area code + exchange: any line number gets the exact answer."""
    normalizer = PhoneNormalizer("US")
    for _ in range(5):
        line = data.draw(st.from_regex(r"[0-9]{4}", fullmatch=True))
        raw = f"+1{prefix}{line}"
        assert _normalized(normalizer, raw) == _full_parse(raw, "US"), raw


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("415 555 2671", "US", ("+14155552671", "America/Los_Angeles")),
        ("+1 604 555 0199", "US", ("+16045550199", "America/Vancouver")),  # Canada: full path
        ("1-800-555-0199", "US", ("+18005550199", None)),  # toll-free: no single zone
        ("020 7946 0958", "GB", ("+442079460958", "Europe/London")),
        ("4155552671", "GB", None),  # no country code: read as a British number
        ("+44 20 7946 0958 ext. 12", "US", ("+442079460958", "Europe/London")),
    ],
)
def test_examples(raw: str, region: str, expected: tuple[str, str | None] | None) -> None:
    assert _normalized(PhoneNormalizer(region), raw) == expected


def test_messages_say_what_is_wrong() -> None:
    normalizer = PhoneNormalizer("US")
    with pytest.raises(InvalidPhone, match="required"):
        normalizer.normalize("  ")
    with pytest.raises(InvalidPhone, match="Too long"):
        normalizer.normalize("1" * 41)
    with pytest.raises(InvalidPhone, match="Not a phone number"):
        normalizer.normalize("call me")
    with pytest.raises(InvalidPhone, match="Not a valid phone number"):
        normalizer.normalize("(123) 456-7890")
