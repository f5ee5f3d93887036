"""Campaign pipeline benchmark: one campaign end to end, against the fake Twilio.

What: a campaign over a pool of DIDs, from the launch request until every message is
`delivered`: the audience frozen by the API, the fan-out into batches, `send_batch` (render,
DID rotation, `queued` rows), the Lua rate reservation, the claim, the provider call to the
fake Twilio (a real HTTP server speaking Twilio's API), the record of the provider's answer,
and both signed status callbacks (`sent`, `delivered`) that the fake posts to the gateway's
webhook and that are applied. Two scenarios:

- `throughput` (default 100,000 contacts, 200 DIDs at 10 MPS: 2,000 msg/s of capacity):
  messages per second sustained end to end, CPU per message, Redis and PostgreSQL round
  trips per message, and where the time goes. Target: at least 1,000 msg/s on 2 cores.
- `exactness` (default 2,000 contacts, 20 DIDs at 1 MPS: 20 segments/s, every 4th message
  two segments long): the pool is the bottleneck. From the fake's log of accepted messages
  (time, From, NumSegments): the most segments any DID sent in any 1-second sliding window
  (target: never above its MPS) and the aggregate over the steady window (target: at least
  99% of the pool's capacity).

Both checks are printed for both scenarios.

Why: campaigns are the platform's bulk path; the issue asks for 1,000 msg/s on this machine
and for rates that carriers never see exceeded, yet that leave no capacity unused.

How: a scratch database (created and migrated like the tests do, dropped at the end), a
redis-server of the run's own on a free port (the shared one on 6379 is restarted now and
then by other sessions' tests, which loses every rate key; `--redis shared` uses it all the
same, database 12), the queue backend chosen (`inline`, or `rabbitmq` in a vhost of its own,
created and deleted by the run, with the project's worker in this process at its default
concurrency of 8, consuming every function whose module imports), the gateway in this process on a
free port (PUBLIC_BASE_URL), and the fake Twilio in a subprocess (TWILIO_API_BASE), so its
CPU is measured apart. The workspace signs up and connects Twilio through the API; the DIDs,
the pool and the contacts are set-based SQL inserts; the campaign is created and launched
through the API. The run ends when every message is final, or at `--timeout`.

Figures:
- sustained rate: deliveries between 10% and 90% of the campaign's, over that span
  (`messages.delivered_at`), so the ramp (freeze, fan-out) and the tail are left out;
- CPU: `getrusage` of this process (every thread: queue, senders, gateway) and of the fake's;
  from /proc, PostgreSQL's backends of the scratch database (a lower bound: a backend that
  exits loses up to 1 s), its auxiliary processes, redis-server, RabbitMQ, and everything
  else on the machine (other sessions' work, reported so contamination shows);
- round trips, counted in this process: each pg8000 protocol exchange (a wait for
  ReadyForQuery; pg8000 makes three per statement) and each statement by kind; each Redis
  command (a pipeline counts once); the pool's new connections. Server side: the scratch
  database's `pg_stat_database` deltas (transactions, rows) and Redis `INFO commandstats`
  (every client's, commands inside Lua scripts included);
- stages: the main steps, wrapped at run time (no project file is changed), with wall time
  and the thread's CPU time (`time.thread_time`) per call; nested rows are included in
  their parents.

Run from the project root: `python -m bench.pipeline` (see --help); it prints a report and
replaces its own subsection of "## Campaign pipeline" in bench/RESULTS.md (`--no-write`).
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import os
import re
import resource
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RESULTS_PATH = PROJECT_ROOT / "bench" / "RESULTS.md"
RESULTS_TITLE = "# Benchmark results"
RESULTS_INTRO = (
    "Figures are measured on the CI machine (2 cores); ratios matter more than absolute times."
)
SECTION_HEADING = "## Campaign pipeline"

ADMIN_URL = os.environ.get(
    "BENCH_PG_ADMIN_URL", "postgresql+pg8000://postgres@127.0.0.1:5432/postgres"
)
SHARED_REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
RABBITMQ_BASE = os.environ.get("BENCH_RABBITMQ_BASE", "amqp://guest:guest@127.0.0.1:5672/")

TARGET_MPS = 1000.0
TARGET_CAPACITY_SHARE = 0.99
STEADY = (0.10, 0.90)  # the sustained rate is measured between these shares of deliveries
POLL_SECONDS = 1.0
STALL_SECONDS = 90.0
PROGRESS_SECONDS = 10.0
SETTLE_SECONDS = 1.0
TAG = "bench"
PASSWORD = "bench-horse-battery-9"  # noqa: S105 - a throwaway account in a scratch database
# The fake refuses or fails a `To` whose last five digits are one of these.
MAGIC_SUFFIXES = (21211, 21610, 21614, 30003, 30005, 30006, 30007, 30008)
LONG_NAME = "Bartholomew-Maximilian Featherstonehaugh-Smythe"  # pushes a body past 160

# ~120 characters with a short name: one GSM-7 segment; with LONG_NAME, two.
BODY = (
    "Hi {{first_name|there}}, spring sale at {{workspace.name}}: 20% off everything this "
    "week only. Show this text in store. Reply STOP to opt out"
)

SCENARIOS: dict[str, dict[str, float]] = {
    "throughput": {"contacts": 100_000, "dids": 200, "mps": 10.0, "long_every": 0},
    "exactness": {"contacts": 2_000, "dids": 20, "mps": 1.0, "long_every": 4},
}

P = ParamSpec("P")
R = TypeVar("R")


def progress(message: str) -> None:
    print(f"[pipeline] {message}", file=sys.stderr, flush=True)


# --- RESULTS.md: sections and subsections ------------------------------------------------


def markdown_table(rows: Sequence[Sequence[str]], numeric: Collection[int] = ()) -> list[str]:
    """A Markdown table with padded columns (right-aligned where `numeric`)."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]

    def line(cells: Sequence[str]) -> str:
        padded = [
            cell.rjust(widths[i]) if i in numeric else cell.ljust(widths[i])
            for i, cell in enumerate(cells)
        ]
        return "| " + " | ".join(padded) + " |"

    rule = [("-" * (w - 1) + ":") if i in numeric else "-" * w for i, w in enumerate(widths)]
    return [line(rows[0]), line(rule), *(line(row) for row in rows[1:])]


def _level(line: str) -> int:
    """The level of a Markdown heading line (`## x` is 2), 0 for any other line."""
    stripped = line.lstrip("#")
    hashes = len(line) - len(stripped)
    return hashes if hashes and stripped.startswith(" ") else 0


def _block_end(lines: Sequence[str], start: int) -> int:
    """Where the block opened by the heading at `start` ends (next heading as high)."""
    level = _level(lines[start])
    for i in range(start + 1, len(lines)):
        if 0 < _level(lines[i]) <= level:
            return i
    return len(lines)


def _trimmed(lines: list[str]) -> list[str]:
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return lines


def replace_block(
    document: str, heading: str, intro: Sequence[str], sub_heading: str | None, body: str
) -> str:
    """`document` with one block replaced, every other block left as it was.

    Without `sub_heading`, `body` replaces the whole section under `heading`. With it, the
    section's `intro` is refreshed and `body` replaces only that subsection (appended at the
    end of the section if absent); the section's other subsections are kept.
    """
    lines = _trimmed(document.splitlines())
    if heading not in lines:
        lines += ["", heading]
    start = lines.index(heading)
    end = _block_end(lines, start)
    section = lines[start:end]
    body_lines = _trimmed(body.splitlines())
    if sub_heading is None:
        new_section = body_lines
    else:
        subs_at = next((i for i in range(1, len(section)) if _level(section[i]) > 2), None)
        kept = section[subs_at:] if subs_at is not None else []
        if sub_heading in kept:
            s = kept.index(sub_heading)
            kept = [*_trimmed(kept[:s]), "", *body_lines, "", *kept[_block_end(kept, s) :]]
        else:
            kept = [*_trimmed(kept), "", *body_lines]
        new_section = [heading, "", *intro, "", *_trimmed(kept)]
        # collapse runs of blank lines left by the splicing
        collapsed: list[str] = []
        for line in new_section:
            if line.strip() or (collapsed and collapsed[-1].strip()):
                collapsed.append(line)
        new_section = collapsed
    merged = [*_trimmed(lines[:start]), "", *new_section, "", *lines[end:]]
    return "\n".join(_trimmed(merged)) + "\n"


def write_block(heading: str, intro: Sequence[str], sub_heading: str | None, body: str) -> None:
    """Replace a block of bench/RESULTS.md (created with a title if absent), atomically."""
    path = RESULTS_PATH
    document = path.read_text() if path.exists() else f"{RESULTS_TITLE}\n\n{RESULTS_INTRO}\n"
    updated = replace_block(document, heading, intro, sub_heading, body)
    with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp") as tmp:
        tmp.write(updated)
    Path(tmp.name).replace(path)


def command_line(module: str, argv: Sequence[str]) -> str:
    executable = Path(sys.executable)
    python = (
        str(executable.relative_to(PROJECT_ROOT))
        if executable.is_relative_to(PROJECT_ROOT)
        else str(executable)
    )
    return shlex.join([python, "-m", module, *argv])


