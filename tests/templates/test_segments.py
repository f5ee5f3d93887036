"""SMS encoding and segment counting, checked against the carrier rules case by case.

The grapheme cases follow Twilio's segment calculator (TwilioDevEd/message-segment-calculator):
a UCS-2 text is laid out grapheme cluster by grapheme cluster, and a cluster that does not fit
in what is left of a part starts the next one. Each expected layout below is worked out by
hand from that rule (`[p, 67, 67 - p]` and the like), not taken from the code under test.
"""

from __future__ import annotations

import itertools

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.templates.segments import (
    GSM7_BASIC,
    GSM7_EXTENSION,
    SMART_SUBSTITUTES,
    UCS2_PART,
    InvalidText,
    analyze,
    gsm7_septets,
    segment_count,
    smart_encode,
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

# Grapheme clusters of several code points, with their size in UTF-16 code units.
E_COMBINING = "e\N{COMBINING ACUTE ACCENT}"  # 2 units: e + a combining mark
FLAG_FR = "\N{REGIONAL INDICATOR SYMBOL LETTER F}\N{REGIONAL INDICATOR SYMBOL LETTER R}"  # 4
FLAG_US = "\N{REGIONAL INDICATOR SYMBOL LETTER U}\N{REGIONAL INDICATOR SYMBOL LETTER S}"  # 4
THUMB_SKIN = "\N{THUMBS UP SIGN}\N{EMOJI MODIFIER FITZPATRICK TYPE-4}"  # 4
ZWJ = "\N{ZERO WIDTH JOINER}"
FAMILY = f"\N{MAN}{ZWJ}\N{WOMAN}{ZWJ}\N{GIRL}"  # 8: three emoji joined by two ZWJ
KEYCAP_1 = "1\N{VARIATION SELECTOR-16}\N{COMBINING ENCLOSING KEYCAP}"  # 3
HEART_EMOJI = "\N{HEAVY BLACK HEART}\N{VARIATION SELECTOR-16}"  # 2
KSSA = "\N{DEVANAGARI LETTER KA}\N{DEVANAGARI SIGN VIRAMA}\N{DEVANAGARI LETTER SSA}"  # 3: conjunct
HANGUL_JAMO = (  # 3: a syllable written as conjoining jamo
    "\N{HANGUL CHOSEONG KIYEOK}\N{HANGUL JUNGSEONG A}\N{HANGUL JONGSEONG KIYEOK}"
)


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
    # A cluster of w units starting at unit p < 67 with the first boundary (unit 67) inside it,
    # in a 134-unit text: it moves whole to part 2, which then spills 67 - p units into a
    # third part: [p, 67, 67 - p] units. Cutting the cluster (the old count) gave [67, 67].
    case("combining accent across the boundary",
         CYRILLIC * 66 + E_COMBINING + CYRILLIC * 66, UCS, 3, 134, 66, [66, 67, 1]),
    case("flag across the boundary (between its two regional indicators)",
         CYRILLIC * 65 + FLAG_FR + CYRILLIC * 65, UCS, 3, 134, 65, [65, 65, 2]),
    case("skin-tone emoji across the boundary",
         CYRILLIC * 65 + THUMB_SKIN + CYRILLIC * 65, UCS, 3, 134, 65, [65, 65, 2]),
    case("ZWJ family across the boundary (cut after the first ZWJ)",
         CYRILLIC * 64 + FAMILY + CYRILLIC * 62, UCS, 3, 134, 64, [64, 64, 3]),
    case("keycap across the boundary (cut before the enclosing keycap)",
         CYRILLIC * 65 + KEYCAP_1 + CYRILLIC * 66, UCS, 3, 134, 65, [65, 67, 2]),
    case("emoji with variation selector across the boundary",
         CYRILLIC * 66 + HEART_EMOJI + CYRILLIC * 66, UCS, 3, 134, 66, [66, 67, 1]),
    case("Devanagari conjunct across the boundary (cut before the virama)",
         CYRILLIC * 66 + KSSA + CYRILLIC * 65, UCS, 3, 134, 66, [66, 67, 1]),
    # Unicode 15.1 (GB9c) made a whole conjunct one cluster; the calculator's splitter is
    # older and would end part 1 after the virama here (2 parts). We keep it whole: never
    # fewer parts than the calculator, one more in this case.
    case("Devanagari conjunct across the boundary (cut after the virama)",
         CYRILLIC * 65 + KSSA + CYRILLIC * 66, UCS, 3, 134, 65, [65, 67, 2]),
    case("Hangul jamo syllable across the boundary",
         CYRILLIC * 65 + HANGUL_JAMO + CYRILLIC * 66, UCS, 3, 134, 65, [65, 67, 2]),
    case("a cluster across the second boundary",
         CYRILLIC * 133 + E_COMBINING + CYRILLIC * 66, UCS, 4, 201, 66, [67, 66, 67, 1]),
    case("a cluster that fits exactly stays in part 1",
         CYRILLIC * 63 + FLAG_FR + CYRILLIC * 67, UCS, 2, 134, 0, [65, 67]),
    case("two flags: the boundary between them is kept",
         CYRILLIC * 63 + FLAG_US + FLAG_FR + CYRILLIC * 63, UCS, 2, 134, 0, [65, 65]),
    case("two flags, one unit later: the first moves (regional indicators pair in order)",
         CYRILLIC * 64 + FLAG_US + FLAG_FR + CYRILLIC * 62, UCS, 3, 134, 64, [64, 63, 3]),
    # 41 regional indicators pair from the run's start: 20 pairs of 4 units, then a lone one.
    case("an odd run of regional indicators pairs from its start (the last one is alone)",
         "\N{REGIONAL INDICATOR SYMBOL LETTER F}" + FLAG_FR * 20, UCS, 2, 82, 49, [32, 9]),
    case("CR LF is two characters: a part may end between them, as carriers do",
         CYRILLIC * 66 + "\r\n" + CYRILLIC * 66, UCS, 2, 134, 0, [67, 67]),
    case("a cluster longer than a part starts one and is split between code points",
         CYRILLIC * 10 + "a" + "\N{COMBINING ACUTE ACCENT}" * 80 + CYRILLIC * 10,
         UCS, 3, 101, 43, [10, 67, 24]),
    case("a cluster longer than a part is never split inside a surrogate pair",
         CYRILLIC * 5 + "\N{THUMBS UP SIGN}" + "\N{EMOJI MODIFIER FITZPATRICK TYPE-4}" * 40
         + CYRILLIC * 5, UCS, 3, 92, 46, [5, 33, 13]),
    case("clusters that fit do not change a single segment",
         FAMILY * 8 + FLAG_FR, UCS, 1, 68, 2, [42]),
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
            "'a' ,b' \"c\" 5' 6\" x-y",
            id="quotes (a low single quote is a comma, as Twilio has it), primes",
        ),
    ],
)
def test_gsm_suggestion(text: str, suggestion: str | None) -> None:
    assert analyze(text).gsm_suggestion == suggestion


