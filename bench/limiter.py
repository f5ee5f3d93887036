"""Rate limiter benchmark: reservations per second of the Lua GCRA limiter vs redis-benchmark.

What: `shared.messaging.throttle.reserve()` (one send; a campaign batch reserves all of its
sends in one such call, `reserve_many`), over the three buckets of a campaign send
(workspace plan, provider account, DID), called in a loop for a fixed time by:

- 1, 2 and 4 processes of one thread each (one function instance per process), and
- one process of 8 threads (the shape of send_batch's sender pool);

each on distinct buckets (every thread its own three keys: many workspaces and DIDs) and on
shared buckets (every thread the same three keys: one hot workspace, account and DID). Then,
on the same machine and Redis database, `redis-benchmark` runs EVALSHA of the very same
script (loaded with SCRIPT LOAD) with the same arguments, at 1 client and at 50 clients,
with random keys (`__rand_int__`) and with shared keys; EVALSHA of a trivial script and PING
give the server's floor.

Why: every outbound message reserves once; this says how far the Python client is from
what Redis itself does with the script, and whether one hot bucket serialises anything.

How: the rates are set so high that every reservation is granted at once, so each call runs
the script's full path (read three TATs, write three). Each configuration runs `--seconds`
after a warm-up that loads the script; workers start together at a set instant; counts are
divided by the elapsed time. Client CPU is each worker's `getrusage` over its loop; Redis's
is redis-server's CPU from /proc over the same span. The keys carry this run's id and expire
by themselves within a minute (the script sets PX). By default both sides run against a
redis-server of this run's own on a free port (same binary, no other client: the shared one
on 6379 serves other sessions' tests, which also restart it); `--redis shared` uses that one.
Each configuration is run `--repeat` times, round-robin, and the median round is shown with
the spread.

Run from the project root: `python -m bench.limiter`; it prints tables and replaces the
"## Rate limiter" section of bench/RESULTS.md (`--no-write` to only print).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.pipeline import (
    PROJECT_ROOT,
    RESULTS_PATH,
    SHARED_REDIS_URL,
    command_line,
    machine_line,
    markdown_table,
    progress,
    redis_server,
    write_block,
)

SECTION_HEADING = "## Rate limiter"
HUGE_RATE = 1e9  # segments per second: every reservation is granted at once
START_MARGIN_SECONDS = 3.0  # spawned workers import and warm up before the common start
SHAPES: tuple[tuple[int, int], ...] = ((1, 1), (2, 1), (4, 1), (1, 8))  # processes, threads
TRIVIAL_SCRIPT = "return 1"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Run:
    keys: str  # "distinct" or "shared"
    processes: int
    threads: int
    reservations: int
    seconds: float
    client_cpu: float
    redis_cpu: float
    latencies_us: tuple[float, ...]  # per call, first thread of the 1x1 runs only

    @property
    def per_second(self) -> float:
        return self.reservations / self.seconds if self.seconds else 0.0


@dataclass(frozen=True)
class BenchRow:
    label: str
    clients: int
    ops_per_second: float
    p50_ms: float
    redis_cpu_us: float


# --- Redis helpers ---------------------------------------------------------------------


def redis_server_pid(port: int) -> int | None:
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            comm = Path(f"/proc/{entry.name}/comm").read_text().strip()
            cmdline = Path(f"/proc/{entry.name}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if comm == "redis-server" and f":{port}" in cmdline.replace("\0", " "):
            return int(entry.name)
    return None


def process_cpu(pid: int | None) -> float:
    if pid is None:
        return 0.0
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = raw[raw.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def redis_target(url: str) -> tuple[str, int, int]:
    parts = urlsplit(url)
    database = int(parts.path.strip("/") or 0)
    return parts.hostname or "127.0.0.1", parts.port or 6379, database


# --- the Python limiter ----------------------------------------------------------------


def _buckets(run_id: str, keys: str, worker: int, thread: int) -> list[Any]:
    from shared.messaging import throttle

    owner = "shared" if keys == "shared" else f"{worker}-{thread}"
    name = f"bench-{run_id}-{owner}"
    return [
        throttle.tenant_bucket(name, HUGE_RATE),
        throttle.account_bucket(name, HUGE_RATE),
        throttle.did_bucket(name, HUGE_RATE),
    ]


def worker_main(
    url: str,
    run_id: str,
    keys: str,
    worker: int,
    threads: int,
    start_at: float,
    seconds: float,
    results: Any,
) -> None:
    """One process: `threads` threads reserving until the common deadline."""
    os.environ["REDIS_URL"] = url
    from shared.messaging import throttle

    counts = [0] * threads
    latencies: list[float] = []
    bucket_sets = [_buckets(run_id, keys, worker, t) for t in range(threads)]
    for buckets in bucket_sets:
        for _ in range(50):
            throttle.reserve(buckets, 1, bulk=False)  # loads the script, opens connections
    deadline = start_at + seconds

    def loop(index: int) -> None:
        buckets = bucket_sets[index]
        record = index == 0 and threads == 1
        count = 0
        while True:
            started = time.perf_counter()
            throttle.reserve(buckets, 1, bulk=False)
            if record:
                latencies.append((time.perf_counter() - started) * 1e6)
            count += 1
            if count % 64 == 0 and time.time() >= deadline:
                break
        counts[index] = count

    pool = [threading.Thread(target=loop, args=(i,)) for i in range(threads)]
    time.sleep(max(0.0, start_at - time.time()))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    began = time.time()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    ended = time.time()
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime + after.ru_stime) - (usage.ru_utime + usage.ru_stime)
    results.put((sum(counts), began, ended, cpu, latencies[:200_000]))


def run_limiter(
    url: str,
    run_id: str,
    keys: str,
    processes: int,
    threads: int,
    seconds: float,
    redis_pid: int | None,
) -> Run:
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    start_at = time.time() + START_MARGIN_SECONDS + 0.5 * processes
    workers = [
        context.Process(
            target=worker_main,
            args=(url, run_id, keys, w, threads, start_at, seconds, results),
        )
        for w in range(processes)
    ]
    for process in workers:
        process.start()
    time.sleep(max(0.0, start_at - time.time()))
    redis_before = process_cpu(redis_pid)
    collected = [results.get(timeout=seconds + 120) for _ in workers]
    redis_after = process_cpu(redis_pid)
    for process in workers:
        process.join(timeout=30)
    began = min(c[1] for c in collected)
    ended = max(c[2] for c in collected)
    latencies = tuple(x for c in collected for x in c[4])
    return Run(
        keys=keys,
        processes=processes,
        threads=threads,
        reservations=sum(c[0] for c in collected),
        seconds=ended - began,
        client_cpu=sum(c[3] for c in collected),
        redis_cpu=redis_after - redis_before,
        latencies_us=latencies,
    )


# --- redis-benchmark -------------------------------------------------------------------


def script_load(url: str, script: str) -> str:
    import redis

    client = redis.Redis.from_url(url)
    try:
        return str(client.script_load(script))
    finally:
        client.close()


def redis_benchmark(
    url: str,
    label: str,
    command: Sequence[str],
    clients: int,
    requests: int,
    redis_pid: int | None,
) -> BenchRow:
    host, port, database = redis_target(url)
    argv = [
        "redis-benchmark",
        "-h",
        host,
        "-p",
        str(port),
        "--dbnum",
        str(database),
        "-n",
        str(requests),
        "-c",
        str(clients),
        "-r",
        "1000000",
        "-P",
        "1",
        "--csv",
        *command,
    ]
    before = process_cpu(redis_pid)
    out = subprocess.run(argv, check=True, capture_output=True, text=True, timeout=600).stdout
    after = process_cpu(redis_pid)
    header, row = None, None
    for line in out.strip().splitlines():
        cells = [c.strip('"') for c in line.split('","')]
        if cells[0].strip('"') == "test":
            header = [c.strip('"') for c in cells]
        else:
            row = [c.strip('"') for c in cells]
    if row is None:
        raise RuntimeError(f"redis-benchmark printed no result: {out!r}")
    columns = dict(zip(header or [], row, strict=False))
    ops = float(columns.get("rps", row[1]))
    p50 = float(columns.get("p50_latency_ms", "nan"))
    return BenchRow(label, clients, ops, p50, (after - before) / requests * 1e6)


def redis_benchmark_rows(
    url: str, run_id: str, redis_pid: int | None, scale: float
) -> list[BenchRow]:
    from shared.messaging.throttle import _RESERVE

    reserve_sha = script_load(url, _RESERVE)
    trivial_sha = script_load(url, TRIVIAL_SCRIPT)
    interval = f"{1000.0 / HUGE_RATE:.9f}"
    # One send over three buckets: horizon (-1: none), 1 send, cost 1, earliest 0 ms from
    # now, 3 buckets, then each bucket's KEYS index and interval (the argument layout of
    # throttle.reserve_many).
    args = ["-1", "1", "1", "0", "3", "1", interval, "2", interval, "3", interval]
    random_keys = [f"rate:{kind}:rb-{run_id}-__rand_int__" for kind in ("tenant", "account", "did")]
    shared_keys = [f"rate:{kind}:rb-{run_id}-shared" for kind in ("tenant", "account", "did")]
    rows = []
    for clients, requests in ((1, 60_000), (50, 300_000)):
        n = max(1000, int(requests * scale))
        rows += [
            redis_benchmark(
                url,
                "EVALSHA reserve script, random keys",
                ["EVALSHA", reserve_sha, "3", *random_keys, *args],
                clients,
                n,
                redis_pid,
            ),
            redis_benchmark(
                url,
                "EVALSHA reserve script, shared keys",
                ["EVALSHA", reserve_sha, "3", *shared_keys, *args],
                clients,
                n,
                redis_pid,
            ),
            redis_benchmark(
                url,
                "EVALSHA `return 1` (script floor)",
                ["EVALSHA", trivial_sha, "0"],
                clients,
                n,
                redis_pid,
            ),
            redis_benchmark(url, "PING (server floor)", ["PING"], clients, n, redis_pid),
        ]
    return rows


# --- report ----------------------------------------------------------------------------


def run_key(run: Run) -> str:
    return f"{run.keys} {run.processes}x{run.threads}"


def row_key(row: BenchRow) -> str:
    return f"{row.label} c{row.clients}"


def medians(
    runs: Sequence[Run], rows: Sequence[BenchRow]
) -> tuple[list[Run], list[BenchRow], dict[str, str]]:
    """Per configuration, the median round and the spread (min - max) of its rounds."""
    by_run: dict[str, list[Run]] = {}
    for run in runs:
        by_run.setdefault(run_key(run), []).append(run)
    by_row: dict[str, list[BenchRow]] = {}
    for row in rows:
        by_row.setdefault(row_key(row), []).append(row)
    spreads: dict[str, str] = {}
    chosen_runs, chosen_rows = [], []
    for key, group in by_run.items():
        ordered = sorted(group, key=lambda r: r.per_second)
        chosen_runs.append(ordered[(len(ordered) - 1) // 2])
        spreads[key] = f"{ordered[0].per_second:,.0f} - {ordered[-1].per_second:,.0f}"
    for key, rgroup in by_row.items():
        rordered = sorted(rgroup, key=lambda r: r.ops_per_second)
        chosen_rows.append(rordered[(len(rordered) - 1) // 2])
        spreads[key] = f"{rordered[0].ops_per_second:,.0f} - {rordered[-1].ops_per_second:,.0f}"
    return chosen_runs, chosen_rows, spreads


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, max(0, int(fraction * len(ordered) + 0.999999) - 1))]


def redis_context(url: str) -> tuple[str, int]:
    import redis

    client = redis.Redis.from_url(url)
    try:
        server = client.info("server")
        clients = client.info("clients")
    finally:
        client.close()
    return str(server.get("redis_version", "?")), int(clients.get("connected_clients", 0))


def render(
    runs: Sequence[Run],
    rows: Sequence[BenchRow],
    argv: Sequence[str],
    seconds: float,
    repeat: int,
    version: str,
    redis_note: str,
    loads: tuple[str, str],
    spreads: dict[str, str],
) -> str:
    limiter = [
        [
            "keys",
            "processes x threads",
            "reservations/s (median)",
            "min - max",
            "client CPU us/res",
            "server CPU us/res",
        ]
    ]
    for run in runs:
        limiter.append(
            [
                run.keys,
                f"{run.processes} x {run.threads}",
                f"{run.per_second:,.0f}",
                spreads.get(run_key(run), "-"),
                f"{run.client_cpu / run.reservations * 1e6:,.1f}" if run.reservations else "-",
                f"{run.redis_cpu / run.reservations * 1e6:,.1f}" if run.reservations else "-",
            ]
        )
    bench_table = [
        [
            "redis-benchmark command",
            "clients",
            "ops/s (median)",
            "min - max",
            "p50 ms",
            "server CPU us/op",
        ]
    ]
    for row in rows:
        bench_table.append(
            [
                row.label,
                str(row.clients),
                f"{row.ops_per_second:,.0f}",
                spreads.get(row_key(row), "-"),
                f"{row.p50_ms:.3f}",
                f"{row.redis_cpu_us:,.1f}",
            ]
        )
    best = max(runs, key=lambda r: r.per_second)
    single = next(
        (r for r in runs if r.processes == 1 and r.threads == 1 and r.keys == "distinct"), best
    )
    rb_one = next(r for r in rows if r.clients == 1 and r.label.endswith("random keys"))
    rb_many = next(r for r in rows if r.clients > 1 and r.label.endswith("random keys"))
    shared_best = max((r for r in runs if r.keys == "shared"), key=lambda r: r.per_second)
    distinct_best = max((r for r in runs if r.keys == "distinct"), key=lambda r: r.per_second)
    latencies = single.latencies_us
    lines = [
        SECTION_HEADING,
        "",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; machine: {machine_line()}",
        f"- Command (from the project root): `{command_line('bench.limiter', argv)}`",
        f"- Redis {version}: {redis_note}; load average before / after: {loads[0]} / {loads[1]}",
        f"- Python limiter: `throttle.reserve()` over 3 buckets (plan, account, DID), all "
        f"granted (rate {HUGE_RATE:g}/s), {seconds:g} s per configuration, {repeat} rounds "
        "(configurations round-robin; the median round is shown); distinct: every "
        "thread its own 3 keys, shared: every thread the same 3 keys",
        "- redis-benchmark: the same script by SCRIPT LOAD + EVALSHA, same arguments, -P 1 (no "
        "pipelining), random keys by `__rand_int__` (-r 1000000)",
        "",
        *markdown_table(limiter, numeric={2, 3, 4, 5}),
        "",
        *markdown_table(bench_table, numeric={1, 2, 3, 4, 5}),
        "",
        f"One Python caller (1 x 1, distinct keys): {single.per_second:,.0f} reservations/s, "
        f"per call p50 {percentile(latencies, 0.5):,.0f} us, p99 {percentile(latencies, 0.99):,.0f}"
        f" us; redis-benchmark with 1 client: {rb_one.ops_per_second:,.0f} ops/s "
        f"(ratio {single.per_second / rb_one.ops_per_second:.2f}).",
        "",
        f"Best Python configuration ({best.keys}, {best.processes} x {best.threads}): "
        f"{best.per_second:,.0f} reservations/s against redis-benchmark's "
        f"{rb_many.ops_per_second:,.0f} ops/s with {rb_many.clients} clients "
        f"(ratio {best.per_second / rb_many.ops_per_second:.2f}). Shared keys vs distinct, "
        f"best of each: {shared_best.per_second:,.0f} vs {distinct_best.per_second:,.0f}/s.",
        "",
    ]
    return "\n".join(lines)


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.limiter",
        description="Reservations/s of the Lua rate limiter vs redis-benchmark EVALSHA.",
    )
    parser.add_argument(
        "--seconds", type=float, default=5.0, help="duration of each Python configuration"
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="rounds over every configuration (median shown)"
    )
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="multiplies redis-benchmark's request counts (60,000 at 1 client, 300,000 at 50)",
    )
    parser.add_argument(
        "--redis",
        choices=("private", "shared"),
        default="private",
        help="a redis-server of the run's own on a free port (default), or the shared one "
        f"({SHARED_REDIS_URL})",
    )
    parser.add_argument(
        "--write",
        action=argparse.BooleanOptionalAction,
        default=True,
        help=f"replace the rate limiter section of {RESULTS_PATH.relative_to(PROJECT_ROOT)}",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(args_list)
    if shutil.which("redis-benchmark") is None:
        progress("redis-benchmark is not installed (apt-get install -y redis-tools)")
        return 2
    with redis_server(args.redis == "private") as (url, private_pid):
        os.environ["REDIS_URL"] = url
        redis_pid = private_pid or redis_server_pid(redis_target(url)[1])
        run_id = uuid.uuid4().hex[:8]
        version, clients_before = redis_context(url)
        load_before = " ".join(Path("/proc/loadavg").read_text().split()[:3])
        all_runs, all_rows = [], []
        for round_ in range(1, args.repeat + 1):
            for keys in ("distinct", "shared"):
                for processes, threads in SHAPES:
                    progress(f"round {round_}: limiter, {keys} keys, {processes} x {threads}")
                    all_runs.append(
                        run_limiter(url, run_id, keys, processes, threads, args.seconds, redis_pid)
                    )
            progress(f"round {round_}: redis-benchmark")
            all_rows += redis_benchmark_rows(url, run_id, redis_pid, args.scale)
        runs, rows, spreads = medians(all_runs, all_rows)
        _, clients_after = redis_context(url)
    load_after = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    if private_pid:
        note = "a redis-server of this run's own on a free port (same binary), no other client"
    else:
        note = (
            f"the shared server {url}, with the machine's other sessions' clients "
            f"({clients_before - 1} other clients connected before, {clients_after - 1} after)"
        )
    section = render(
        runs,
        rows,
        args_list,
        args.seconds,
        args.repeat,
        version,
        note,
        (load_before, load_after),
        spreads,
    )
    print(section)
    if args.write:
        write_block(SECTION_HEADING, [], None, section)
        progress(f"wrote {RESULTS_PATH.relative_to(PROJECT_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