def machine_line() -> str:
    from bench.cold_start import machine_facts

    facts = machine_facts()
    return (
        f"nproc {facts['nproc']}, {facts['memory']} memory, CPU {facts['cpu']}, "
        f"Python {facts['python']}"
    )


def code_fingerprint() -> str:
    """Which code was measured: others edit the tree while benchmarks run (no git here)."""
    import hashlib

    digest = hashlib.sha256()
    files = sorted([*PROJECT_ROOT.glob("shared/**/*.py"), *PROJECT_ROOT.glob("functions/*.py")])
    newest = 0.0
    for path in files:
        digest.update(str(path.relative_to(PROJECT_ROOT)).encode())
        digest.update(path.read_bytes())
        newest = max(newest, path.stat().st_mtime)
    changed = datetime.fromtimestamp(newest, UTC)
    return (
        f"sha256 {digest.hexdigest()[:12]} of shared/**/*.py + functions/*.py "
        f"(newest file {changed:%H:%M:%S} UTC)"
    )


def pool_size() -> int:
    from shared.config import get_settings

    return get_settings().db_pool_size


def cpu_count() -> int:
    from bench.cold_start import cpu_count as count

    return count()


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


# --- counters: stages, PostgreSQL and Redis round trips ------------------------------


class Tally:
    """Calls, wall time and thread CPU time per named stage, from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._data: dict[str, list[float]] = {}

    def add(self, name: str, wall: float, cpu: float) -> None:
        with self._lock:
            entry = self._data.get(name)
            if entry is None:
                self._data[name] = [1, wall, cpu]
            else:
                entry[0] += 1
                entry[1] += wall
                entry[2] += cpu

    def snapshot(self) -> dict[str, tuple[int, float, float]]:
        with self._lock:
            return {k: (int(v[0]), v[1], v[2]) for k, v in self._data.items()}


def timed(tally: Tally, name: str, fn: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        wall, cpu = time.perf_counter(), time.thread_time()
        try:
            return fn(*args, **kwargs)
        finally:
            tally.add(name, time.perf_counter() - wall, time.thread_time() - cpu)

    return wrapper


@dataclass
class Wire:
    """Round trips made by this process (the scratch database's admin connection excluded)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    pg_round_trips: int = 0
    pg_wait: float = 0.0
    pg_statements: Counter[str] = field(default_factory=Counter)
    pg_connects: int = 0
    redis_round_trips: int = 0
    redis_wait: float = 0.0
    redis_commands: Counter[str] = field(default_factory=Counter)

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {
                "pg_round_trips": self.pg_round_trips,
                "pg_wait": self.pg_wait,
                "pg_statements": Counter(self.pg_statements),
                "pg_connects": self.pg_connects,
                "redis_round_trips": self.redis_round_trips,
                "redis_wait": self.redis_wait,
                "redis_commands": Counter(self.redis_commands),
            }


def install_wire_counters(wire: Wire) -> None:
    """Count at the client libraries' lowest common points (class attributes, this process)."""
    import redis.client
    from pg8000 import core

    handle = core.CoreConnection.handle_messages

    def handle_messages(self: Any, context: Any) -> Any:
        if getattr(self, "_bench_uncounted", False):
            return handle(self, context)
        started = time.perf_counter()
        try:
            return handle(self, context)
        finally:
            elapsed = time.perf_counter() - started
            with wire.lock:
                wire.pg_round_trips += 1
                wire.pg_wait += elapsed

    def counting(original: Callable[..., Any]) -> Callable[..., Any]:
        def execute(self: Any, statement: str, *args: Any, **kwargs: Any) -> Any:
            if not getattr(self, "_bench_uncounted", False):
                kind = statement.lstrip().split(None, 1)[0].lower() if statement.strip() else "?"
                with wire.lock:
                    wire.pg_statements[kind] += 1
            return original(self, statement, *args, **kwargs)

        return execute

    core.CoreConnection.handle_messages = handle_messages  # type: ignore[method-assign]
    core.CoreConnection.execute_unnamed = counting(core.CoreConnection.execute_unnamed)  # type: ignore[method-assign]
    core.CoreConnection.execute_simple = counting(core.CoreConnection.execute_simple)  # type: ignore[method-assign]

    execute_command = redis.client.Redis.execute_command
    pipeline_execute = redis.client.Pipeline.execute

    def redis_execute(self: Any, *args: Any, **options: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute_command(self, *args, **options)
        finally:
            elapsed = time.perf_counter() - started
            name = str(args[0]).upper() if args else "?"
            with wire.lock:
                wire.redis_round_trips += 1
                wire.redis_wait += elapsed
                wire.redis_commands[name] += 1

    def redis_pipeline(self: Any, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return pipeline_execute(self, *args, **kwargs)
        finally:
            elapsed = time.perf_counter() - started
            with wire.lock:
                wire.redis_round_trips += 1
                wire.redis_wait += elapsed
                wire.redis_commands["(pipeline)"] += 1

    redis.client.Redis.execute_command = redis_execute  # type: ignore[method-assign]
    redis.client.Pipeline.execute = redis_pipeline  # type: ignore[method-assign]


# Stage key, label, depth (nested rows are included in the row above them), top level.
STAGES: tuple[tuple[str, str, int, bool], ...] = (
    ("http", "gateway: every HTTP request (status callbacks, API)", 0, True),
    ("status", "handle_status (one status callback)", 1, False),
    ("authenticate", "authenticate: route and token (cached), HMAC", 2, False),
    ("apply_status", "apply_status (one tenant txn; also parked statuses)", 2, False),
    ("record_outcome", "record_outcomes (one Redis pipeline per callback batch)", 3, False),
    ("fan_out", "fan_out (campaign.launched: batches scheduled at the pool's pace)", 0, True),
    ("send_batch", "send_batch (one batch: queue rows, reserve, dispatch, record)", 0, True),
    ("reserve", "throttle.reserve_many (one EVALSHA per batch)", 1, False),
    ("refused", "reservation refused: the batch comes back at the next slot", 2, False),
    ("slot_sleep", "reservation granted: sent at its slot (<= 1 s)", 2, False),
    ("slot_scheduled", "reservation granted > 1 s away: scheduled on the queue", 2, False),
    ("dispatch", "dispatch (claim txn, wait for the calls, record txn)", 1, False),
    ("record", "record_accepted (one txn per batch)", 2, False),
    ("send_one", "dispatch threads: slot wait, DID guard, provider call", 0, True),
    ("pace", "throttle.pace: per-DID spacing right before the call (Redis)", 1, False),
    ("provider", "provider call: Twilio SDK -> fake (HTTP)", 1, False),
    ("swa_queue", "send_when_allowed (sends queue: single sends, retries)", 0, True),
    ("deliver_slot", "deliver (sends queue: reserved slot > 1 s away)", 0, True),
    ("pool_wait", "DB pool checkout: wait for a free connection (any caller)", 1, False),
    ("publish", "queue publish (any caller)", 1, False),
    ("schedule", "queue schedule (any caller)", 1, False),
)


def install_stage_timers(tally: Tally) -> None:
    import functions.campaign_fanout
    import functions.campaign_sender
    import functions.send_worker
    import functions.twilio_webhooks
    import shared.queue as queue_module
    from shared.messaging import delivery, throttle, webhooks
    from shared.platform.gateway import Gateway
    from shared.providers.twilio import TwilioProvider

    targets: list[tuple[Any, str, str]] = [
        (Gateway, "__call__", "http"),
        (webhooks, "handle_status", "status"),
        (webhooks, "authenticate", "authenticate"),
        (webhooks, "apply_status", "apply_status"),
        (webhooks, "record_outcomes", "record_outcome"),
        (functions.campaign_fanout, "fan_out", "fan_out"),
        (functions.campaign_sender, "send_batch", "send_batch"),
        (throttle, "reserve_many", "reserve"),
        (delivery, "dispatch", "dispatch"),
        (delivery, "record_accepted", "record"),
        (delivery._Send, "__call__", "send_one"),
        (throttle, "pace", "pace"),
        (functions.send_worker, "send_when_allowed", "swa_queue"),
        (functions.send_worker, "deliver", "deliver_slot"),
        (TwilioProvider, "send", "provider"),
        (queue_module, "publish", "publish"),
        (queue_module, "schedule", "schedule"),
    ]
    for owner, attribute, key in targets:
        setattr(owner, attribute, timed(tally, key, getattr(owner, attribute)))

    # What each reservation said: refused (the batch comes back later), or granted with a
    # wait that the dispatch thread sleeps (<= 1 s) or that is scheduled on the queue.
    reserve_many = throttle.reserve_many

    def observed(*args: Any, **kwargs: Any) -> Any:
        reservations = reserve_many(*args, **kwargs)
        for reservation in reservations:
            if not reservation.granted:
                tally.add("refused", 0.0, 0.0)
            elif reservation.wait_seconds > delivery.MAX_INLINE_WAIT_SECONDS:
                tally.add("slot_scheduled", reservation.wait_seconds, 0.0)
            else:
                tally.add("slot_sleep", reservation.wait_seconds, 0.0)
        return reservations

    throttle.reserve_many = observed

    # How late each provider call leaves after its reserved slot (same thread, same clock):
    # the jitter that can bunch two sends of one DID into one second at the provider.
    send_one = delivery._Send.__call__

    def send_one_at_slot(self: Any) -> Any:
        SLOTS.slot_ms = self.slot_ms or None
        return send_one(self)

    delivery._Send.__call__ = send_one_at_slot  # type: ignore[method-assign]
    timed_send = TwilioProvider.send

    def send_after_slot(self: Any, *args: Any, **kwargs: Any) -> Any:
        slot = getattr(SLOTS, "slot_ms", None)
        if slot is not None:
            SLOTS.slot_ms = None
            LATENESS_MS.append(time.time() * 1000 - slot)
        return timed_send(self, *args, **kwargs)

    TwilioProvider.send = send_after_slot  # type: ignore[method-assign]


SLOTS = threading.local()
LATENESS_MS: list[float] = []  # list.append is atomic under the GIL


# --- CPU of processes, from /proc ------------------------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
BACKEND_ADDRESS = re.compile(r"\d+\.\d+\.\d+\.\d+\(\d+\)|\[local\]")
CPU_GROUPS = (
    "this process (pipeline, gateway, queue)",
    "fake Twilio (subprocess)",
    "PostgreSQL: scratch database backends",
    "PostgreSQL: auxiliary processes (WAL writer, checkpointer, ...)",
    "redis-server",
    "RabbitMQ (beam.smp)",
    "PostgreSQL: other databases' backends (not this run)",
    "everything else on the machine (not this run)",
    "webhook gateway (subprocess: status callbacks)",
)


def _proc_cpu(pid: int) -> tuple[str, float] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    comm = raw[raw.index("(") + 1 : raw.rindex(")")]
    fields = raw[raw.rindex(")") + 2 :].split()
    return comm, (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def machine_busy_seconds() -> float:
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values[:8]) - idle) / CLOCK_TICKS


class ProcessCpu:
    """CPU seconds per group of processes between `start()` and the last `scan()`."""

    def __init__(self, database: str) -> None:
        self.database = database
        self.fake_pid = -1
        self.webhooks_pid = -1
        self.redis_pid: int | None = None  # a private server; else the shared one on 6379
        self._base: dict[int, float] = {}
        self._last: dict[int, tuple[str, float]] = {}
        self._groups: dict[int, str] = {}
        self._machine = (0.0, 0.0)
        self._lock = threading.Lock()

    def _group(self, pid: int, comm: str) -> str:
        if pid == os.getpid():
            return CPU_GROUPS[0]
        if pid == self.fake_pid:
            return CPU_GROUPS[1]
        if pid == self.webhooks_pid:
            return CPU_GROUPS[8]
        if comm == "postgres":
            line = _cmdline(pid)
            if f" {self.database} " in line:
                return CPU_GROUPS[2]
            return CPU_GROUPS[6] if BACKEND_ADDRESS.search(line) else CPU_GROUPS[3]
        if pid == self.redis_pid:
            return CPU_GROUPS[4]
        if self.redis_pid is None and comm == "redis-server" and "6379" in _cmdline(pid):
            return CPU_GROUPS[4]
        if comm == "beam.smp":
            return CPU_GROUPS[5]
        return CPU_GROUPS[7]

    def _read(self) -> dict[int, tuple[str, float]]:
        seen: dict[int, tuple[str, float]] = {}
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            pid = int(entry.name)
            found = _proc_cpu(pid)
            if found is None:
                continue
            comm, seconds = found
            if pid not in self._groups:
                self._groups[pid] = self._group(pid, comm)
            seen[pid] = (self._groups[pid], seconds)
        return seen

    def start(self) -> None:
        with self._lock:
            self._groups.clear()
            self._last = self._read()
            self._base = {pid: seconds for pid, (_, seconds) in self._last.items()}
            busy = machine_busy_seconds()
            self._machine = (busy, busy)

    def scan(self) -> None:
        with self._lock:
            for pid, value in self._read().items():
                self._last[pid] = value
            self._machine = (self._machine[0], machine_busy_seconds())

    def totals(self) -> tuple[dict[str, float], float]:
        with self._lock:
            totals = dict.fromkeys(CPU_GROUPS, 0.0)
            for pid, (group, seconds) in self._last.items():
                totals[group] += max(0.0, seconds - self._base.get(pid, 0.0))
            return totals, self._machine[1] - self._machine[0]


# --- the fake Twilio in a subprocess --------------------------------------------------


def serve_fake(callback_delay: float) -> int:
    """The subprocess: a FakeTwilio driven by JSON lines on stdin, answering on stdout."""
    from tests.fakes.twilio import FakeTwilio

    fake = FakeTwilio(callback_delay=callback_delay)
    callbacks: Counter[str] = Counter()
    post_signed = fake.post_signed

    def counted_post(url: str, params: dict[str, str], account: str) -> int:
        try:
            status = post_signed(url, params, account)
        except Exception as exc:  # a refused or dropped connection: the callback is lost
            callbacks[f"error {type(exc).__name__}"] += 1
            raise
        callbacks[str(status)] += 1
        return status

    fake.post_signed = counted_post  # type: ignore[method-assign]
    fake.start()

    def reply(**values: Any) -> None:
        print(json.dumps(values), flush=True)

    def usage() -> float:
        ru = resource.getrusage(resource.RUSAGE_SELF)
        return ru.ru_utime + ru.ru_stime

    reply(base_url=fake.base_url, pid=os.getpid())
    for line in sys.stdin:
        command = json.loads(line)
        op = command["op"]
        if op == "account":
            fake.add_account(command["sid"], command["token"])
            reply(ok=True)
        elif op == "own":
            for phone in command["phones"]:
                fake.own_number(command["account"], phone)
            reply(ok=True)
        elif op == "usage":
            reply(cpu=usage(), callbacks=dict(callbacks), messages=len(fake.messages))
        elif op == "dump":
            records = [
                [r.at, r.params["From"][0], int(r.params["NumSegments"][0])]
                for r in fake.accepted()
            ]
            Path(command["path"]).write_text(json.dumps(records))
            reply(cpu=usage(), callbacks=dict(callbacks), messages=len(records))
        elif op == "stop":
            reply(ok=True)
            break
    fake.stop()
    return 0


class FakeProcess:
    def __init__(self, callback_delay: float) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.pipeline", "--serve-fake", str(callback_delay)],
            cwd=PROJECT_ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        hello = self._read()
        self.base_url = str(hello["base_url"])
        self.pid = int(hello["pid"])

    def _read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the fake Twilio subprocess exited")
        return dict(json.loads(line))

    def call(self, op: str, **values: Any) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"op": op, **values}) + "\n")
        self.proc.stdin.flush()
        return self._read()

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                self.call("stop")
                self.proc.wait(timeout=15)
            except (OSError, RuntimeError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait(timeout=15)


# --- the scratch database --------------------------------------------------------------


def admin_connection(database: str) -> Any:
    import pg8000.native
    from sqlalchemy.engine import make_url

    url = make_url(ADMIN_URL)
    connection = pg8000.native.Connection(
        user=url.username or "postgres",
        password=url.password,
        host=url.host or "127.0.0.1",
        port=url.port or 5432,
        database=database,
    )
    connection._bench_uncounted = True  # not the application's round trips
    return connection


def database_url(database: str) -> str:
    from sqlalchemy.engine import make_url

    rendered = make_url(ADMIN_URL).set(database=database).render_as_string(hide_password=False)
    return str(rendered)


@contextmanager
def scratch_database(keep: bool) -> Iterator[str]:
    name = f"smsplat_bench_{uuid.uuid4().hex[:10]}"
    admin = admin_connection(make_admin_database())
    admin.run(f'CREATE DATABASE "{name}"')
    admin.close()
    try:
        yield name
    finally:
        if keep:
            progress(f"kept database {name}")
        else:
            admin = admin_connection(make_admin_database())
            admin.run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.close()


def make_admin_database() -> str:
    from sqlalchemy.engine import make_url

    return make_url(ADMIN_URL).database or "postgres"


@contextmanager
def redis_server(private: bool) -> Iterator[tuple[str, int | None]]:
    """(URL, server pid): a redis-server of this run's own on a free port, or the shared one.

    The shared server is restarted now and then by other sessions' tests (losing every rate
    key) and serves their clients too; a private one isolates the run and makes the
    server's command counts this run's alone. Same binary, same machine.
    """
    if not private:
        yield SHARED_REDIS_URL, None
        return
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed")
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="bench-redis-") as directory:
        server = subprocess.Popen(
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                directory,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            url = f"redis://127.0.0.1:{port}/0"
            deadline = time.monotonic() + 15
            while not _redis_answers(url):
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("the private redis-server did not start")
                time.sleep(0.1)
            yield url, server.pid
        finally:
            server.terminate()
            server.wait(timeout=15)


def _redis_answers(url: str) -> bool:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=0.5)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


def rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, timeout=60)


@contextmanager
def rabbit_vhost(enabled: bool) -> Iterator[str]:
    """A vhost of this run's own: tests on the same broker consume the same queue names."""
    if not enabled:
        yield ""
        return
    vhost = f"smsplat-bench-{uuid.uuid4().hex[:8]}"
    rabbitmqctl("add_vhost", vhost)
    try:
        rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
        yield RABBITMQ_BASE + vhost
    finally:
        try:
            rabbitmqctl("delete_vhost", vhost)
        except (OSError, subprocess.SubprocessError) as exc:
            progress(f"could not delete vhost {vhost}: {exc}")


# --- configuration ---------------------------------------------------------------------


@dataclass(frozen=True)
class Config:
    scenario: str
    backend: str
    contacts: int
    dids: int
    mps: float
    long_every: int
    timeout: float
    workers: int
    callback_delay: float
    instrument: bool
    private_redis: bool
    webhooks: str  # "separate": status callbacks go to a gateway process of their own
    argv: tuple[str, ...]

    @property
    def pool_capacity(self) -> float:
        return self.dids * self.mps

    @property
    def capacity(self) -> float:
        """Segments per second the limiter allows: the pool, capped by plan and account."""
        from shared.billing.plans import plan_mps
        from shared.config import get_settings

        return min(self.pool_capacity, plan_mps("enterprise"), get_settings().provider_account_mps)

    @property
    def sub_heading(self) -> str:
        names = {"throughput": "Throughput", "exactness": "Rate exactness (pool-bound)"}
        backends = {"inline": "inline backend", "rabbitmq": "RabbitMQ backend"}
        webhooks = {"separate": "webhooks in their own process", "in-process": "one process"}
        return (
            f"### {names[self.scenario]}: {backends[self.backend]}, {webhooks[self.webhooks]}, "
            f"{self.contacts:,} contacts, {self.dids} DIDs at {self.mps:g} MPS"
        )