def test_every_smart_substitute_is_gsm() -> None:
    for original, replacement in SMART_SUBSTITUTES.items():
        assert gsm7_septets(original) is None, original
        assert gsm7_septets(replacement) is not None, original
    # Twilio's documented list, a sample of each kind: quotes, dashes, spaces, invisibles.
    assert {"\u201c", "\u2019", "\u2013", "\u2014", "\u2026", "\u00a0", "\u200b"} <= set(
        SMART_SUBSTITUTES
    )


@pytest.mark.parametrize(
    ("text", "sent"),
    [
        pytest.param("plain GSM {x}", "plain GSM {x}", id="GSM text is sent as it is"),
        pytest.param(
            f"It{RSQUO}s {LDQUO}on{RDQUO} {EM_DASH} 50% off{ELLIPSIS}\u00a0today",
            'It\'s "on" - 50% off... today',
            id="quotes, dash, ellipsis and no-break space become GSM",
        ),
        pytest.param(
            "\uff21\uff22\uff23\uff11\uff12 \u1d00\u0299\u1d04 \u00bd \u203c",
            "ABC12 ABC 1/2 !!",
            id="fullwidth, small capitals, fractions",
        ),
        pytest.param(f"It{RSQUO}s 😀", f"It{RSQUO}s 😀", id="an emoji keeps the text as written"),
        pytest.param(f"Привет {LDQUO}", f"Привет {LDQUO}", id="cyrillic keeps the text as written"),
    ],
)
def test_smart_encode(text: str, sent: str) -> None:
    assert smart_encode(text) == sent
    if sent != text:
        assert analyze(sent).encoding == "GSM-7"
        assert analyze(text).gsm_suggestion == sent


def test_smart_encoding_saves_segments() -> None:
    text = f"{LDQUO}Hi{RDQUO} {EM_DASH} " + "a" * 150  # 156 characters
    assert (analyze(text).encoding, segment_count(text)) == ("UCS-2", 3)
    assert (analyze(smart_encode(text)).encoding, segment_count(smart_encode(text))) == (
        "GSM-7",
        1,
    )


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("\ud83d", id="a lone high surrogate"),
        pytest.param("Hi \ude00 there", id="a lone low surrogate"),
        pytest.param("\ude00\ud83d", id="a pair in the wrong order"),
        pytest.param(CYRILLIC * 100 + "\udbff", id="at the end of a multipart text"),
        pytest.param("a" * 200 + "\ud800", id="in an otherwise GSM text"),
    ],
)
def test_lone_surrogates_are_invalid_text(text: str) -> None:
    for count in (segment_count, analyze, split_segments):
        with pytest.raises(InvalidText, match="lone surrogate"):
            count(text)


def test_nothing_below_u0300_joins_a_cluster() -> None:
    """The counter skips the Unicode lookup below U+0300 (segments._joins)."""
    from shared.templates.graphemes import is_joiner

    assert not any(is_joiner(code) for code in range(0x300))
    assert is_joiner(0x300)


