"""Grapheme clusters (Unicode UAX #29 extended clusters), as carriers keep them whole.

A flag, a letter with a combining accent, an emoji with a skin tone or a ZWJ sequence, a
keycap and a Devanagari conjunct are one visible character made of several code points.
Twilio's segment calculator lays a UCS-2 text out cluster by cluster and never breaks one
across parts; `shared.templates.segments` does the same. The clusters come from the `regex`
package's `\\X` (kept current with Unicode), imported on first use: only multipart UCS-2
texts need it, and it costs tens of milliseconds to import.

One departure from UAX #29, as in the calculator: CR LF counts as two characters (a
carrier sends them as two, and may end a part between them).

The segment counter asks only whether a part boundary falls inside a cluster, so it does not
cluster the whole text. Every rule of UAX #29 that joins two code points involves a *joiner*:
a code point whose Grapheme_Cluster_Break is Extend, ZWJ, SpacingMark, Prepend,
Regional_Indicator or a conjoining Hangul jamo (L, V, T). Between two code points that are
both not joiners there is always a boundary (CR LF aside), so a text is clustered from the
nearest such point before the position in question.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import regex

_JOINER_CLASS = (
    r"[\p{GCB=Extend}\p{GCB=ZWJ}\p{GCB=SpacingMark}\p{GCB=Prepend}"
    r"\p{GCB=Regional_Indicator}\p{GCB=L}\p{GCB=V}\p{GCB=T}]"
)


@cache
def _patterns() -> tuple[regex.Pattern[str], regex.Pattern[str]]:
    import regex  # lazily: see the module's docstring

    return regex.compile(r"\X"), regex.compile(_JOINER_CLASS)


def is_joiner(code_point: int) -> bool:
    """True when `code_point` can join its neighbour into one cluster (see the docstring)."""
    return _patterns()[1].match(chr(code_point)) is not None


def clusters(text: str) -> list[str]:
    """`text` split into grapheme clusters; CR LF is two, as carriers count it."""
    found = _patterns()[0].findall(text)
    if "\r\n" not in text:
        return found
    return [piece for cluster in found for piece in (cluster if cluster == "\r\n" else (cluster,))]