@dataclass
class App:
    """What the run set up: the gateway, the API client, the workspace and its campaign."""

    gateway_url: str
    server: Any
    token: str
    tenant_id: str
    pool_id: str
    campaign_id: str = ""
    did_mps: dict[str, float] = field(default_factory=dict)
    worker: Any = None


def configure_environment(database: str, redis_url: str, rabbit_url: str, config: Config) -> None:
    from shared.cache import reset_redis
    from shared.config import get_settings
    from shared.db.engine import reset_engine
    from shared.queue import set_backend

    os.environ.update(
        ENVIRONMENT="test",
        LOG_LEVEL="WARNING",
        BCRYPT_ROUNDS="4",
        DATABASE_URL=database_url(database),
        REDIS_URL=redis_url,
        QUEUE_BACKEND=config.backend,
    )
    if rabbit_url:
        os.environ["RABBITMQ_URL"] = rabbit_url
    get_settings.cache_clear()
    reset_engine()
    reset_redis()
    set_backend(None)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_gateway(public: bool = True) -> tuple[str, Any]:
    """The gateway in this process; `public`: it receives the webhooks (PUBLIC_BASE_URL)."""
    from shared.config import get_settings
    from shared.platform.gateway import serve

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    if public:
        os.environ["PUBLIC_BASE_URL"] = base
        get_settings.cache_clear()
    server = serve("127.0.0.1", port)
    threading.Thread(target=server.serve_forever, name="gateway", daemon=True).start()
    return base, server


WEBHOOK_GATEWAY = (
    "import sys; from shared.platform.gateway import serve; "
    "serve('127.0.0.1', int(sys.argv[1])).serve_forever()"
)


def start_webhook_gateway() -> subprocess.Popen[bytes]:
    """A gateway process of its own for the status callbacks (as the twilio-webhooks
    function has its own instances when deployed): PUBLIC_BASE_URL points at it."""
    import httpx

    from shared.config import get_settings

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    os.environ["PUBLIC_BASE_URL"] = base
    get_settings.cache_clear()
    proc = subprocess.Popen(
        [sys.executable, "-c", WEBHOOK_GATEWAY, str(port)], cwd=PROJECT_ROOT, env=os.environ
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the webhook gateway did not start")


def importable(module: str) -> bool:
    import importlib

    try:
        importlib.import_module(module)
    except ImportError:
        return False
    return True


def start_backend(config: Config) -> tuple[Any, list[str]]:
    """The queue backend; for RabbitMQ, also the project's worker, in this process.

    The worker consumes every registered event and task function whose module imports (the
    registry may list functions that others are still writing); the rest are returned.
    """
    from shared import registry
    from shared.queue import RegistryDispatcher, get_backend
    from shared.queue.topology import consumed_topics, task_queues

    backend = get_backend()
    if config.backend != "rabbitmq":
        return None, []
    consumers, queues, skipped = [], [], []
    for topic, functions in consumed_topics().items():
        if all(importable(registry.by_name(f).module) for f in functions):
            consumers += [(topic, f) for f in functions]
        else:
            skipped += [f for f in functions if not importable(registry.by_name(f).module)]
    for queue in task_queues():
        spec = registry.task_target(queue)
        (queues if importable(spec.module) else skipped).append(
            queue if importable(spec.module) else spec.name
        )
    worker = backend.start_worker(  # type: ignore[attr-defined]
        RegistryDispatcher(), consumers=consumers, queues=queues, concurrency=config.workers
    )
    if not worker.wait_connected(30):
        raise RuntimeError("the RabbitMQ worker did not connect within 30 s")
    return worker, skipped


def api_call(
    client: Any, method: str, path: str, token: str | None = None, **kwargs: Any
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = client.request(method, path, headers=headers, **kwargs)
    if response.status_code >= 300:
        raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:500]}")
    return dict(response.json()) if response.content else {}


def set_up_workspace(
    client: Any, fake: FakeProcess, database: str, config: Config, gateway: tuple[str, Any]
) -> App:
    """Sign up and connect Twilio through the API; numbers, pool, contacts by SQL."""
    email = f"bench-{uuid.uuid4().hex[:10]}@example.com"
    api_call(
        client,
        "POST",
        "/v1/auth/signup",
        json={
            "email": email,
            "password": PASSWORD,
            "name": "Bench",
            "workspace_name": "Bench Bikes",
        },
    )
    signup = api_call(client, "POST", "/v1/auth/login", json={"email": email, "password": PASSWORD})
    token, tenant_id = signup["access_token"], signup["workspace"]["id"]
    sid, auth = "AC" + uuid.uuid4().hex, uuid.uuid4().hex
    fake.call("account", sid=sid, token=auth)
    api_call(
        client, "PUT", "/v1/twilio/config", token, json={"account_sid": sid, "auth_token": auth}
    )
    admin = admin_connection(database)
    try:
        # The workspace's plan allows more than the pool, so the DIDs are the only limit.
        admin.run("UPDATE tenants SET plan = 'enterprise' WHERE id = CAST(:t AS uuid)", t=tenant_id)
        admin.run(
            "INSERT INTO twilio_numbers (tenant_id, phone_number, provider, provider_sid,"
            " number_type, capabilities, status, mps)"
            " SELECT CAST(:t AS uuid), '+1212' || (2000000 + g)::text, 'twilio',"
            " 'PN' || md5(g::text), 'long_code',"
            ' \'{"sms": true, "mms": true, "voice": true}\'::jsonb, \'active\', :mps'
            " FROM generate_series(1, :n) AS g",
            t=tenant_id,
            n=config.dids,
            mps=config.mps,
        )
        pool_id = str(
            admin.run(
                "INSERT INTO number_pools (tenant_id, name) VALUES (CAST(:t AS uuid), 'Bench')"
                " RETURNING id",
                t=tenant_id,
            )[0][0]
        )
        admin.run(
            "INSERT INTO number_pool_numbers (tenant_id, pool_id, number_id)"
            " SELECT tenant_id, CAST(:p AS uuid), id FROM twilio_numbers"
            " WHERE tenant_id = CAST(:t AS uuid)",
            t=tenant_id,
            p=pool_id,
        )
        long_every = config.long_every or 0
        admin.run(
            "INSERT INTO contacts (tenant_id, phone, first_name)"
            " SELECT CAST(:t AS uuid), '+1415' || (2000000 + g)::text,"
            " CASE WHEN :every > 0 AND g % greatest(:every, 1) = 0 THEN :long ELSE 'Ann' || g END"
            " FROM generate_series(1, :n + 1000) AS g"
            " WHERE (2000000 + g) % 100000 <> ALL(CAST(:magic AS int[]))"
            " ORDER BY g LIMIT :n",
            t=tenant_id,
            n=config.contacts,
            every=long_every,
            long=LONG_NAME,
            magic=list(MAGIC_SUFFIXES),
        )
        admin.run(
            "INSERT INTO contact_tags (tenant_id, contact_id, tag)"
            " SELECT tenant_id, id, :tag FROM contacts WHERE tenant_id = CAST(:t AS uuid)",
            t=tenant_id,
            tag=TAG,
        )
        admin.run("ANALYZE")
        dids = admin.run(
            "SELECT phone_number, mps FROM twilio_numbers WHERE tenant_id = CAST(:t AS uuid)",
            t=tenant_id,
        )
    finally:
        admin.close()
    did_mps = {str(phone): float(mps) for phone, mps in dids}
    fake.call("own", account=sid, phones=sorted(did_mps))
    return App(gateway[0], gateway[1], token, tenant_id, pool_id, did_mps=did_mps)


