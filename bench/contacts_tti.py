"""Contacts page time to interactive on a workspace of 1M contacts, in the real browser.

What: for `/contacts` opened afresh (a full page load of the static console, the session
restored from its cookie, then the first page of contacts), in Debian's Chromium driven by
Playwright, against the local gateway serving the built console and the API:
- rows: navigation start -> the first contact row is in the table (a MutationObserver),
  or on the empty workspace its empty state ("No contact yet");
- TTI: the first moment after `rows` with a 500 ms window free of long tasks (> 50 ms,
  PerformanceObserver "longtask"): the page has its data and answers input at once;
- TBT: total blocking time (long tasks' time beyond 50 ms) until TTI;
- API: the duration of the `GET /v1/contacts` request of that load (Resource Timing).

Why: issue #14 asks for the contacts page's TTI on a 1M-contact workspace. The baseline is
the same page on an empty workspace of the same database, measured in the same session
(ABAB order), so the ratio shows what a million contacts cost the page.

How: the scratch database `smsplat_bench_tti` is migrated and seeded with a fast SQL
insert (generate_series, as bench.contacts_import does): a workspace of 1,000,000
contacts (10% tagged `vip`, 2% opted out, two custom fields) and an empty one, each with
an owner who logs in through the login page once. Warm browser cache (a returning user;
the first, cold load of each is reported apart). Run from the project root:
`python -m bench.contacts_tti` (`--no-write` to only print); it replaces its section of
`bench/RESULTS.md`. Needs Chromium (`apt-get install chromium`) and a built console
(`smsctl web-build`; built here when stale).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from bench import contacts_import as data

SECTION_HEADING = "## Contacts page: time to interactive on a 1M-contact workspace"
DATABASE = "smsplat_bench_tti"
EMPTY_TENANT = "00000000-0000-4000-8000-00000000be11"
EMPTY_USER = "00000000-0000-4000-8000-00000000be12"
PASSWORD = "bench-password-123"  # noqa: S105 (a scratch database's login)
QUIET_MS = 500
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]

# Runs before the page's own scripts: when the first row appears, and every long task.
PROBE = """
(() => {
  window.__probe = { rowsAt: null, longTasks: [] };
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        window.__probe.longTasks.push([e.startTime, e.startTime + e.duration]);
      }
    }).observe({ type: "longtask", buffered: true });
  } catch (e) {}
  const ROW = 'table[aria-label="Contacts"] tbody tr';
  // The empty workspace's page is ready when it says so.
  const empty = () =>
    [...document.querySelectorAll("main p")].some((p) => p.textContent === "No contact yet");
  const seen = () => {
    if (window.__probe.rowsAt === null && (document.querySelector(ROW) || empty())) {
      window.__probe.rowsAt = performance.now();
    }
  };
  new MutationObserver(seen).observe(document, { childList: true, subtree: true });
})();
"""


def progress(message: str) -> None:
    print(f"[contacts_tti] {message}", file=sys.stderr, flush=True)


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    rank = max(1, round(fraction * len(ordered) + 0.4999))
    return ordered[min(rank, len(ordered)) - 1]


def seed(size: int) -> None:
    """The 1M workspace (bench.contacts_import's seed), an empty one, passwords to log in."""
    from sqlalchemy import create_engine, text

    from shared.tenancy.passwords import hash_password

    data.DATABASE = DATABASE
    engine = create_engine(data.database_url())
    try:
        with engine.connect() as conn:
            have = conn.scalar(
                text("SELECT count(*) FROM contacts WHERE tenant_id = :t"), {"t": data.TENANT_ID}
            )
    except Exception:
        have = None
    finally:
        engine.dispose()
    if have != size:
        progress(f"seeding a workspace of {size:,} contacts (SQL insert)")
        seconds = data.create_database(size, data.valid_area_codes())
        progress(f"seeded in {seconds:.0f} s")
    engine = create_engine(data.database_url())
    hashed = hash_password(PASSWORD)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO tenants (id, name, settings) VALUES (:t, 'empty', '{}') "
                "ON CONFLICT (id) DO NOTHING"
            ),
            {"t": EMPTY_TENANT},
        )
        conn.execute(
            text(
                "INSERT INTO users (id, email, name, password_hash) "
                "VALUES (:u, 'empty@example.com', 'Empty', :h) ON CONFLICT (id) DO NOTHING"
            ),
            {"u": EMPTY_USER, "h": hashed},
        )
        conn.execute(
            text(
                "INSERT INTO user_tenants (tenant_id, user_id, role) VALUES (:t, :u, 'owner') "
                "ON CONFLICT DO NOTHING"
            ),
            {"t": EMPTY_TENANT, "u": EMPTY_USER},
        )
        conn.execute(
            text("UPDATE users SET password_hash = :h, email_verified_at = now()"),
            {"h": hashed},
        )
    engine.dispose()


