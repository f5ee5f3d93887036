"""Microbenchmark: segment counting and template rendering throughput (calls per second).

What: `segment_count` on typical message bodies (a full 160-character GSM-7 text, ASCII and
with accented letters, a 70-character UCS-2 text, and multipart texts with escape and
surrogate pairs), a plain frozenset test of the same GSM-7 text as a baseline, `analyze` and
`split_segments` for comparison, and rendering a compiled template.

Why: throttling and billing count the segments of every outbound message, so
`segment_count` sits on the sending hot path; it should cost about a microsecond, not tens.

How: `timeit` with auto-ranged loops, best of 5 repeats (the least disturbed run), in this
process, timed by the process's CPU time. Run from the project root:
`python -m bench.segments`. Prints only; nothing written.
`python -m bench.segments --baseline OLD.py` also times `segment_count` of another version of
`shared/templates/segments.py` (e.g. `git show REV:shared/templates/segments.py > OLD.py`)
on the same texts, alternating with this one, and prints the ratio new / old per text.

The first multipart UCS-2 text whose part boundary falls next to a joining code point imports
the `regex` package (tens of milliseconds, once per process); the warm-up call below pays it
before anything is timed, as a warm instance has.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
import timeit
from collections.abc import Callable
from types import ModuleType

from shared.templates.render import compile_template
from shared.templates.segments import (
    GSM7_BASIC,
    GSM7_EXTENSION,
    analyze,
    segment_count,
    smart_encode,
    split_segments,
)

# Baseline for the Latin-1 byte-table classification inside segment_count: the obvious
# frozenset test (encoding only, no counting) on the same text.
GSM_CHARACTERS = frozenset(GSM7_BASIC + GSM7_EXTENSION)

GSM_ASCII = (
    "Hi Anna, your order #4821 has shipped and arrives Tuesday. Track it at "
    "https://ex.co/t/4821 - questions? Just reply. Reply STOP to opt out of texts. Thanks, Bob"
)
GSM_ACCENTED = (
    "Café Müller: ¡Hola! Ihre Bestellung ist unterwegs, Lieferung am Dienstag. £5 " * 3
)[:160]
UCS2 = ("Привет, Анна! Ваш заказ отправлен, доставка во вторник. Ответьте STOP. " * 2)[:70]
GSM_MULTIPART_EURO = ("Sale: everything 20€ off [today only] {code: SPRING} " * 9)[:459]
UCS2_MULTIPART_EMOJI = ("Привет 😀 скидка 20% сегодня 🎉 " * 8)[:201]
# Texts whose grapheme clusters span several code points: emoji with a variation selector,
# skin tones, ZWJ sequences and flags; Devanagari with vowel signs and conjuncts.
UCS2_MULTIPART_CLUSTERS = ("Sale ❤️ today 👍🏽 for the family 👨‍👩‍👧 in 🇫🇷 and 🇩🇪! " * 5)[:201]
# Worst case for the boundary check: every code point a joiner (an odd run of regional
# indicators: pairs counted from its start), 1,598 units.
UCS2_REGIONAL_RUN = "\N{REGIONAL INDICATOR SYMBOL LETTER F}" + "\U0001f1eb\U0001f1f7" * 399
UCS2_MULTIPART_DEVANAGARI = ("नमस्ते! आज की विशेष पेशकश: क्षमा करें, अनुच्छेद पढ़ें। " * 5)[:201]

TEMPLATE = compile_template(
    "Hi {{first_name|there}}, {{workspace.name}} here: {{contact.fields.city}}"
)
CONTEXT = {
    "contact": {"first_name": "Anna", "fields": {"city": "Oslo"}},
    "workspace": {"name": "Acme Bikes"},
}


def calls_per_second(function: Callable[[], object]) -> float:
    # CPU time of this process, not wall time: on a shared machine the wall clock also
    # counts the time other processes hold the CPU.
    timer = timeit.Timer(function, timer=time.process_time)
    loops, _ = timer.autorange()
    best = min(timer.repeat(repeat=5, number=loops))
    return loops / best


COUNTED_TEXTS = {
    "GSM-7 160 ASCII": GSM_ASCII,
    "GSM-7 160 accented": GSM_ACCENTED,
    "UCS-2 70": UCS2,
    "GSM-7 459 with escapes": GSM_MULTIPART_EURO,
    "UCS-2 201 with emoji": UCS2_MULTIPART_EMOJI,
    "UCS-2 201 emoji clusters": UCS2_MULTIPART_CLUSTERS,
    "UCS-2 201 Devanagari": UCS2_MULTIPART_DEVANAGARI,
    "UCS-2 799 regional indicators": UCS2_REGIONAL_RUN,
}
SMART_QUOTES = ("It\u2019s \u201con\u201d \u2014 20% off everything today\u2026 " * 4)[:160]


def load(path: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location("baseline_segments", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def compare(baseline: ModuleType) -> None:
    """segment_count new / old on each text, timed in turn (A B A B) in this process."""
    width = max(len(name) for name in COUNTED_TEXTS)
    for name, text in COUNTED_TEXTS.items():
        new_count, old_count = segment_count(text), baseline.segment_count(text)
        new_ns: list[float] = []
        old_ns: list[float] = []
        for _ in range(5):
            new_ns.append(1e9 / calls_per_second(lambda t=text: segment_count(t)))
            old_ns.append(1e9 / calls_per_second(lambda t=text: baseline.segment_count(t)))
        new, old = min(new_ns), min(old_ns)
        print(
            f"segment_count {name:<{width}}  new {new:>7,.0f} ns  old {old:>7,.0f} ns  "
            f"new/old {new / old:5.2f}  segments new {new_count} old {old_count}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", help="another segments.py to compare segment_count with")
    args = parser.parse_args()
    for text in COUNTED_TEXTS.values():
        segment_count(text)  # warm-up: imports what the first multipart text needs
    if args.baseline:
        compare(load(args.baseline))
        return
    cases: list[tuple[str, Callable[[], object]]] = [
        ("segment_count GSM-7 160 ASCII", lambda: segment_count(GSM_ASCII)),
        ("segment_count GSM-7 160 accented", lambda: segment_count(GSM_ACCENTED)),
        ("baseline: frozenset test GSM-7 160 ASCII", lambda: GSM_CHARACTERS.issuperset(GSM_ASCII)),
        ("segment_count UCS-2 70", lambda: segment_count(UCS2)),
        ("segment_count GSM-7 459 with escapes", lambda: segment_count(GSM_MULTIPART_EURO)),
        ("segment_count UCS-2 201 with emoji", lambda: segment_count(UCS2_MULTIPART_EMOJI)),
        (
            "segment_count UCS-2 201 emoji clusters",
            lambda: segment_count(UCS2_MULTIPART_CLUSTERS),
        ),
        (
            "segment_count UCS-2 201 Devanagari",
            lambda: segment_count(UCS2_MULTIPART_DEVANAGARI),
        ),
        ("analyze GSM-7 160 ASCII", lambda: analyze(GSM_ASCII)),
        ("analyze UCS-2 70", lambda: analyze(UCS2)),
        ("split_segments GSM-7 459 with escapes", lambda: split_segments(GSM_MULTIPART_EURO)),
        ("smart_encode GSM-7 160 ASCII (nothing to do)", lambda: smart_encode(GSM_ASCII)),
        ("smart_encode 160 with smart quotes", lambda: smart_encode(SMART_QUOTES)),
        ("render 3 variables", lambda: TEMPLATE.render(CONTEXT)),
    ]
    width = max(len(name) for name, _ in cases)
    for name, function in cases:
        rate = calls_per_second(function)
        print(f"{name:<{width}}  {rate:>12,.0f} calls/s  {1e9 / rate:>8,.0f} ns/call")


if __name__ == "__main__":
    main()