# --- the run ---------------------------------------------------------------------------


@dataclass
class Progress:
    """What the poller saw: (time, delivered, final) samples and the end."""

    samples: list[tuple[float, int, int, int]] = field(default_factory=list)
    audience: int = 0
    polls: int = 0
    outcome: str = "running"


PROGRESS_SQL = (
    "SELECT count(*) FILTER (WHERE status = 'delivered'),"
    " count(*) FILTER (WHERE status IN ('failed', 'undelivered', 'suppressed')),"
    " count(*),"
    " (SELECT coalesce(audience_size, -1) FROM campaigns WHERE id = CAST(:c AS uuid))"
    " FROM messages WHERE campaign_id = CAST(:c AS uuid)"
)


def watch(
    database: str, campaign_id: str, started: float, timeout: float, cpu: ProcessCpu
) -> Progress:
    """Poll until every message of the campaign is final, it stalls, or the timeout."""
    seen = Progress()
    admin = admin_connection(database)
    last_change, last_final, last_report = started, -1, started
    try:
        while True:
            time.sleep(POLL_SECONDS)
            cpu.scan()
            delivered, final_bad, created, audience = admin.run(PROGRESS_SQL, c=campaign_id)[0]
            seen.polls += 1
            now = time.time()
            final = int(delivered) + int(final_bad)
            seen.samples.append((now, int(delivered), final, int(created)))
            seen.audience = int(audience)
            if final != last_final:
                last_change, last_final = now, final
            if now - last_report >= PROGRESS_SECONDS:
                last_report = now
                progress(
                    f"{now - started:6.0f} s: {created} messages created, {delivered} delivered,"
                    f" {final_bad} failed of {audience}"
                )
            if audience >= 0 and final >= audience:
                seen.outcome = "complete"
                return seen
            if now - started > timeout:
                seen.outcome = f"timeout after {timeout:.0f} s"
                return seen
            if now - last_change > STALL_SECONDS:
                seen.outcome = f"stalled: no message became final for {STALL_SECONDS:.0f} s"
                return seen
    finally:
        admin.close()


def pg_database_stats(database: str) -> dict[str, int]:
    admin = admin_connection(database)
    try:
        admin.run("SELECT pg_stat_clear_snapshot()")
        columns = (
            "xact_commit",
            "xact_rollback",
            "tup_returned",
            "tup_fetched",
            "tup_inserted",
            "tup_updated",
            "tup_deleted",
        )
        row = admin.run(
            f"SELECT {', '.join(columns)} FROM pg_stat_database WHERE datname = :d", d=database
        )[0]
    finally:
        admin.close()
    return dict(zip(columns, (int(v) for v in row), strict=True))


def redis_command_calls(redis_url: str) -> tuple[int, Counter[str], str]:
    """Commands run so far by the server, by name, and its run id (a restart changes it)."""
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        stats = client.info("commandstats")
        run_id = str(client.info("server").get("run_id", ""))
    finally:
        client.close()
    calls: Counter[str] = Counter()
    for name, values in stats.items():
        calls[str(name).removeprefix("cmdstat_")] = int(values["calls"])
    return sum(calls.values()), calls, run_id


def flush_pg_stats() -> None:
    """Close the pooled connections: a backend reports its statistics when it exits."""
    from shared.db.engine import get_engine

    get_engine().dispose()
    time.sleep(1.0)


@dataclass
class Snapshot:
    wall: float
    rusage: float
    fake_cpu: float
    callbacks: dict[str, int]
    stages: dict[str, tuple[int, float, float]]
    wire: dict[str, Any]
    pg: dict[str, int]
    redis_total: int
    redis_calls: Counter[str]
    redis_run_id: str


def snapshot(
    fake: FakeProcess, tally: Tally, wire: Wire, database: str, pg: dict[str, int] | None
) -> Snapshot:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    fake_usage = fake.call("usage")
    total, calls, run_id = redis_command_calls(os.environ["REDIS_URL"])
    return Snapshot(
        wall=time.time(),
        rusage=ru.ru_utime + ru.ru_stime,
        fake_cpu=float(fake_usage["cpu"]),
        callbacks=dict(fake_usage["callbacks"]),
        stages=tally.snapshot(),
        wire=wire.snapshot(),
        pg=pg if pg is not None else pg_database_stats(database),
        redis_total=total,
        redis_calls=calls,
        redis_run_id=run_id,
    )


@dataclass(frozen=True)
class Floor:
    """One tenant transaction with one SELECT, alone on a warm pool: the least a step costs."""

    cpu_ms: float
    wall_ms: float
    round_trips: float
    by_package: list[tuple[str, float]]  # (package, share of profiled time)