def measure(page: Any, url: str) -> dict[str, float]:
    page.goto(url)
    page.wait_for_function(
        "() => window.__probe && window.__probe.rowsAt !== null", timeout=120_000
    )
    # Long tasks after the rows, until a quiet window has passed for sure.
    page.wait_for_timeout(QUIET_MS + 1000)
    probe = page.evaluate(
        """() => {
          const api = performance.getEntriesByType("resource")
            .filter((e) => e.name.includes("/v1/contacts?"))
            .map((e) => e.duration);
          return { ...window.__probe, api: api.length ? api[api.length - 1] : null };
        }"""
    )
    rows_at = float(probe["rowsAt"])
    tti = rows_at
    blocking = 0.0
    for start, end in sorted(probe["longTasks"]):
        if start < tti + QUIET_MS:
            tti = max(tti, end)
            blocking += max(0.0, end - start - 50)
    return {"rows": rows_at, "tti": tti, "tbt": blocking, "api": float(probe["api"] or 0)}


def log_in(browser: Any, base: str, email: str) -> Any:
    context = browser.new_context(viewport={"width": 1280, "height": 860}, base_url=base)
    context.add_init_script(PROBE)
    page = context.new_page()
    page.goto("/login?next=/contacts")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"^https?://[^/]+/contacts/?$"), timeout=120_000)
    return page


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="page loads per workspace")
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)

    data.DATABASE = DATABASE
    os.environ["DATABASE_URL"] = data.database_url()
    os.environ.setdefault("ENVIRONMENT", "local")
    os.environ["LOG_LEVEL"] = "WARNING"
    seed(args.contacts)

    import shutil

    from playwright.sync_api import sync_playwright

    from shared.local import console
    from shared.platform.gateway import serve

    console.build(quiet=True)
    load_before = os.getloadavg()[0]
    server = serve("127.0.0.1", 0, console_dir=console.OUT)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    os.environ["PUBLIC_BASE_URL"] = os.environ["APP_BASE_URL"] = base

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    samples: dict[str, list[dict[str, float]]] = {"1M": [], "empty": []}
    cold: dict[str, dict[str, float]] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        pages = {
            "1M": log_in(browser, base, "bench@example.com"),
            "empty": log_in(browser, base, "empty@example.com"),
        }
        # The first load after logging in is a client-side navigation; measure full loads.
        for name, page in pages.items():
            cold[name] = measure(page, "/contacts")
        for i in range(args.runs):
            order = ("1M", "empty") if i % 2 == 0 else ("empty", "1M")  # ABBA...
            for name in order:
                samples[name].append(measure(pages[name], "/contacts"))
            progress(f"run {i + 1}/{args.runs}")
        empty_rows = pages["empty"].locator('table[aria-label="Contacts"] tbody tr').count()
        browser.close()
    server.shutdown()

    facts = data.machine()
    base_tti = percentile([s["tti"] for s in samples["empty"]], 0.5)
    lines = [
        SECTION_HEADING,
        "",
        f"- Date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M')} UTC",
        f"- Machine: nproc {facts['nproc']}, {facts['memory']} memory, CPU {facts['cpu']}; "
        f"Python {facts['python']}; PostgreSQL {facts['postgres']}; Debian Chromium "
        "(headless) via Playwright",
        "- Command (from the project root): `.venv/bin/python -m bench.contacts_tti`",
        f"- Workspaces: {args.contacts:,} contacts (SQL-seeded) and an empty one (baseline), "
        "same database and gateway (the built console's static export + the API in one "
        "local process); full page loads of `/contacts` with a warm browser cache, "
        f"{args.runs} each, alternating",
        "- rows: navigation start to the first contact row on screen (the empty state on "
        "the empty workspace); TTI: the first moment "
        f"after that with {QUIET_MS} ms free of long tasks; TBT: long tasks' time over 50 ms "
        "until TTI; API: the `GET /v1/contacts` request's duration in that load",
        f"- Load average (1 min) at start / end: {load_before:.1f} / {os.getloadavg()[0]:.1f} "
        "(other sessions share this 2-core machine)",
        "",
        "| workspace | runs | rows p50 ms | TTI p50 ms | TTI p90 ms | TBT p50 ms | "
        "API p50 ms | TTI ratio to empty | cold TTI ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name in ("empty", "1M"):
        runs = samples[name]

        def p(key: str, q: float = 0.5, runs: list[dict[str, float]] = runs) -> float:
            return percentile([r[key] for r in runs], q)

        label = "empty (baseline)" if name == "empty" else f"{args.contacts:,} contacts"
        lines.append(
            f"| {label} | {len(runs)} | {p('rows'):.0f} | {p('tti'):.0f} | "
            f"{p('tti', 0.9):.0f} | {p('tbt'):.0f} | {p('api'):.0f} | "
            f"{p('tti') / base_tti:.2f}x | {cold[name]['tti']:.0f} |"
        )
    big = percentile([r["tti"] for r in samples["1M"]], 0.5)
    lines += [
        "",
        f"Verdict: the contacts page is interactive in {big:.0f} ms (median) on "
        f"{args.contacts:,} contacts, {big / base_tti:.2f}x the empty workspace's "
        f"{base_tti:.0f} ms (the empty page shows its empty state: {empty_rows} rows).",
    ]
    section = "\n".join(lines) + "\n"
    print(section)
    if not args.no_write:
        data.write_results_section(SECTION_HEADING, section)
        progress(f"wrote {data.RESULTS_PATH.relative_to(data.PROJECT_ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
