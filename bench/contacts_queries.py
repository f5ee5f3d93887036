"""Contacts query benchmark: list and segment-count latency on a workspace of 1M contacts.

What: p50 and p99 latency, through the local gateway over HTTP (authentication, RLS,
serialization included), of
- `GET /v1/contacts?limit=50`, the first page (newest first);
- the same filtered by a tag, and a `q` search for a name that is not there (the worst
  case: nothing stops the scan early);
- `GET /v1/segments/{id}/count` for three segments: a tag and the opt-out state; a
  custom-field equality (which the GIN index can serve); a relative date OR a name prefix.

Why: the issue asks for a segment count on 1M contacts "well under a second with proper
indexes", and for the first page's latency.

How: the scratch database `smsplat_bench_contacts` of `bench.contacts_import`, (re)seeded
with exactly 1,000,000 contacts (10% tagged `vip`, 2% opted out) and analyzed. The gateway
runs in this process on a free port; each request is timed by the client. A few warm-up
requests precede each series. Run from the project root: `python -m bench.contacts_queries`
(`--no-write` to only print); it replaces its section of `bench/RESULTS.md`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from bench import contacts_import as data

SECTION_HEADING = "## Contacts queries (list and segment count on a 1M-contact workspace)"
TARGET_COUNT_SECONDS = 1.0

SEGMENTS = {
    "vip and reachable": {
        "all": [
            {"field": "tag", "op": "has", "value": "vip"},
            {"field": "opted_out", "op": "eq", "value": False},
        ]
    },
    "custom field plan = pro": {"all": [{"field": "fields.plan", "op": "eq", "value": "pro"}]},
    "created in 7 days OR first name starts with 'seed12'": {
        "any": [
            {"field": "created_at", "op": "within_last_days", "value": 7},
            {"field": "first_name", "op": "starts_with", "value": "seed12"},
        ]
    },
}


def progress(message: str) -> None:
    print(f"[contacts_queries] {message}", file=sys.stderr, flush=True)


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    rank = max(1, round(fraction * len(ordered) + 0.4999))
    return ordered[min(rank, len(ordered)) - 1]


def workspace_size() -> int | None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError, ProgrammingError

    engine = create_engine(data.database_url())
    try:
        with engine.connect() as conn:
            return int(
                conn.scalar(
                    text("SELECT count(*) FROM contacts WHERE tenant_id = :t"),
                    {"t": data.TENANT_ID},
                )
                or 0
            )
    except (OperationalError, ProgrammingError):
        return None
    except Exception as exc:
        if "does not exist" in str(exc):
            return None
        raise
    finally:
        engine.dispose()


def timed(call: Callable[[], Any], runs: int, warmup: int = 3) -> list[float]:
    for _ in range(warmup):
        call()
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        out.append(time.perf_counter() - started)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="requests per list series")
    parser.add_argument("--count-runs", type=int, default=30, help="requests per count")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)

    os.environ["DATABASE_URL"] = data.database_url()
    os.environ.setdefault("ENVIRONMENT", "local")
    os.environ["LOG_LEVEL"] = "WARNING"
    size = workspace_size()
    if size != 1_000_000:  # absent, or grown by an import: measure a clean 1M workspace
        progress("seeding a workspace of 1,000,000 contacts")
        data.create_database(1_000_000, data.valid_area_codes())
        size = workspace_size() or 0
    progress(f"workspace has {size:,} contacts")

    import httpx

    from shared.platform.gateway import serve
    from shared.tenancy.tokens import issue_access_token

    load_before = os.getloadavg()[0]
    server = serve("127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    import uuid

    token = issue_access_token(uuid.UUID(data.USER_ID), uuid.UUID(data.TENANT_ID), "owner")
    results: list[tuple[str, list[float], str]] = []
    with httpx.Client(
        base_url=f"http://127.0.0.1:{server.server_port}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=120,
    ) as api:

        def get(path: str, **params: Any) -> Callable[[], Any]:
            def call() -> Any:
                r = api.get(path, params=params)
                assert r.status_code == 200, r.text
                return r.json()

            return call

        first = get("/v1/contacts", limit=50)()
        assert len(first["data"]) == 50
        results.append(
            (
                "GET /v1/contacts?limit=50 (first page)",
                timed(get("/v1/contacts", limit=50), args.runs),
                "50 contacts",
            )
        )
        results.append(
            (
                "GET /v1/contacts?limit=50&tag=vip",
                timed(get("/v1/contacts", limit=50, tag="vip"), args.runs),
                "50 contacts",
            )
        )
        results.append(
            (
                "GET /v1/contacts?limit=50&q=nobody-by-this-name (no match: full scan)",
                timed(get("/v1/contacts", limit=50, q="nobody-by-this-name"), 10, warmup=1),
                "0 contacts",
            )
        )
        for name, filter_ in SEGMENTS.items():
            r = api.post("/v1/segments", json={"name": name, "filter": filter_})
            assert r.status_code == 201, r.text
            segment_id = r.json()["id"]
            count = get(f"/v1/segments/{segment_id}/count")()["count"]
            samples = timed(get(f"/v1/segments/{segment_id}/count"), args.count_runs)
            results.append((f"segment count: {name}", samples, f"{count:,} contacts"))
            api.delete(f"/v1/segments/{segment_id}")
    server.shutdown()

    facts = data.machine()
    lines = [
        SECTION_HEADING,
        "",
        f"- Date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M')} UTC",
        f"- Machine: nproc {facts['nproc']}, {facts['memory']} memory, CPU {facts['cpu']}; "
        f"Python {facts['python']}; PostgreSQL {facts['postgres']}",
        "- Command (from the project root): `.venv/bin/python -m bench.contacts_queries`",
        f"- Workspace: {size:,} contacts; requests over HTTP to the local gateway "
        "(single client, sequential), timed by the client",
        f"- Load average (1 min) at start / end: {load_before:.1f} / {os.getloadavg()[0]:.1f} "
        "(other work shares this 2-core machine)",
        "",
        "| request | runs | p50 ms | p99 ms | result |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    worst_count = 0.0
    for label, samples, result in results:
        p50, p99 = percentile(samples, 0.5), percentile(samples, 0.99)
        if label.startswith("segment count"):
            worst_count = max(worst_count, p99)
        lines.append(
            f"| {label} | {len(samples)} | {p50 * 1000:.1f} | {p99 * 1000:.1f} | {result} |"
        )
    lines += [
        "",
        f"Verdict: segment counts {'met' if worst_count < TARGET_COUNT_SECONDS else 'NOT met'}"
        f" the under-a-second goal (worst p99 {worst_count * 1000:.0f} ms); mean of all "
        f"samples {statistics.mean(s for _, xs, _ in results for s in xs) * 1000:.0f} ms.",
    ]
    section = "\n".join(lines) + "\n"
    print(section)
    if not args.no_write:
        data.write_results_section(SECTION_HEADING, section)
        progress(f"wrote {data.RESULTS_PATH.relative_to(data.PROJECT_ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
