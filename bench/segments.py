"""Microbenchmark: segment counting and template rendering throughput (calls per second).

What: `segment_count` on typical message bodies (a full 160-character GSM-7 text, ASCII and
with accented letters, a 70-character UCS-2 text, and multipart texts with escape and
surrogate pairs), a plain frozenset test of the same GSM-7 text as a baseline, `analyze` and
`split_segments` for comparison, and rendering a compiled template.

Why: throttling and billing count the segments of every outbound message, so
`segment_count` sits on the sending hot path; it should cost about a microsecond, not tens.

How: `timeit` with auto-ranged loops, best of 5 repeats (the least disturbed run), in this
process. Run from the project root: `python -m bench.segments`. Prints only; nothing written.
"""

from __future__ import annotations

import timeit
from collections.abc import Callable

from shared.templates.render import compile_template
from shared.templates.segments import (
    GSM7_BASIC,
    GSM7_EXTENSION,
    analyze,
    segment_count,
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

TEMPLATE = compile_template(
    "Hi {{first_name|there}}, {{workspace.name}} here: {{contact.fields.city}}"
)
CONTEXT = {
    "contact": {"first_name": "Anna", "fields": {"city": "Oslo"}},
    "workspace": {"name": "Acme Bikes"},
}


def calls_per_second(function: Callable[[], object]) -> float:
    timer = timeit.Timer(function)
    loops, _ = timer.autorange()
    best = min(timer.repeat(repeat=5, number=loops))
    return loops / best


def main() -> None:
    cases: list[tuple[str, Callable[[], object]]] = [
        ("segment_count GSM-7 160 ASCII", lambda: segment_count(GSM_ASCII)),
        ("segment_count GSM-7 160 accented", lambda: segment_count(GSM_ACCENTED)),
        ("baseline: frozenset test GSM-7 160 ASCII", lambda: GSM_CHARACTERS.issuperset(GSM_ASCII)),
        ("segment_count UCS-2 70", lambda: segment_count(UCS2)),
        ("segment_count GSM-7 459 with escapes", lambda: segment_count(GSM_MULTIPART_EURO)),
        ("segment_count UCS-2 201 with emoji", lambda: segment_count(UCS2_MULTIPART_EMOJI)),
        ("analyze GSM-7 160 ASCII", lambda: analyze(GSM_ASCII)),
        ("analyze UCS-2 70", lambda: analyze(UCS2)),
        ("split_segments GSM-7 459 with escapes", lambda: split_segments(GSM_MULTIPART_EURO)),
        ("render 3 variables", lambda: TEMPLATE.render(CONTEXT)),
    ]
    width = max(len(name) for name, _ in cases)
    for name, function in cases:
        rate = calls_per_second(function)
        print(f"{name:<{width}}  {rate:>12,.0f} calls/s  {1e9 / rate:>8,.0f} ns/call")


if __name__ == "__main__":
    main()