def transaction_floor(tenant_id: str, wire: Wire, repeat: int = 300) -> Floor:
    """Measured after the run, single-threaded: CPU, wall and round trips per transaction,
    then the same loop under cProfile, its own time summed by top-level package."""
    import cProfile
    import pstats

    from sqlalchemy import select

    from shared.db.session import tenant_session
    from shared.tenancy.models import Tenant

    tenant = uuid.UUID(tenant_id)

    def once() -> None:
        with tenant_session(tenant) as s:
            s.execute(select(Tenant.plan).where(Tenant.id == tenant)).scalar_one()

    for _ in range(20):
        once()
    trips = wire.snapshot()["pg_round_trips"]
    wall, cpu = time.perf_counter(), time.thread_time()
    for _ in range(repeat):
        once()
    cpu = time.thread_time() - cpu
    wall = time.perf_counter() - wall
    trips = wire.snapshot()["pg_round_trips"] - trips
    profiler = cProfile.Profile(time.thread_time)  # CPU time, not time spent waiting
    profiler.enable()
    for _ in range(repeat):
        once()
    profiler.disable()
    stats = pstats.Stats(profiler)
    totals: Counter[str] = Counter()
    for (filename, _, _), (_, _, own, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        totals[package_of(filename)] += own
    whole = sum(totals.values()) or 1.0
    return Floor(
        cpu_ms=cpu / repeat * 1000,
        wall_ms=wall / repeat * 1000,
        round_trips=trips / repeat,
        by_package=[(name, value / whole) for name, value in totals.most_common(6)],
    )


def package_of(filename: str) -> str:
    """`sqlalchemy`, `pg8000`, `shared`, ... for a profiled function's file."""
    if filename.startswith("~") or filename.startswith("<"):
        return "C built-ins (socket, locks, ...)"
    path = Path(filename)
    parts = path.parts
    if "site-packages" in parts:
        return parts[parts.index("site-packages") + 1]
    if path.is_relative_to(PROJECT_ROOT):
        return path.relative_to(PROJECT_ROOT).parts[0]
    return "stdlib"


def create_and_launch(client: Any, app: App, config: Config) -> tuple[str, int, float]:
    campaign = api_call(
        client,
        "POST",
        "/v1/campaigns",
        app.token,
        json={
            "name": f"Bench {config.scenario}",
            "body": BODY,
            "audience": {"tags": [TAG]},
            "pool_id": app.pool_id,
            "quiet_hours": None,
        },
    )
    launched_at = time.time()
    launched = api_call(client, "POST", f"/v1/campaigns/{campaign['id']}/launch", app.token)
    return str(campaign["id"]), int(launched["audience_size"]), launched_at


def cancel_leftovers(database: str, campaign_id: str) -> None:
    admin = admin_connection(database)
    try:
        admin.run(
            "UPDATE campaigns SET status = 'cancelled' WHERE id = CAST(:c AS uuid)"
            " AND status IN ('running', 'paused')",
            c=campaign_id,
        )
    finally:
        admin.close()


def message_times(database: str, campaign_id: str) -> tuple[list[float], list[float], Counter[str]]:
    """Epoch seconds of each delivery, delivery latency after the claim, status counts."""
    admin = admin_connection(database)
    try:
        rows = admin.run(
            "SELECT extract(epoch FROM delivered_at)::float8,"
            " extract(epoch FROM delivered_at - sending_at)::float8"
            " FROM messages WHERE campaign_id = CAST(:c AS uuid) AND status = 'delivered'",
            c=campaign_id,
        )
        statuses = admin.run(
            "SELECT status, count(*) FROM messages WHERE campaign_id = CAST(:c AS uuid)"
            " GROUP BY status",
            c=campaign_id,
        )
    finally:
        admin.close()
    delivered = sorted(float(r[0]) for r in rows)
    latency = sorted(float(r[1]) for r in rows)
    return delivered, latency, Counter({str(s): int(n) for s, n in statuses})


# --- analysis --------------------------------------------------------------------------


def steady_rate(
    times: Sequence[float], weights: Sequence[int] | None = None
) -> tuple[float, float]:
    """(rate per second, span in seconds) between STEADY shares of the total (sorted times)."""
    if len(times) < 10:
        return 0.0, 0.0
    w = list(weights) if weights is not None else [1] * len(times)
    total = sum(w)
    low, high = STEADY[0] * total, STEADY[1] * total
    running, i_low, i_high = 0, 0, len(times) - 1
    for i, weight in enumerate(w):
        running += weight
        if running <= low:
            i_low = i + 1
        if running <= high:
            i_high = i
    span = times[i_high] - times[i_low]
    amount = sum(w[i_low + 1 : i_high + 1])
    return (amount / span if span > 0 else 0.0), span


def percentile(values: Sequence[float], fraction: float) -> float:
    if not values:
        return 0.0
    index = min(len(values) - 1, max(0, math.ceil(fraction * len(values)) - 1))
    return values[index]


@dataclass(frozen=True)
class WindowCheck:
    """Per DID: the most segments in any 1-second sliding window, against its MPS."""

    dids_used: int
    worst_did: str
    worst_segments: int
    worst_mps: float
    over: int  # DIDs over their MPS in some window
    windows_over: int  # sends that closed an over-MPS window
    min_gap_ratio: float  # smallest gap between two sends / the spacing their segments need


def spread_segments(
    records: Sequence[tuple[float, str, int]], mps: dict[str, float]
) -> list[tuple[float, str, int]]:
    """Each message's segments one DID interval apart, as the provider sends them out: a
    2-segment message at 1 MPS is 2 segments in one request, but not in one second."""
    return [
        (at + i / mps.get(did, 1.0), did, 1)
        for at, did, segments in records
        for i in range(segments)
    ]


def window_check(records: Sequence[tuple[float, str, int]], mps: dict[str, float]) -> WindowCheck:
    by_did: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for at, sender, segments in records:
        by_did[sender].append((at, segments))
    worst = ("", 0, 0.0, -1.0)
    over = windows_over = 0
    min_gap_ratio = float("inf")
    for did, sends in by_did.items():
        sends.sort()
        rate = mps.get(did, 1.0)
        best, start, total, did_over = 0, 0, 0, 0
        for end, (at, segments) in enumerate(sends):
            total += segments
            while at - sends[start][0] >= 1.0:
                total -= sends[start][1]
                start += 1
            best = max(best, total)
            if total > rate + 1e-9:
                did_over += 1
            if end:
                previous_at, previous_segments = sends[end - 1]
                needed = previous_segments / rate
                min_gap_ratio = min(min_gap_ratio, (at - previous_at) / needed)
        windows_over += did_over
        over += did_over > 0
        if best / rate > worst[3]:
            worst = (did, best, rate, best / rate)
    return WindowCheck(
        dids_used=len(by_did),
        worst_did=worst[0],
        worst_segments=worst[1],
        worst_mps=worst[2],
        over=over,
        windows_over=windows_over,
        min_gap_ratio=min_gap_ratio if min_gap_ratio != float("inf") else 0.0,
    )


@dataclass
class Result:
    config: Config
    outcome: str
    audience: int
    launched_at: float
    launch_seconds: float
    delivered: list[float]
    latency: list[float]
    statuses: Counter[str]
    accepted: list[tuple[float, str, int]]
    before: Snapshot
    after: Snapshot
    cpu_groups: dict[str, float]
    machine_cpu: float
    polls: int
    loads: tuple[str, str]
    samples: list[tuple[float, int, int, int]]
    did_mps: dict[str, float]
    skipped: list[str]
    floor: Floor | None
    lateness_ms: list[float]
    code: str

    # --- derived ---
    @property
    def count(self) -> int:
        return len(self.delivered)

    @property
    def wall(self) -> float:
        return (self.delivered[-1] - self.launched_at) if self.delivered else 0.0

    @property
    def wall_span(self) -> float:
        """The measured window: from the snapshot before the launch to the one after."""
        return self.after.wall - self.before.wall

    @property
    def sustained(self) -> float:
        return steady_rate(self.delivered)[0]

    @property
    def provider_rate(self) -> float:
        times = [a for a, _, _ in self.accepted]
        return steady_rate(times)[0]

    def aggregate_segments(self) -> tuple[float, float]:
        """Segments per second accepted by the fake over its steady window, and the span."""
        ordered = sorted(self.accepted)
        return steady_rate([a for a, _, _ in ordered], [s for _, _, s in ordered])

    def per_message(self, value: float) -> float:
        return value / self.count if self.count else 0.0


def wire_delta(result: Result) -> dict[str, Any]:
    a, b = result.after.wire, result.before.wire
    return {
        "pg_round_trips": a["pg_round_trips"] - b["pg_round_trips"],
        "pg_wait": a["pg_wait"] - b["pg_wait"],
        "pg_statements": a["pg_statements"] - b["pg_statements"],
        "pg_connects": a["pg_connects"] - b["pg_connects"],
        "redis_round_trips": a["redis_round_trips"] - b["redis_round_trips"],
        "redis_wait": a["redis_wait"] - b["redis_wait"],
        "redis_commands": a["redis_commands"] - b["redis_commands"],
    }


def stage_delta(result: Result) -> dict[str, tuple[int, float, float]]:
    out = {}
    for key, (calls, wall, cpu) in result.after.stages.items():
        c0, w0, p0 = result.before.stages.get(key, (0, 0.0, 0.0))
        out[key] = (calls - c0, wall - w0, cpu - p0)
    return out


# --- report ----------------------------------------------------------------------------


def fmt(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}"


def report(result: Result) -> tuple[str, bool]:
    """The subsection's Markdown and whether the scenario's targets were met."""
    config = result.config
    n = result.count
    lines = [config.sub_heading, ""]
    lines += [
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; machine: {machine_line()}",
        f"- Command (from the project root): `{command_line('bench.pipeline', config.argv)}`; "
        f"code measured: {result.code}",
        f"- Scale: {config.contacts:,} contacts, {config.dids} DIDs at {config.mps:g} MPS "
        f"(pool {config.pool_capacity:,.0f} segments/s; limiter capacity "
        f"{config.capacity:,.0f}/s after the plan and account caps); "
        + (
            f"every {config.long_every}th contact's message is 2 segments"
            if config.long_every
            else "every message is 1 segment"
        ),
        f"- Queue backend: {config.backend}"
        + (
            f" (in-process worker, concurrency {config.workers}, vhost of its own"
            + (
                f"; not consumed, their modules do not import yet: {', '.join(result.skipped)})"
                if result.skipped
                else ")"
            )
            if config.backend == "rabbitmq"
            else " (the project's default InlineBackend: 4 workers)"
        )
        + f"; fake Twilio callback delay {config.callback_delay:g} s; LOG_LEVEL=WARNING",
        f"- Outcome: {result.outcome}; audience {result.audience:,}; messages by status: "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(result.statuses.items())),
        f"- Load average (1/5/15 min) before and after: {result.loads[0]} / {result.loads[1]}",
        f"- Database pool: DB_POOL_SIZE {pool_size()} + overflow {2 * pool_size()} per process "
        "(the project's engine settings); Redis: "
        + (
            "a redis-server of this run's own on a free port (same binary)"
            if config.private_redis
            else f"the shared server ({SHARED_REDIS_URL})"
        ),
    ]
    redis_restarted = result.before.redis_run_id != result.after.redis_run_id
    if redis_restarted:
        lines.append(
            "- WARNING: the shared Redis server restarted during the run (its run id changed: "
            "another session restarted it). Rate keys were lost, so bursts and failed "
            "callbacks in this run may come from that; server-side Redis counts are void."
        )
    lines.append("")
    rate = result.sustained
    aggregate, agg_span = result.aggregate_segments()
    check = window_check(result.accepted, result.did_mps)
    spread = window_check(spread_segments(result.accepted, result.did_mps), result.did_mps)
    capacity_share = aggregate / config.capacity if config.capacity else 0.0
    wire = wire_delta(result)
    pg = {k: result.after.pg[k] - result.before.pg[k] for k in result.after.pg}
    pg["xact_commit"] -= result.polls  # the poller's own one-statement transactions
    redis_server = result.after.redis_total - result.before.redis_total
    process_cpu = result.after.rusage - result.before.rusage
    fake_cpu = result.after.fake_cpu - result.before.fake_cpu
    callbacks = Counter(result.after.callbacks) - Counter(result.before.callbacks)
    bad_callbacks = sum(v for k, v in callbacks.items() if not k.startswith("2"))

    rows = [["metric", "value", "target", "met"]]
    if config.scenario == "throughput":
        rows.append(
            [
                "sustained end-to-end rate (delivered, 10%-90% of the campaign)",
                f"{fmt(rate)} msg/s",
                f">= {TARGET_MPS:,.0f} msg/s",
                "yes" if rate >= TARGET_MPS else "no",
            ]
        )
    else:
        rows.append(
            [
                "sustained end-to-end rate (delivered, 10%-90% of the campaign)",
                f"{fmt(rate)} msg/s",
                "-",
                "-",
            ]
        )
    rows += [
        [
            "provider calls accepted by the fake, same window",
            f"{fmt(result.provider_rate)}/s",
            "-",
            "-",
        ],
        [
            "wall time: launch request to the last delivery",
            f"{fmt(result.wall)} s ({fmt(n / result.wall if result.wall else 0)} msg/s overall)",
            "-",
            "-",
        ],
        ["launch request (freeze of the audience)", f"{fmt(result.launch_seconds, 2)} s", "-", "-"],
        [
            "delivery latency after the claim, p50 / p95 / p99",
            " / ".join(
                f"{fmt(percentile(result.latency, q) * 1000, 0)} ms" for q in (0.5, 0.95, 0.99)
            ),
            "-",
            "-",
        ],
        [
            "most segments from one DID in any 1 s window (worst DID / its MPS)",
            f"{check.worst_segments} / {check.worst_mps:g} ({check.dids_used} DIDs used)",
            "<= MPS",
            "yes" if check.over == 0 else f"no: {check.over} DIDs, {check.windows_over} windows",
        ],
        [
            "the same, each message's segments spread at its DID's MPS (as the provider sends)",
            f"{spread.worst_segments} / {spread.worst_mps:g}",
            "<= MPS",
            "yes" if spread.over == 0 else f"no: {spread.over} DIDs, {spread.windows_over} windows",
        ],
        [
            "provider call after its reserved slot (same thread): p50 / p99 / max lateness",
            " / ".join(f"{fmt(percentile(result.lateness_ms, q), 0)} ms" for q in (0.5, 0.99, 1.0))
            + f" ({len(result.lateness_ms):,} calls)",
            "-",
            "-",
        ],
        [
            "smallest gap between two sends of a DID / the spacing their segments need",
            f"{fmt(check.min_gap_ratio, 3)}",
            ">= 1 (ideal)",
            "-",
        ],
        [
            "aggregate accepted segments/s over the steady window / limiter capacity",
            f"{fmt(aggregate)} / {config.capacity:,.0f} = {capacity_share:.2%} "
            f"(over {fmt(agg_span)} s)",
            f">= {TARGET_CAPACITY_SHARE:.0%}" if config.scenario == "exactness" else "-",
            ("yes" if capacity_share >= TARGET_CAPACITY_SHARE else "no")
            if config.scenario == "exactness"
            else "-",
        ],
        [
            "status callbacks posted by the fake (HTTP status: count)",
            ", ".join(f"{k}: {v:,}" for k, v in sorted(callbacks.items())) or "none",
            "all 2xx",
            "yes" if bad_callbacks == 0 else "no",
        ],
    ]
    lines += markdown_table(rows)
    lines += ["", "CPU and round trips per delivered message:", ""]
    cpu_rows = [["what", "per message", "total"]]
    cpu_rows.append(
        [
            "CPU: this process (getrusage: pipeline, queue, gateway, every thread)",
            f"{fmt(result.per_message(process_cpu) * 1000, 2)} ms",
            f"{fmt(process_cpu)} s",
        ]
    )
    cpu_rows.append(
        [
            "CPU: fake Twilio subprocess (getrusage)",
            f"{fmt(result.per_message(fake_cpu) * 1000, 2)} ms",
            f"{fmt(fake_cpu)} s",
        ]
    )
    for group in CPU_GROUPS[2:]:
        seconds = result.cpu_groups.get(group, 0.0)
        cpu_rows.append(
            [
                f"CPU: {group} (/proc)",
                f"{fmt(result.per_message(seconds) * 1000, 2)} ms",
                f"{fmt(seconds)} s",
            ]
        )
    cpu_rows.append(
        [
            "CPU: whole machine (/proc/stat, busy)",
            f"{fmt(result.per_message(result.machine_cpu) * 1000, 2)} ms",
            f"{fmt(result.machine_cpu)} s of {fmt(cpu_count() * result.wall_span, 0)} s available",
        ]
    )
    statements = wire["pg_statements"]
    control = ("begin", "commit", "rollback", ";")
    sql = sum(v for k, v in statements.items() if k not in control)
    cpu_rows += [
        [
            "PostgreSQL round trips (pg8000 exchanges; 3 per statement)",
            fmt(result.per_message(wire["pg_round_trips"]), 1),
            f"{wire['pg_round_trips']:,} ({fmt(wire['pg_wait'])} s waited, all threads)",
        ],
        [
            "PostgreSQL statements: SQL / pool pre-ping (`;`) / BEGIN / COMMIT / ROLLBACK",
            f"{fmt(result.per_message(sql))} / {fmt(result.per_message(statements[';']))} / "
            f"{fmt(result.per_message(statements['begin']))} / "
            f"{fmt(result.per_message(statements['commit']))} / "
            f"{fmt(result.per_message(statements['rollback']), 2)}",
            ", ".join(f"{k} {v:,}" for k, v in statements.most_common()),
        ],
        [
            "PostgreSQL transactions committed (pg_stat_database, poller's excluded)",
            fmt(result.per_message(pg["xact_commit"])),
            f"{pg['xact_commit']:,} (+{pg['xact_rollback']:,} rolled back)",
        ],
        [
            "PostgreSQL rows inserted / updated / fetched (pg_stat_database)",
            f"{fmt(result.per_message(pg['tup_inserted']))} / "
            f"{fmt(result.per_message(pg['tup_updated']))} / "
            f"{fmt(result.per_message(pg['tup_fetched']))}",
            f"{pg['tup_inserted']:,} / {pg['tup_updated']:,} / {pg['tup_fetched']:,}",
        ],
        [
            "new PostgreSQL connections opened by the pool (churn)",
            fmt(result.per_message(wire["pg_connects"]), 3),
            f"{wire['pg_connects']:,}",
        ],
        [
            "Redis round trips from this process (commands; a pipeline counts once)",
            fmt(result.per_message(wire["redis_round_trips"])),
            f"{wire['redis_round_trips']:,} ({fmt(wire['redis_wait'])} s waited): "
            + ", ".join(f"{k} {v:,}" for k, v in wire["redis_commands"].most_common(8)),
        ],
        [
            "Redis commands run by the server (INFO commandstats: every client, Lua's inner)",
            "void" if redis_restarted else fmt(result.per_message(redis_server)),
            "Redis restarted during the run" if redis_restarted else f"{redis_server:,}",
        ],
    ]
    lines += markdown_table(cpu_rows, numeric={1})
    lines += [
        "",
        "Where the time goes (stages wrapped at run time; nested rows are included "
        "in the row above them; CPU is the calling thread's):",
        "",
    ]
    stages = stage_delta(result)
    stage_rows = [["stage", "calls/msg", "wall ms/call", "CPU ms/call", "CPU ms/msg", "CPU share"]]
    attributed = 0.0
    for key, label, depth, top in STAGES:
        calls, wall, cpu = stages.get(key, (0, 0.0, 0.0))
        if not calls:
            continue
        if top:
            attributed += cpu
        stage_rows.append(
            [
                ("· " * depth) + label,
                fmt(result.per_message(calls), 2),
                fmt(wall / calls * 1000, 2),
                fmt(cpu / calls * 1000, 3),
                fmt(result.per_message(cpu) * 1000, 3),
                f"{cpu / process_cpu:.0%}" if process_cpu else "-",
            ]
        )
    rest = process_cpu - attributed
    stage_rows.append(
        [
            "not in a stage: HTTP server, queue machinery, pika, GC, this benchmark's poller",
            "-",
            "-",
            "-",
            fmt(result.per_message(rest) * 1000, 3),
            f"{rest / process_cpu:.0%}" if process_cpu else "-",
        ]
    )
    lines += markdown_table(stage_rows, numeric={1, 2, 3, 4, 5})
    if result.floor is not None:
        floor = result.floor
        transactions = result.per_message(pg["xact_commit"])
        lines += [
            "",
            f"Floor of one transaction (a `tenant_session` with one SELECT, one thread, warm "
            f"pool, after the run): {fmt(floor.cpu_ms, 3)} ms CPU, {fmt(floor.wall_ms, 3)} ms "
            f"wall, {fmt(floor.round_trips)} PostgreSQL round trips. At "
            f"{fmt(transactions)} transactions per message that is "
            f"{fmt(floor.cpu_ms * transactions, 1)} ms of CPU per message before any work. "
            "Its own CPU time by package (cProfile with a thread CPU clock): "
            + ", ".join(f"{name} {share:.0%}" for name, share in floor.by_package)
            + ".",
        ]
    met = (
        rate >= TARGET_MPS
        if config.scenario == "throughput"
        else (spread.over == 0 and capacity_share >= TARGET_CAPACITY_SHARE)
    )
    complete = result.outcome == "complete"
    if config.scenario == "throughput":
        verdict = (
            f"Target {'met' if rate >= TARGET_MPS else 'missed'}: {fmt(rate)} msg/s sustained "
            f"end to end against {TARGET_MPS:,.0f} msg/s ({rate / TARGET_MPS:.0%})."
        )
    else:
        verdict = (
            f"Per-DID limit {'held' if spread.over == 0 else 'exceeded'} with each message's "
            f"segments spread at its DID's MPS (worst {spread.worst_segments} in 1 s at "
            f"{spread.worst_mps:g} MPS; counting a message's segments at its request: worst "
            f"{check.worst_segments}, smallest gap {fmt(check.min_gap_ratio, 3)} of the spacing "
            "needed); "
            f"aggregate {capacity_share:.2%} of capacity "
            f"({'met' if capacity_share >= TARGET_CAPACITY_SHARE else 'missed'}: target "
            f"{TARGET_CAPACITY_SHARE:.0%})."
        )
    if not complete:
        verdict += f" The run did not complete ({result.outcome}): figures cover what was done."
    lines += ["", f"Verdict: {verdict}", ""]
    return "\n".join(lines), met and complete


