"""SMS encoding and segment counting, computed the way carriers split and bill a message.

A message goes out as GSM-7 when every character is in the GSM 03.38 default alphabet or its
extension table, otherwise as UCS-2 (UTF-16). One segment holds 160 septets or 70 UTF-16 code
units; a longer message is sent in parts that each lose room to the concatenation header
(153 septets or 67 units). Nothing that is one character on the phone is split across parts:
an escape pair (GSM-7 extension character) moves whole to the next part, and so does a
grapheme cluster of a UCS-2 text (a flag, a letter with a combining accent, an emoji with a
skin tone or ZWJ sequence, a keycap, a Devanagari conjunct; see `graphemes`), as Twilio's own
segment calculator lays it out. The one exception is a cluster longer than a whole part: it
starts a part and is split between code points, never inside a surrogate pair.

A text with a lone surrogate is not valid Unicode and has no UTF-16 form: it is refused with
`InvalidText` (the API refuses it at its edge, `shared.http`).

`segment_count` is the hot path (throttling and billing count segments for every message), so
it classifies a text with precomputed tables (`bytes.translate`, frozenset) rather than a
Python loop per character, lays out parts per part rather than per character, and looks at
grapheme clusters only around the part boundaries, when a code point there can join its
neighbour. `split_segments` is a plain per-cluster reference walk; the tests check that both
agree.

An empty body is 1 segment: carriers bill an empty message as one.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from typing import Literal

from shared.templates import graphemes

Encoding = Literal["GSM-7", "UCS-2"]

GSM7: Encoding = "GSM-7"
UCS2: Encoding = "UCS-2"

GSM7_SINGLE = 160  # septets in a one-part message
GSM7_PART = 153  # septets per part of a multipart message (7 go to the UDH)
UCS2_SINGLE = 70  # UTF-16 code units in a one-part message
UCS2_PART = 67  # UTF-16 code units per part of a multipart message

# GSM 03.38 default alphabet in code order, 16 per row; 0x1B is the escape, not a character.
GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅå"
    "\N{GREEK CAPITAL LETTER DELTA}_"
    "\N{GREEK CAPITAL LETTER PHI}\N{GREEK CAPITAL LETTER GAMMA}"
    "\N{GREEK CAPITAL LETTER LAMDA}\N{GREEK CAPITAL LETTER OMEGA}"
    "\N{GREEK CAPITAL LETTER PI}\N{GREEK CAPITAL LETTER PSI}"
    "\N{GREEK CAPITAL LETTER SIGMA}\N{GREEK CAPITAL LETTER THETA}"
    "\N{GREEK CAPITAL LETTER XI}ÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Extension table: each costs 2 septets (ESC + code).
GSM7_EXTENSION = "\f^{}\\[~]|€"

_BASIC = frozenset(GSM7_BASIC)
_ENCODABLE = frozenset(GSM7_BASIC + GSM7_EXTENSION)
_EXTENSION = frozenset(GSM7_EXTENSION)

# Most traffic is Latin-1 (ASCII and Western European letters). For it, one bytes.translate
# through this table gives each character's class in a single C pass, several times faster
# than a frozenset test (see bench/segments.py): 0 not GSM-7, 1 basic, 2 extension.
_NOT_GSM, _BASIC_CLASS, _EXTENSION_CLASS = 0, 1, 2


def _gsm_class(char: str) -> int:
    if char in _BASIC:
        return _BASIC_CLASS
    return _EXTENSION_CLASS if char in _EXTENSION else _NOT_GSM


_LATIN1_CLASSES = bytes(_gsm_class(chr(code)) for code in range(256))

# Marks the first septet of each escape pair once extension characters are written ESC + char,
# so that one str index is one septet. ESC itself is not a GSM character (a text containing it
# is UCS-2), so here it only ever marks a pair.
_ESC = "\x1b"


class InvalidText(ValueError):
    """The text holds a lone surrogate code point: it has no UTF-16 form a carrier can send."""


# A lookup of the codec function itself: str.encode("utf-16-le") pays a codec-name lookup
# that costs more than the encoding of a short text.
_utf16le_encode = codecs.utf_16_le_encode

# Smart encoding: characters with a GSM-7 look-alike, by replacement. The table is Twilio's
# documented Smart Encoding list (Messaging Services), with these choices of ours: every
# kind of space becomes one space (a tab too); U+2017 DOUBLE LOW LINE becomes "_"; the single
# angle quotation marks become "<" and ">"; and a few look-alikes Twilio does not list are
# added (non-breaking hyphen, figure dash, minus sign, prime, double prime, soft hyphen).
_SMART_BY_REPLACEMENT: dict[str, str] = {
    # double quotes: angle, curly, low, primes, ornaments, fullwidth
    '"': "\u00ab\u00bb\u201c\u201d\u201e\u201f\u02ba\u02ee\u275d\u275e\u301d\u301e\uff02\u2033",
    # apostrophes: curly, modifier letters, accents, ornaments, combining commas, fullwidth
    "'": "\u2018\u2019\u201b\u02b9\u02bb\u02bc\u02bd\u02c8\u02ca\u02cb\u00b4`\u275b\u275c"
    "\u0313\u0314\ufe10\ufe11\uff07\u2032",
    ",": "\u201a\u0326\ufe50\ufe51\uff0c\uff64\u3001",
    "-": "\u2010\u2013\u2014\u2015\u2043\u2022\u23bc\u23bd\ufe63\uff0d\u2011\u2012\u2212",
    "/": "\u00f7\u2044\u2215\u29f8\u0337\u0338\uff0f",
    "\\": "\u29f5\u29f9\u20e5\ufe68\uff3c",
    "_": "\u0332\uff3f\u2017",
    "|": "\u2223\u20d2\u20d3\u23b8\u23b9\u23d0\u239c\u239f\uff5c",
    "^": "\u02c6\u0302\u1dcd\uff3e",
    "~": "\u02dc\u02f7\u0303\u0330\u0334\u223c\uff5e",
    "{": "\u2774\ufe5b\uff5b",
    "}": "\u2775\ufe5c\uff5d",
    "[": "\uff3b",
    "]": "\uff3d",
    "(": "\u2768\u276a\u27ee\u2985\ufe59\uff08",
    ")": "\u2769\u276b\u27ef\u2986\ufe5a\uff09",
    "<": "\u2039\ufe64\uff1c",
    ">": "\u203a\ufe65\uff1e",
    "=": "\u0347\ua78a\ufe66\uff1d",
    "*": "\u204e\u2217\u229b\u2722\u2723\u2724\u2725\u2731\u2732\u2733\u273a\u273b\u273c"
    "\u273d\u2743\u2749\u274a\u274b\u29c6\ufe61\uff0a",
    "+": "\u02d6\ufe62\uff0b",
    ".": "\u3002\ufe52\uff0e\uff61",
    ":": "\u02d0\u02f8\u2982\ua789\ufe13\uff1a",
    ";": "\u204f\ufe14\ufe54\uff1b",
    "?": "\ufe16\ufe56\uff1f",
    "!": "\u01c3\ufe15\ufe57\uff01",
    "@": "\ufe6b\uff20",
    "#": "\ufe5f\uff03",
    "$": "\ufe69\uff04",
    "%": "\ufe6a\uff05",
    "&": "\ufe60\uff06",
    # spaces: no-break, en/em and the other widths, line/paragraph separators, C1 controls
    " ": "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f"
    "\u205f\u3000\u2028\u2029\u0080\u008d\u0090\u009b\u009f\t",
    # invisible: zero-width space, joiners that join nothing here, BOM, soft hyphen, controls
    "": "\u200b\u200c\u2060\ufeff\u00ad\x00\x03\x04\x10\x11\x12\x13\x14\x17\x19",
    "...": "\u2026",
    "!!": "\u203c",
    "1/4": "\u00bc",
    "1/2": "\u00bd",
    "3/4": "\u00be",
}
# Letters and digits: fullwidth forms and small capitals.
_SMART_LETTERS = {
    **{chr(0xFF10 + i): str(i) for i in range(10)},
    **{chr(0xFF21 + i): chr(ord("A") + i) for i in range(26)},
    **dict(
        zip(
            "\u1d00\u0299\u1d04\u1d05\u1d07\ua730\u0262\u029c\u026a\u1d0a\u1d0b\u029f\u1d0d"
            "\u0274\u1d0f\u1d18\u0280\ua731\u1d1b\u1d1c\u1d20\u1d21\u028f\u1d22",
            "ABCDEFGHIJKLMNOPRSTUVWYZ",
            strict=True,
        )
    ),
}
SMART_SUBSTITUTES: dict[str, str] = {
    **{char: replacement for replacement, chars in _SMART_BY_REPLACEMENT.items() for char in chars},
    **_SMART_LETTERS,
}
_SMART_TABLE = str.maketrans(SMART_SUBSTITUTES)


@dataclass(frozen=True, slots=True)
class SegmentInfo:
    """How a text goes out: encoding, parts and room left, plus why it is not GSM-7."""

    encoding: Encoding
    segments: int
    # Septets for GSM-7 (an extension character counts 2), UTF-16 code units for UCS-2.
    length: int
    # Capacity of each part: 160/70 for a single segment, 153/67 once it is multipart.
    per_segment: int
    # Room left in the last part before another segment is needed.
    remaining: int
    # Distinct characters that forced UCS-2, in order of first appearance.
    unicode_chars: tuple[str, ...]
    # The text with smart punctuation replaced, when that alone makes it GSM-7; else None.
    gsm_suggestion: str | None


def gsm7_septets(text: str) -> int | None:
    """Septets `text` takes as GSM-7, or None when it needs UCS-2."""
    latin1 = text.encode("latin-1", "ignore")  # drops characters beyond Latin-1
    classes = latin1.translate(_LATIN1_CLASSES)
    if _NOT_GSM in classes:
        return None
    if len(latin1) == len(text):
        if _EXTENSION_CLASS not in classes:
            return len(text)
        return len(text) + classes.count(_EXTENSION_CLASS)  # each adds its ESC
    # Beyond Latin-1, GSM-7 has only the Greek capitals (basic) and the euro sign (extension).
    if not _ENCODABLE.issuperset(text):
        return None
    return len(text) + classes.count(_EXTENSION_CLASS) + text.count("€")


def _escape_pairs(text: str) -> str:
    """`text` with each extension character written ESC + character, one index per septet."""
    for char in GSM7_EXTENSION:
        text = text.replace(char, _ESC + char)  # returns `text` itself when absent: no copy
    return text


def _gsm7_layout(text: str, septets: int) -> tuple[int, int]:
    """(parts, septets in the last part) of a GSM-7 text."""
    if septets <= GSM7_SINGLE:
        return 1, septets
    if septets == len(text):  # no extension character: parts are plain slices
        full, rest = divmod(septets, GSM7_PART)
        return (full, GSM7_PART) if rest == 0 else (full + 1, rest)
    escaped = _escape_pairs(text)
    start = 0
    parts = 1
    while start + GSM7_PART < septets:
        end = start + GSM7_PART
        if escaped[end - 1] == _ESC:
            end -= 1  # the escape pair moves whole to the next part
        start = end
        parts += 1
    return parts, septets - start


def _joins(code_point: int) -> bool:
    """Whether `code_point` can join a neighbour into one grapheme cluster (`graphemes`)."""
    known = _JOINERS.get(code_point)
    if known is None:
        if len(_JOINERS) >= 16_384:  # bounded, whatever text comes
            _JOINERS.clear()
        # Nothing below U+0300 joins (the first combining marks start there): Latin, digits
        # and punctuation never reach the Unicode property lookup.
        known = _JOINERS[code_point] = code_point >= 0x300 and graphemes.is_joiner(code_point)
    return known


_JOINERS: dict[int, bool] = {}


def _may_join_at(units: bytes, end: int) -> bool:
    """Whether the code points either side of unit offset `end` (a code point boundary inside
    UTF-16LE `units`) could be one grapheme cluster."""
    before = units[2 * end - 2] | units[2 * end - 1] << 8
    if 0xDC00 <= before <= 0xDFFF:  # the low half of a pair: the code point starts before
        high = units[2 * end - 4] | units[2 * end - 3] << 8
        before = 0x10000 + ((high - 0xD800) << 10) + (before - 0xDC00)
    after = units[2 * end] | units[2 * end + 1] << 8
    if 0xD800 <= after <= 0xDBFF:  # the high half of a pair
        low = units[2 * end + 2] | units[2 * end + 3] << 8
        after = 0x10000 + ((after - 0xD800) << 10) + (low - 0xDC00)
    # The cache is read here directly: this runs at every part boundary.
    joins = _JOINERS.get(before)
    if joins is None:
        joins = _joins(before)
    if joins:
        return True
    joins = _JOINERS.get(after)
    return _joins(after) if joins is None else joins


_NEAR = 8  # code points looked back for a sure boundary before falling back to `floor`


def _cluster_boundary_before(text: str, index: int, floor: int) -> int:
    """The last grapheme cluster boundary at or before code point `index` of `text`, which
    is known to have one at `floor`.

    Between two code points that are both not joiners there is always a boundary: the text
    is clustered from the nearest such point before `index`, or from `floor` when none is
    near (a long run of joiners). Boundaries up to `index` depend only on the text up to
    `index`, so one `\\X` pass over that stretch finds the last one.
    """
    low, right = index, _joins(ord(text[index]))
    while True:
        if low - 1 < max(floor, index - _NEAR):
            low = floor
            break
        left = _joins(ord(text[low - 1]))
        if not (left or right):
            break
        low, right = low - 1, left
    last = graphemes.clusters(text[low : index + 1])[-1]
    return index + 1 - len(last)


def _ucs2_cut(text: str, units: bytes, start: int, end: int, known: int) -> tuple[int, int]:
    """(end, last known cluster boundary), in units, of a part from unit `start` whose full
    end `end` falls inside a cluster: the part ends before that cluster, unless the cluster
    began at or before `start` (it is longer than a part, and is split at `end`, between
    code points). `known` is a cluster boundary at or before `start`."""
    floor = len(units[: 2 * known].decode("utf-16-le"))  # code point indices
    first = floor + len(units[2 * known : 2 * start].decode("utf-16-le"))
    index = first + len(units[2 * start : 2 * end].decode("utf-16-le"))
    boundary = _cluster_boundary_before(text, index, floor)
    if boundary > first:
        end = start + _utf16_size(text[first:boundary])
        return end, end
    return end, start - _utf16_size(text[boundary:first])


def _ucs2_layout(text: str, units: bytes) -> tuple[int, int]:
    """(parts, code units in the last part) of `text`, whose UTF-16LE form is `units`."""
    count = len(units) >> 1
    if count <= UCS2_SINGLE:
        return 1, count
    start = known = 0  # the part's start; the last cluster boundary at or before it
    parts = 1
    while count - start > UCS2_PART:
        end = start + UCS2_PART
        # The high byte of the part's last unit: 0xD8-0xDB is a high surrogate, whose low
        # surrogate would start the next part, so the pair moves whole.
        if 0xD8 <= units[2 * end - 1] <= 0xDB:
            end -= 1
        if _may_join_at(units, end):
            end, known = _ucs2_cut(text, units, start, end, known)
        else:
            known = end  # two code points that cannot be one cluster: a boundary
        start = end
        parts += 1
    return parts, count - start


def _ucs2_units(text: str) -> bytes:
    """`text` in UTF-16LE; InvalidText when it holds a lone surrogate."""
    try:
        return _utf16le_encode(text)[0]
    except UnicodeEncodeError as exc:
        raise InvalidText(
            f"The text has a lone surrogate (U+{ord(text[exc.start]):04X}) at character "
            f"{exc.start}: it is not valid Unicode."
        ) from exc


def _utf16_size(text: str) -> int:
    return len(_utf16le_encode(text)[0]) >> 1


def segment_count(text: str) -> int:
    """Segments a carrier bills for `text` (an empty text is 1). InvalidText: lone surrogate."""
    septets = gsm7_septets(text)
    if septets is not None:
        return 1 if septets <= GSM7_SINGLE else _gsm7_layout(text, septets)[0]
    return _ucs2_layout(text, _ucs2_units(text))[0]


def analyze(text: str) -> SegmentInfo:
    """Encoding, segment count and room left for `text`, and a GSM-7 rewrite when one exists
    (InvalidText for a lone surrogate)."""
    septets = gsm7_septets(text)
    if septets is not None:
        parts, last = _gsm7_layout(text, septets)
        capacity = GSM7_SINGLE if parts == 1 else GSM7_PART
        return SegmentInfo(GSM7, parts, septets, capacity, capacity - last, (), None)
    units = _ucs2_units(text)
    length = len(units) >> 1
    parts, last = _ucs2_layout(text, units)
    capacity = UCS2_SINGLE if parts == 1 else UCS2_PART
    unicode_chars = tuple(char for char in dict.fromkeys(text) if char not in _ENCODABLE)
    suggestion = None
    if all(char in SMART_SUBSTITUTES for char in unicode_chars):
        suggestion = text.translate(_SMART_TABLE)
    return SegmentInfo(UCS2, parts, length, capacity, capacity - last, unicode_chars, suggestion)


def smart_encode(text: str) -> str:
    """`text` as Twilio's Smart Encoding sends it: when replacing the characters of
    SMART_SUBSTITUTES makes the whole text GSM-7, the replaced text; otherwise `text` as it
    is (a text that stays UCS-2 gains nothing from look-alikes, so it is sent as written)."""
    if gsm7_septets(text) is not None:
        return text
    rewritten = text.translate(_SMART_TABLE)
    return rewritten if gsm7_septets(rewritten) is not None else text


def split_segments(text: str) -> list[str]:
    """The parts `text` is sent in; joined they give `text` back (an empty text is [""])."""
    septets = gsm7_septets(text)
    if septets is not None:
        if septets <= GSM7_SINGLE:
            return [text]
        return _split([(char, 2 if char in _EXTENSION else 1, False) for char in text], GSM7_PART)
    if len(_ucs2_units(text)) >> 1 <= UCS2_SINGLE:
        return [text]
    pieces: list[tuple[str, int, bool]] = []
    for cluster in graphemes.clusters(text):
        size = _utf16_size(cluster)
        if size <= UCS2_PART:
            pieces.append((cluster, size, False))
        else:  # longer than a part: it starts one and is split between code points
            pieces += [(char, _utf16_size(char), i == 0) for i, char in enumerate(cluster)]
    return _split(pieces, UCS2_PART)


def _split(pieces: list[tuple[str, int, bool]], capacity: int) -> list[str]:
    """Fill parts piece by piece (piece, cost, starts a part); one that does not fit starts
    the next part."""
    parts: list[str] = []
    current: list[str] = []
    used = 0
    for piece, cost, fresh in pieces:
        if current and (used + cost > capacity or fresh):
            parts.append("".join(current))
            current = []
            used = 0
        current.append(piece)
        used += cost
    parts.append("".join(current))
    return parts
