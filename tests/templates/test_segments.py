"""SMS encoding and segment counting, checked against the carrier rules case by case."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.templates.segments import (
    GSM7_BASIC,
    GSM7_EXTENSION,
    SMART_SUBSTITUTES,
    analyze,
    gsm7_septets,
    segment_count,
    split_segments,
)

EMOJI = "\N{GRINNING FACE}"  # outside the BMP: 2 UTF-16 code units
CYRILLIC = "\N{CYRILLIC SMALL LETTER ZHE}"
CHINESE = "\u4f60\u597d"  # "ni hao"
# Smart punctuation, named: the literal characters are indistinguishable from ASCII here.
LSQUO, RSQUO = "\N{LEFT SINGLE QUOTATION MARK}", "\N{RIGHT SINGLE QUOTATION MARK}"
LDQUO, RDQUO = "\N{LEFT DOUBLE QUOTATION MARK}", "\N{RIGHT DOUBLE QUOTATION MARK}"
LOW_SQUO, LOW_DQUO = "\N{SINGLE LOW-9 QUOTATION MARK}", "\N{DOUBLE LOW-9 QUOTATION MARK}"
PRIME, DOUBLE_PRIME = "\N{PRIME}", "\N{DOUBLE PRIME}"
EN_DASH, EM_DASH, ELLIPSIS = "\N{EN DASH}", "\N{EM DASH}", "\N{HORIZONTAL ELLIPSIS}"


def septets(part: str) -> int:
    return sum(2 if char in GSM7_EXTENSION else 1 for char in part)


def utf16_units(part: str) -> int:
    return len(part.encode("utf-16-le", "surrogatepass")) // 2


GSM, UCS = "GSM-7", "UCS-2"
GREEK_AND_ACCENTS = (
    "\N{GREEK CAPITAL LETTER OMEGA}\N{GREEK CAPITAL LETTER DELTA} Café mañana über Ç"
)


def case(
    name: str,
    text: str,
    encoding: str,
    segments: int,
    length: int,
    remaining: int,
    parts: list[int],
) -> object:
    return pytest.param(text, encoding, segments, length, remaining, parts, id=name)


# name, text, encoding, segments, length (septets or UTF-16 units), remaining in the last part,
# characters in each part
# fmt: off
CASES = [
    case("empty body is billed as 1 segment", "", GSM, 1, 0, 160, [0]),
    case("short GSM", "Hi", GSM, 1, 2, 158, [2]),
    case("GSM 160 fills one segment", "a" * 160, GSM, 1, 160, 0, [160]),
    case("GSM 161 is multipart", "a" * 161, GSM, 2, 161, 145, [153, 8]),
    case("GSM 2x153", "a" * 306, GSM, 2, 306, 0, [153, 153]),
    case("GSM 307", "a" * 307, GSM, 3, 307, 152, [153, 153, 1]),
    case("whole basic alphabet", GSM7_BASIC, GSM, 1, 127, 33, [127]),
    case("whole extension table", GSM7_EXTENSION, GSM, 1, 20, 140, [10]),
    case("152 + euro fits one segment", "a" * 152 + "€", GSM, 1, 154, 6, [153]),
    case("escape pair with 1 septet left moves to part 2",
         "a" * 152 + "€" + "a" * 10, GSM, 2, 164, 141, [152, 11]),
    case("escape pair ending exactly at septet 153 stays",
         "a" * 151 + "€" + "a" * 10, GSM, 2, 163, 143, [152, 10]),
    case("euro tips over 160", "a" * 159 + "€", GSM, 2, 161, 145, [153, 7]),
    case("80 euros are 160 septets", "€" * 80, GSM, 1, 160, 0, [80]),
    case("81 euros: 76 pairs then 5", "€" * 81, GSM, 2, 162, 143, [76, 5]),
    case("306 septets of escape pairs need 3 parts (each part wastes 1)",
         "[" * 153, GSM, 3, 306, 151, [76, 76, 1]),
    case("form feed is an extension", "\f" * 81, GSM, 2, 162, 143, [76, 5]),
    case("greek capitals and accented letters are GSM", GREEK_AND_ACCENTS, GSM, 1, 21, 139, [21]),
    case("UCS-2 70 fills one segment", CYRILLIC * 70, UCS, 1, 70, 0, [70]),
    case("UCS-2 71 is multipart", CYRILLIC * 71, UCS, 2, 71, 63, [67, 4]),
    case("UCS-2 2x67", CYRILLIC * 134, UCS, 2, 134, 0, [67, 67]),
    case("UCS-2 135", CYRILLIC * 135, UCS, 3, 135, 66, [67, 67, 1]),
    case("35 emoji are 70 units", EMOJI * 35, UCS, 1, 70, 0, [35]),
    case("36 emoji: 33 then 3", EMOJI * 36, UCS, 2, 72, 61, [33, 3]),
    case("66 + emoji fits one segment", CYRILLIC * 66 + EMOJI, UCS, 1, 68, 2, [67]),
    case("surrogate pair with 1 unit left moves to part 2",
         CYRILLIC * 66 + EMOJI + CYRILLIC * 5, UCS, 2, 73, 60, [66, 6]),
    case("surrogate pair ending exactly at unit 67 stays",
         CYRILLIC * 65 + EMOJI + CYRILLIC * 5, UCS, 2, 72, 62, [66, 5]),
    case("latin and cyrillic", "Hello Привет", UCS, 1, 12, 58, [12]),
    case("latin and chinese", f"Order {CHINESE} #1", UCS, 1, 11, 59, [11]),
    case("one non-GSM char turns 161 septets into 3 UCS-2 parts",
         "a" * 159 + CHINESE, UCS, 3, 161, 40, [67, 67, 27]),
    case("lowercase c cedilla is not GSM", "ça", UCS, 1, 2, 68, [2]),
    case("tab is not GSM", "a\tb", UCS, 1, 3, 67, [3]),
    case("a literal ESC is not GSM", "\x1b", UCS, 1, 1, 69, [1]),
]
# fmt: on


@pytest.mark.parametrize(("text", "encoding", "segments", "length", "remaining", "parts"), CASES)
def test_segment_table(
    text: str, encoding: str, segments: int, length: int, remaining: int, parts: list[int]
) -> None:
    info = analyze(text)
    assert (info.encoding, info.segments, info.length, info.remaining) == (
        encoding,
        segments,
        length,
        remaining,
    )
    single, multi = (160, 153) if encoding == "GSM-7" else (70, 67)
    assert info.per_segment == (single if segments == 1 else multi)
    assert segment_count(text) == segments
    split = split_segments(text)
    assert [len(part) for part in split] == parts
    assert "".join(split) == text
    size = septets if encoding == "GSM-7" else utf16_units
    assert all(size(part) <= info.per_segment for part in split)
    assert info.per_segment - size(split[-1]) == info.remaining


def test_escape_pair_is_never_split_at_a_part_boundary() -> None:
    first, second = split_segments("a" * 152 + "€" + "a" * 10)
    assert first == "a" * 152  # the 153rd septet stays empty
    assert second.startswith("€")


def test_surrogate_pair_is_never_split_at_a_part_boundary() -> None:
    first, second = split_segments(CYRILLIC * 66 + EMOJI + CYRILLIC * 5)
    assert utf16_units(first) == 66
    assert second.startswith(EMOJI)


def test_gsm_alphabet_table() -> None:
    assert len(GSM7_BASIC) == 127 == len(set(GSM7_BASIC))  # 128 codes minus the escape
    assert "\x1b" not in GSM7_BASIC
    assert set("@£$¥èéùìòÇ\n\rØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà") <= set(GSM7_BASIC)
    assert set(GSM7_EXTENSION) == set("^{}\\[~]|€\f")
    assert not set(GSM7_BASIC) & set(GSM7_EXTENSION)
    assert gsm7_septets(GSM7_BASIC) == 127
    assert gsm7_septets(GSM7_EXTENSION) == 20
    assert gsm7_septets("`") is None  # the backtick is not GSM although it is ASCII


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("plain GSM", (), id="GSM text lists nothing"),
        pytest.param(f"Hi {EMOJI} Привет {EMOJI}!", (EMOJI, *"Привет"), id="first appearance"),
        pytest.param(
            f"It{RSQUO}s {LDQUO}done{RDQUO} {EM_DASH} ok",
            (RSQUO, LDQUO, RDQUO, EM_DASH),
            id="smart punctuation",
        ),
        pytest.param("€ and ça", ("ç",), id="extension characters are GSM"),
    ],
)
def test_unicode_chars(text: str, expected: tuple[str, ...]) -> None:
    assert analyze(text).unicode_chars == expected


def test_smart_punctuation_suggestion_is_gsm_and_shorter() -> None:
    text = (
        f"It{RSQUO}s {LDQUO}great{RDQUO} to see you {EM_DASH} your order is ready{ELLIPSIS} "
        + "Pick it up at the front desk."
    )
    info = analyze(text)
    assert (info.encoding, info.segments) == ("UCS-2", 2)
    assert info.gsm_suggestion == (
        'It\'s "great" to see you - your order is ready... Pick it up at the front desk.'
    )
    suggested = analyze(info.gsm_suggestion)
    assert (suggested.encoding, suggested.segments) == ("GSM-7", 1)


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [
        pytest.param("plain GSM", None, id="already GSM"),
        pytest.param(f"It{RSQUO}s 😀", None, id="an emoji has no GSM equivalent"),
        pytest.param(f"Привет {LDQUO}you{RDQUO}", None, id="cyrillic has no GSM equivalent"),
        pytest.param("a\u00a0b\u200bc • d", "a bc - d", id="spaces, invisibles and bullets"),
        pytest.param(
            f"{LSQUO}a{RSQUO} {LOW_SQUO}b{LSQUO} {LOW_DQUO}c{LDQUO} "
            f"5{PRIME} 6{DOUBLE_PRIME} x{EN_DASH}y",
            "'a' 'b' \"c\" 5' 6\" x-y",
            id="quotes, primes",
        ),
    ],
)
def test_gsm_suggestion(text: str, suggestion: str | None) -> None:
    assert analyze(text).gsm_suggestion == suggestion


def test_every_smart_substitute_is_gsm() -> None:
    for original, replacement in SMART_SUBSTITUTES.items():
        assert gsm7_septets(original) is None, original
        assert gsm7_septets(replacement) == len(replacement), original


GSM_TEXT = st.text(alphabet=GSM7_BASIC + GSM7_EXTENSION * 4, max_size=700)
# Few distinct characters, so part boundaries land on pairs and lone surrogates often.
BOUNDARY_TEXT = st.text(
    alphabet=st.sampled_from(["a", "€", "[", CYRILLIC, EMOJI, "\ud83d", "\ude00", "\udbff"]),
    max_size=400,
)
ANY_TEXT = st.text(alphabet=st.characters(exclude_categories=()), max_size=400)


def check_layout(text: str) -> None:
    parts = split_segments(text)
    info = analyze(text)
    assert (info.encoding == "GSM-7") == (set(text) <= set(GSM7_BASIC + GSM7_EXTENSION))
    assert segment_count(text) == len(parts) == info.segments
    assert "".join(parts) == text
    size = septets if info.encoding == "GSM-7" else utf16_units
    assert sum(size(part) for part in parts) == info.length
    assert all(size(part) <= info.per_segment for part in parts)
    assert info.remaining == info.per_segment - size(parts[-1])
    assert all(parts) or text == ""
    # Greedy like a carrier: each part but the last is full up to what the next part starts with.
    for part, following in itertools.pairwise(parts):
        room = info.per_segment - size(part)
        fits = size(following[0]) <= room
        dangling = room == 1 and "\ud800" <= following[0] <= "\udbff"
        assert not fits or dangling, (part, following)


@settings(max_examples=300)
@given(ANY_TEXT)
def test_any_text_layout_is_consistent(text: str) -> None:
    check_layout(text)


@settings(max_examples=300)
@given(GSM_TEXT)
def test_gsm_text_layout_is_consistent(text: str) -> None:
    assert analyze(text).encoding == "GSM-7"
    check_layout(text)


@settings(max_examples=300)
@given(BOUNDARY_TEXT)
def test_pairs_at_boundaries_layout_is_consistent(text: str) -> None:
    check_layout(text)