def section_intro() -> list[str]:
    return [
        "A campaign end to end (`bench/pipeline.py`): launch through the API, fan-out, "
        "send_batch, the Lua reservation, the provider call to the fake Twilio (a subprocess), "
        "and both signed status callbacks applied through the gateway, until every message is "
        "`delivered`. Sustained rate: deliveries between 10% and 90% of the campaign over "
        "that span. Round trips are counted in the process (pg8000 exchanges and statements, "
        "Redis commands) and on the servers (pg_stat_database of the scratch database, Redis "
        "INFO commandstats). Other sessions share this machine: the CPU table shows what "
        "everything else used during the run. Targets: >= 1,000 msg/s end to end; no DID "
        "above its MPS in any 1 s window (segments counted); >= 99% of a bottleneck pool's "
        "capacity.",
    ]


# --- main ------------------------------------------------------------------------------


def run(config: Config) -> Result:
    import httpx

    from shared.db import migrate
    from tests.fakes.smtp import Mailbox

    tally, wire = Tally(), Wire()
    if config.instrument:
        install_wire_counters(wire)
        install_stage_timers(tally)
    mailbox = Mailbox()  # the signup's verification email goes somewhere, not into retries
    os.environ.update(SMTP_HOST="127.0.0.1", SMTP_PORT=str(mailbox.start()))
    with (
        scratch_database(keep=False) as database,
        rabbit_vhost(config.backend == "rabbitmq") as rabbit_url,
        redis_server(config.private_redis) as (redis_url, redis_pid),
    ):
        configure_environment(database, redis_url, rabbit_url, config)
        progress(f"migrating scratch database {database}")
        migrate.upgrade(os.environ["DATABASE_URL"])
        fake = FakeProcess(config.callback_delay)
        app: App | None = None
        webhooks: subprocess.Popen[bytes] | None = None
        try:
            os.environ["TWILIO_API_BASE"] = fake.base_url
            webhooks = start_webhook_gateway() if config.webhooks == "separate" else None
            gateway = start_gateway(public=webhooks is None)
            from sqlalchemy import event

            from shared.db.engine import get_engine

            def on_connect(*_: Any) -> None:
                with wire.lock:
                    wire.pg_connects += 1

            pool = get_engine().pool
            event.listen(pool, "connect", on_connect)
            if config.instrument:
                # On the class: Engine.dispose() replaces the pool (its events carry over).
                queue_pool = type(pool)
                queue_pool._do_get = timed(tally, "pool_wait", queue_pool._do_get)  # type: ignore[method-assign]
            worker, skipped = start_backend(config)
            with httpx.Client(base_url=gateway[0], timeout=600) as client:
                progress(
                    f"setting up {config.contacts:,} contacts and {config.dids} DIDs "
                    f"at {config.mps:g} MPS"
                )
                app = set_up_workspace(client, fake, database, config, gateway)
                app.worker = worker
                flush_pg_stats()  # the setup's statistics out of the way
                cpu = ProcessCpu(database)
                cpu.fake_pid = fake.pid
                cpu.webhooks_pid = webhooks.pid if webhooks is not None else -1
                cpu.redis_pid = redis_pid
                loads = load_average()
                before = snapshot(fake, tally, wire, database, None)
                lateness_from = len(LATENESS_MS)
                cpu.start()
                progress("launching")
                t0 = time.time()
                campaign_id, audience, launched_at = create_and_launch(client, app, config)
                launch_seconds = time.time() - launched_at
                app.campaign_id = campaign_id
                progress(f"launched: audience {audience:,} (freeze {launch_seconds:.1f} s)")
                seen = watch(database, campaign_id, t0, config.timeout, cpu)
            progress(f"run ended: {seen.outcome}")
            time.sleep(SETTLE_SECONDS)
            cpu.scan()
            cpu_groups, machine_cpu = cpu.totals()
            if seen.outcome != "complete":
                cancel_leftovers(database, campaign_id)
            flush_pg_stats()
            after = snapshot(fake, tally, wire, database, None)
            loads = (loads, load_average())
            path = Path(tempfile.gettempdir()) / f"bench-fake-{uuid.uuid4().hex[:8]}.json"
            try:
                fake.call("dump", path=str(path))
                accepted = [(float(a), str(f), int(s)) for a, f, s in json.loads(path.read_text())]
            finally:
                path.unlink(missing_ok=True)
            delivered, latency, statuses = message_times(database, campaign_id)
            # Only on a quiet process: after a timeout, work is still in flight (a stall means
            # 90 s without progress: quiet).
            quiet = config.instrument and not seen.outcome.startswith("timeout")
            floor = transaction_floor(app.tenant_id, wire) if quiet else None
            return Result(
                config=config,
                outcome=seen.outcome,
                audience=audience,
                launched_at=launched_at,
                launch_seconds=launch_seconds,
                delivered=delivered,
                latency=latency,
                statuses=statuses,
                accepted=accepted,
                before=before,
                after=after,
                cpu_groups=cpu_groups,
                machine_cpu=machine_cpu,
                polls=seen.polls + 2,  # + the two snapshots' pg_stat reads are not app work
                loads=loads,
                samples=seen.samples,
                did_mps=app.did_mps,
                skipped=skipped,
                floor=floor,
                lateness_ms=sorted(LATENESS_MS[lateness_from:]),
                code=code_fingerprint(),
            )
        finally:
            teardown(app, fake)
            if webhooks is not None:
                webhooks.terminate()
                webhooks.wait(15)
            mailbox.stop()


