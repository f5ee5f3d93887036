"""SMS encoding and segment counting, computed the way carriers split and bill a message.

A message goes out as GSM-7 when every character is in the GSM 03.38 default alphabet or its
extension table, otherwise as UCS-2 (UTF-16). One segment holds 160 septets or 70 UTF-16 code
units; a longer message is sent in parts that each lose room to the concatenation header
(153 septets or 67 units). An escape pair (GSM-7 extension character) and a surrogate pair
(UCS-2 character outside the BMP) are never split across parts: when only one slot is left,
the pair moves whole to the next part.

`segment_count` is the hot path (throttling and billing count segments for every message), so
it classifies a text with precomputed tables (`bytes.translate`, frozenset) rather than a
Python loop per character, and lays out parts per part rather than per character.
`split_segments` is a plain per-character reference walk; the tests check that both agree.

An empty body is 1 segment: carriers bill an empty message as one.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

Encoding = Literal["GSM-7", "UCS-2"]
_Cost = Callable[[str], int]

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

# A lookup of the codec function itself: str.encode("utf-16-le") pays a codec-name lookup
# that costs more than the encoding of a short text.
_utf16le_encode = codecs.utf_16_le_encode

# "Smart" punctuation that word processors and phones insert, with its GSM-7 equivalent. A text
# whose only non-GSM characters are these gets a suggestion that sends as GSM-7.
SMART_SUBSTITUTES: dict[str, str] = {
    "\u2018": "'",  # left single quotation mark
    "\u2019": "'",  # right single quotation mark, typographic apostrophe
    "\u201a": "'",  # single low-9 quotation mark
    "\u201b": "'",  # single high-reversed-9 quotation mark
    "\u2032": "'",  # prime
    "\u2039": "'",  # single left-pointing angle quotation mark
    "\u203a": "'",  # single right-pointing angle quotation mark
    "\u00b4": "'",  # acute accent used as an apostrophe
    "`": "'",  # grave accent (backtick) is not in GSM-7
    "\u201c": '"',  # left double quotation mark
    "\u201d": '"',  # right double quotation mark
    "\u201e": '"',  # double low-9 quotation mark
    "\u201f": '"',  # double high-reversed-9 quotation mark
    "\u2033": '"',  # double prime
    "\u00ab": '"',  # left-pointing double angle quotation mark
    "\u00bb": '"',  # right-pointing double angle quotation mark
    "\u2010": "-",  # hyphen
    "\u2011": "-",  # non-breaking hyphen
    "\u2012": "-",  # figure dash
    "\u2013": "-",  # en dash
    "\u2014": "-",  # em dash
    "\u2015": "-",  # horizontal bar
    "\u2212": "-",  # minus sign
    "\u2022": "-",  # bullet
    "\u2026": "...",  # horizontal ellipsis
    "\u00a0": " ",  # no-break space
    "\u2002": " ",  # en space
    "\u2003": " ",  # em space
    "\u2007": " ",  # figure space
    "\u2009": " ",  # thin space
    "\u202f": " ",  # narrow no-break space
    "\t": " ",  # tab is not in GSM-7
    "\u00ad": "",  # soft hyphen (invisible)
    "\u200b": "",  # zero-width space (invisible)
    "\ufeff": "",  # zero-width no-break space / BOM (invisible)
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


def _ucs2_layout(units: bytes) -> tuple[int, int]:
    """(parts, code units in the last part) of UTF-16LE `units`."""
    count = len(units) // 2
    if count <= UCS2_SINGLE:
        return 1, count
    start = 0
    parts = 1
    while start + UCS2_PART < count:
        end = start + UCS2_PART
        # The high byte of the part's last unit: 0xD8-0xDB is a high surrogate, whose low
        # surrogate would start the next part, so the pair moves whole.
        if 0xD8 <= units[2 * end - 1] <= 0xDB:
            end -= 1
        start = end
        parts += 1
    return parts, count - start


def _ucs2_units(text: str) -> bytes:
    # surrogatepass: a lone surrogate code point is one unit on the wire rather than an error.
    return _utf16le_encode(text, "surrogatepass")[0]


def segment_count(text: str) -> int:
    """Segments a carrier bills for `text` (an empty text is 1)."""
    septets = gsm7_septets(text)
    if septets is not None:
        return 1 if septets <= GSM7_SINGLE else _gsm7_layout(text, septets)[0]
    if len(text) <= UCS2_SINGLE // 2:  # even all-astral, it fits one segment
        return 1
    return _ucs2_layout(_ucs2_units(text))[0]


def analyze(text: str) -> SegmentInfo:
    """Encoding, segment count and room left for `text`, and a GSM-7 rewrite when one exists."""
    septets = gsm7_septets(text)
    if septets is not None:
        parts, last = _gsm7_layout(text, septets)
        capacity = GSM7_SINGLE if parts == 1 else GSM7_PART
        return SegmentInfo(GSM7, parts, septets, capacity, capacity - last, (), None)
    units = _ucs2_units(text)
    parts, last = _ucs2_layout(units)
    capacity = UCS2_SINGLE if parts == 1 else UCS2_PART
    unicode_chars = tuple(char for char in dict.fromkeys(text) if char not in _ENCODABLE)
    suggestion = None
    if all(char in SMART_SUBSTITUTES for char in unicode_chars):
        suggestion = text.translate(_SMART_TABLE)
    return SegmentInfo(
        UCS2, parts, len(units) // 2, capacity, capacity - last, unicode_chars, suggestion
    )


def split_segments(text: str) -> list[str]:
    """The parts `text` is sent in; joined they give `text` back (an empty text is [""])."""
    septets = gsm7_septets(text)
    if septets is not None:
        if septets <= GSM7_SINGLE:
            return [text]
        return _split(text, GSM7_PART, _gsm7_cost)
    if len(_ucs2_units(text)) // 2 <= UCS2_SINGLE:
        return [text]
    return _split(text, UCS2_PART, _ucs2_cost)


def _gsm7_cost(char: str) -> int:
    return 2 if char in _EXTENSION else 1


def _ucs2_cost(char: str) -> int:
    return 2 if char > "\uffff" else 1


def _split(text: str, capacity: int, cost: _Cost) -> list[str]:
    """Fill parts character by character; a character that does not fit starts the next."""
    parts: list[str] = []
    start = 0
    used = 0
    last = len(text) - 1
    for index, char in enumerate(text):
        size = cost(char)
        # A lone high-surrogate code point is not left as a part's last unit either: on the
        # wire it is indistinguishable from the first half of a pair (see _ucs2_layout).
        dangling = used + size == capacity and "\ud800" <= char <= "\udbff" and index < last
        if used + size > capacity or dangling:
            parts.append(text[start:index])
            start = index
            used = 0
        used += size
    parts.append(text[start:])
    return parts