def crlf_split(clusters: list[str]) -> list[str]:
    return [piece for c in clusters for piece in (c if c == "\r\n" else (c,))]


def cluster_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) in characters of each grapheme cluster, CR LF counted as two."""
    spans = []
    position = 0
    for cluster in crlf_split(regex.findall(r"\X", text)):
        spans.append((position, position + len(cluster)))
        position += len(cluster)
    assert position == len(text)
    return spans


GSM_TEXT = st.text(alphabet=GSM7_BASIC + GSM7_EXTENSION * 4, max_size=700)
# Few distinct pieces, so part boundaries land on escape pairs, surrogate pairs and inside
# grapheme clusters often: loose combining marks, regional indicators (pairs in order), skin
# tones, ZWJ, variation selectors, keycaps, virama, jamo, CR and LF.
CLUSTER_PIECES = [
    "a",
    "€",
    "[",
    CYRILLIC,
    EMOJI,
    "\N{COMBINING ACUTE ACCENT}",
    "\N{REGIONAL INDICATOR SYMBOL LETTER F}",
    "\N{EMOJI MODIFIER FITZPATRICK TYPE-4}",
    "\N{THUMBS UP SIGN}",
    ZWJ,
    "\N{VARIATION SELECTOR-16}",
    "\N{COMBINING ENCLOSING KEYCAP}",
    "\N{DEVANAGARI LETTER KA}",
    "\N{DEVANAGARI SIGN VIRAMA}",
    "\N{DEVANAGARI VOWEL SIGN AA}",
    "\N{HANGUL CHOSEONG KIYEOK}",
    "\N{HANGUL JUNGSEONG A}",
    "\r",
    "\n",
]
BOUNDARY_TEXT = st.text(alphabet=st.sampled_from(CLUSTER_PIECES), max_size=400)
# Whole clusters of every kind, and now and then one longer than a part.
CLUSTER_TEXT = st.lists(
    st.one_of(
        st.sampled_from(
            [
                CYRILLIC,
                "a",
                EMOJI,
                E_COMBINING,
                FLAG_FR,
                THUMB_SKIN,
                FAMILY,
                KEYCAP_1,
                HEART_EMOJI,
                KSSA,
                HANGUL_JAMO,
                "\r\n",
            ]
        ),
        st.builds(lambda n: "o" + "\N{COMBINING TILDE}" * n, st.integers(20, 150)),
        st.builds(
            lambda n: "\N{THUMBS UP SIGN}" + "\N{EMOJI MODIFIER FITZPATRICK TYPE-4}" * n,
            st.integers(10, 60),
        ),
    ),
    max_size=150,
).map("".join)
ANY_TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=400)


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
    if info.encoding == "GSM-7":
        # Greedy like a carrier: each part but the last is full up to the next character.
        for part, following in itertools.pairwise(parts):
            assert size(following[0]) > info.per_segment - size(part), (part, following)
        return
    # UCS-2: no part boundary falls inside a grapheme cluster, unless the cluster is longer
    # than a part; and each part is full up to the cluster (or, inside a cluster longer
    # than a part, the code point) that starts the next one.
    spans = cluster_spans(text)
    cluster_at = {i: span for span in spans for i in range(*span)}
    position = 0
    for part, following in itertools.pairwise(parts):
        position += len(part)
        first, end = cluster_at[position]
        cluster = text[first:end]
        oversized = utf16_units(cluster) > UCS2_PART
        assert first == position or oversized, (part, following, cluster)
        room = info.per_segment - size(part)
        if first == position and not oversized:
            assert utf16_units(cluster) > room, (part, following)
        elif first < position:  # inside a cluster longer than a part: split where it is full
            assert utf16_units(text[position]) > room, (part, following)


@settings(max_examples=300, deadline=None)
@given(ANY_TEXT)
def test_any_text_layout_is_consistent(text: str) -> None:
    check_layout(text)


@settings(max_examples=300, deadline=None)
@given(GSM_TEXT)
def test_gsm_text_layout_is_consistent(text: str) -> None:
    assert analyze(text).encoding == "GSM-7"
    check_layout(text)


@settings(max_examples=500, deadline=None)
@given(BOUNDARY_TEXT)
def test_pairs_and_clusters_at_boundaries_layout_is_consistent(text: str) -> None:
    check_layout(text)


@settings(max_examples=300, deadline=None)
@given(CLUSTER_TEXT)
def test_no_part_boundary_falls_inside_a_cluster(text: str) -> None:
    check_layout(text)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.sampled_from(["a", CYRILLIC, EMOJI, "\ud800", "\udfff"]), max_size=200))
def test_any_lone_surrogate_is_refused(text: str) -> None:
    try:
        text.encode("utf-16-le")
    except UnicodeEncodeError:
        with pytest.raises(InvalidText):
            segment_count(text)
    else:
        check_layout(text)