def teardown(app: App | None, fake: FakeProcess) -> None:
    from shared.cache import reset_redis
    from shared.db.engine import reset_engine
    from shared.queue import set_backend

    try:
        set_backend(None)  # the inline pool, or the RabbitMQ worker and publisher
    except Exception as exc:
        progress(f"closing the queue backend failed: {exc!r}")
    if app is not None:
        app.server.shutdown()
    fake.stop()
    reset_engine()
    reset_redis()


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.pipeline",
        description="A campaign end to end against the fake Twilio: throughput and rate exactness.",
    )
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), default="throughput")
    parser.add_argument("--backend", choices=("inline", "rabbitmq"), default="inline")
    parser.add_argument("--contacts", type=positive_int, help="audience size (scenario default)")
    parser.add_argument("--dids", type=positive_int, help="DIDs in the pool (scenario default)")
    parser.add_argument("--mps", type=float, help="MPS of each DID (scenario default)")
    parser.add_argument(
        "--long-every",
        type=int,
        help="every Nth contact gets a 2-segment message; 0: none (scenario default)",
    )
    parser.add_argument(
        "--timeout", type=float, default=600.0, help="stop measuring after this (seconds)"
    )
    parser.add_argument(
        "--workers",
        type=positive_int,
        default=8,
        help="RabbitMQ worker concurrency (the `worker` command's default, 8)",
    )
    parser.add_argument(
        "--callback-delay",
        type=float,
        default=0.05,
        help="the fake's delay before each status callback (its default, 0.05 s)",
    )
    parser.add_argument(
        "--redis",
        choices=("private", "shared"),
        default="private",
        help="a redis-server of the run's own on a free port (default), or the shared one "
        f"({SHARED_REDIS_URL})",
    )
    parser.add_argument(
        "--webhooks",
        choices=("separate", "in-process"),
        default="separate",
        help="status callbacks to a gateway process of their own (default, as deployed: "
        "the webhook function scales apart from the senders), or to this process's",
    )
    parser.add_argument(
        "--instrument",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="count round trips and time the stages (--no-instrument: to measure their cost)",
    )
    parser.add_argument(
        "--write",
        action=argparse.BooleanOptionalAction,
        default=True,
        help=f"replace this run's subsection of {RESULTS_PATH.relative_to(PROJECT_ROOT)}",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["--serve-fake"]:
        return serve_fake(float(args_list[1]))
    args = parse_args(args_list)
    defaults = SCENARIOS[args.scenario]
    config = Config(
        scenario=args.scenario,
        backend=args.backend,
        contacts=args.contacts or int(defaults["contacts"]),
        dids=args.dids or int(defaults["dids"]),
        mps=args.mps or float(defaults["mps"]),
        long_every=args.long_every if args.long_every is not None else int(defaults["long_every"]),
        timeout=args.timeout,
        workers=args.workers,
        callback_delay=args.callback_delay,
        instrument=args.instrument,
        private_redis=args.redis == "private",
        webhooks=args.webhooks,
        argv=tuple(args_list),
    )
    if config.backend == "rabbitmq":
        try:
            import shared.queue.rabbitmq  # noqa: F401
        except ImportError as exc:
            progress(f"the RabbitMQ backend is missing: {exc}")
            return 2
    result = run(config)
    section, _ = report(result)
    print(section)
    if args.write:
        write_block(SECTION_HEADING, section_intro(), config.sub_heading, section)
        progress(f"wrote {RESULTS_PATH.relative_to(PROJECT_ROOT)}")
    return 0  # a report, not a gate: a missed target shows in the tables and the verdict


if __name__ == "__main__":
    sys.exit(main())
