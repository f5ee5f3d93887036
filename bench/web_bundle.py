"""First-load JavaScript of the console's pages (gzip), against a 200 KB budget.

The first load of a page is every script its exported HTML asks for (`<script src>`, less
the `nomodule` polyfills that modern browsers skip),
compressed as a CDN serves it (gzip level 6, Cloud CDN's and most servers' default), plus
the inline scripts of the page itself (the React Server Components payload). The floor is
the framework alone: the scripts every page of the export shares (React, Next's runtime).

    .venv/bin/python -m bench.web_bundle            # builds web/out if it is stale
    .venv/bin/python -m bench.web_bundle --write    # and appends to bench/RESULTS.md
"""

from __future__ import annotations

import argparse
import gzip
import os
import platform
import re
from datetime import UTC, datetime
from pathlib import Path

from shared.local import console

BUDGET_KB = 200.0
PAGES = (
    "login",
    "signup",
    "dashboard",
    "docs",
    "campaigns",
    "campaigns/new",
    "campaigns/view",
    "templates",
    "templates/view",
)
# Scripts a modern browser runs; `nomodule` ones (Next's polyfills) are skipped by it.
SCRIPT_SRC = re.compile(r'<script(?![^>]*\snomodule)[^>]*\ssrc="([^"]+)"', re.IGNORECASE)
INLINE = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>([\s\S]*?)</script>")


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


def scripts_of(page: str) -> tuple[list[str], bytes]:
    html = (console.OUT / page / "index.html").read_text()
    inline = "".join(INLINE.findall(html)).encode()
    return sorted(set(SCRIPT_SRC.findall(html))), inline


def kb(size: int) -> float:
    return size / 1024


def measure() -> list[tuple[str, int, float, float]]:
    """Per page: number of scripts, gzip KB of the scripts, gzip KB with the inline payload."""
    rows = []
    for page in PAGES:
        sources, inline = scripts_of(page)
        total = sum(gz((console.OUT / src.lstrip("/")).read_bytes()) for src in sources)
        rows.append((page, len(sources), kb(total), kb(total + gz(inline))))
    return rows


def shared_floor() -> float:
    """The scripts every page loads: the framework's share of any page."""
    common = set.intersection(*(set(scripts_of(p)[0]) for p in PAGES))
    return kb(sum(gz((console.OUT / s.lstrip("/")).read_bytes()) for s in common))


def report(rows: list[tuple[str, int, float, float]], floor: float) -> str:
    cpu = "unknown"
    if Path("/proc/cpuinfo").exists():
        names = re.findall(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
        cpu = names[0] if names else cpu
    lines = [
        "## Console first-load JavaScript (gzip)",
        "",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- Machine: nproc {os.cpu_count()}, CPU {cpu}, {platform.system()}",
        "- Command (from the project root): `.venv/bin/python -m bench.web_bundle --write`",
        "- What: every `<script src>` of the page's exported HTML, gzip level 6, plus the "
        "page's inline scripts (RSC payload); the floor is the framework share every page loads",
        f"- Budget: {BUDGET_KB:.0f} KB for the login and campaigns pages (issue #14); the "
        "other pages are held to it too",
        "",
        "| page | scripts | JS gzip KB | with inline payload KB | ratio to floor | "
        "ratio to budget | within budget |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for page, count, js, total in rows:
        lines.append(
            f"| /{page} | {count} | {js:.1f} | {total:.1f} | {total / floor:.2f}x | "
            f"{total / BUDGET_KB:.2f} | {'yes' if total <= BUDGET_KB else 'no'} |"
        )
    lines.append(f"| (floor: shared framework) | - | {floor:.1f} | - | 1.00x | - | - |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help="Append to bench/RESULTS.md.")
    args = parser.parse_args()
    console.build(quiet=True)
    text = report(measure(), shared_floor())
    print(text)
    if args.write:
        results = Path(__file__).with_name("RESULTS.md")
        results.write_text(results.read_text().rstrip("\n") + "\n\n" + text)


if __name__ == "__main__":
    main()
