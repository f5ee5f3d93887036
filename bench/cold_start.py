"""Cold-start benchmark: how long each Cloud Function takes to import its entry module.

What: for every function in `shared.registry.FUNCTIONS`, a fresh interpreter imports the
function's entry module (what Cloud Functions does on a cold start) and reports, from inside
the child, the wall time of that import alone; the parent also records the whole process's
wall time (interpreter start-up, the import and shutdown) as a second figure. Two baselines
are measured the same way in the same run:

- `bare`: only `functions_framework` and a trivial function, the least any function pays;
- `floor`: `functions_framework`, `sqlalchemy.orm`, `pg8000`, `redis` and `pydantic`, the
  dependency floor every function of this project needs.

Why: a cold start is paid by the user whose request lands on a new instance, and import
time is most of it. The target is every function's median within 1.2x of the floor's, i.e.
an entry module imports its dependencies and little else; the heavy SDKs (Anthropic, Stripe,
Twilio, Pub/Sub, Cloud Tasks, pika) belong behind lazy imports in the code paths that use
them. The child lists which of those got imported so a regression names its culprit.

How: each repetition runs every target once, round-robin, starting from a different target
each time, so machine noise falls on all targets alike; a discarded warm-up round first
compiles every module into a bytecode cache of the benchmark's own (`bench/.work/pycache`,
so the result does not depend on `PYTHONDONTWRITEBYTECODE` or on which `.pyc` files happen
to exist) and warms the page cache. Figures are the median and p90 (nearest rank) of N
repetitions. A registered function whose module does not import is reported as failed (and
misses the target) rather than stopping the run. `--importtime` adds one `-X importtime` run
per target and lists the 10 top-level packages (first dotted component) costing the most
import time, next to what the floor pays for each.

Run from the project root: `python -m bench.cold_start` (`make bench`); it prints a table and
replaces its section of `bench/RESULTS.md` (`--no-write` to only print).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from string import Template

from shared.registry import FUNCTIONS

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RESULTS_PATH = PROJECT_ROOT / "bench" / "RESULTS.md"
WORK_DIR = PROJECT_ROOT / "bench" / ".work"  # git-ignored scratch space
PYCACHE_DIR = WORK_DIR / "pycache"  # the children's bytecode cache (PYTHONPYCACHEPREFIX)
NO_PYCACHE_DIR = WORK_DIR / "no-pycache"  # never written: forces compiling from source
RESULTS_TITLE = "# Benchmark results"
RESULTS_INTRO = (
    "Figures are measured on the CI machine (2 cores); ratios matter more than absolute times."
)
SECTION_HEADING = "## Cold start (import of each function's entry module)"

DEFAULT_RUNS = 15
TARGET_RATIO = 1.2
IMPORTTIME_TOP = 10
CHILD_TIMEOUT_SECONDS = 120.0

# Plain prefixes on purpose: "google.cloud.pubsub" also catches "google.cloud.pubsub_v1".
HEAVY_SDK_PREFIXES: tuple[str, ...] = (
    "anthropic",
    "stripe",
    "twilio",
    "google.cloud.pubsub",
    "google.cloud.tasks",
    "pika",
)

BYTECODE_NOTE = {
    True: "cached (the warm-up round compiles; measured runs load .pyc, as a deployment does)",
    False: "none (every import compiles from source)",
}

BARE_NAME = "bare"
FLOOR_NAME = "floor"

# The least any Cloud Function pays: the framework and one trivial function.
BARE_BODY = """\
import functions_framework

@functions_framework.http
def handler(request):
    return "ok"
"""

# The dependency floor of this project: the bare function plus what every function needs.
FLOOR_BODY = (
    BARE_BODY
    + """\
import sqlalchemy.orm
import pg8000
import redis
from pydantic import BaseModel  # what using pydantic costs (plain `import pydantic` is lazy)
"""
)

# The child program: times `$body` from inside the interpreter (so start-up is excluded),
# then, outside the timed span, counts the modules of each heavy SDK that got imported.
CHILD_TEMPLATE = Template("""\
import time
_bench_t0 = time.perf_counter()
$body
_bench_seconds = time.perf_counter() - _bench_t0
import json as _bench_json
import sys as _bench_sys
_bench_names = list(_bench_sys.modules)
_bench_heavy = {}
for _bench_prefix in $prefixes:
    _bench_count = sum(1 for _n in _bench_names if _n.startswith(_bench_prefix))
    if _bench_count:
        _bench_heavy[_bench_prefix] = _bench_count
print(_bench_json.dumps({"seconds": _bench_seconds, "heavy": _bench_heavy}))
""")


@dataclass(frozen=True)
class Target:
    """One thing to cold-start: a function's entry module or a baseline."""

    name: str
    body: str
    is_function: bool

    @property
    def program(self) -> str:
        return CHILD_TEMPLATE.substitute(body=self.body, prefixes=repr(HEAVY_SDK_PREFIXES))


@dataclass(frozen=True)
class Sample:
    """One cold start: the import as timed in the child, the process as timed by the parent."""

    import_seconds: float
    process_seconds: float
    heavy: dict[str, int]


@dataclass(frozen=True)
class PackageCost:
    """Import time (sum of `-X importtime` self times) of one top-level package."""

    package: str
    self_ms: float
    modules: int


@dataclass(frozen=True)
class Summary:
    target: Target
    median_ms: float
    p90_ms: float
    process_median_ms: float
    ratio_to_floor: float
    heavy: dict[str, int]
    importtime: list[PackageCost] = field(default_factory=list)

    @property
    def meets_target(self) -> bool:
        return self.ratio_to_floor <= TARGET_RATIO


# --- targets and child processes -------------------------------------------------------


def build_targets() -> list[Target]:
    """The baselines, then every registered function's entry module."""
    baselines = [
        Target(BARE_NAME, BARE_BODY, is_function=False),
        Target(FLOOR_NAME, FLOOR_BODY, is_function=False),
    ]
    # The Cloud Functions runtime imports functions_framework before the entry module, so
    # each function is timed with it too, exactly like the baselines.
    functions = [
        Target(spec.name, f"import functions_framework\nimport {spec.module}", is_function=True)
        for spec in FUNCTIONS
    ]
    return baselines + functions


def child_environment(bytecode_cache: bool) -> dict[str, str]:
    """The children's environment, with a bytecode cache of their own or with none.

    With the cache (the default), the warm-up round compiles every module once into
    `bench/.work/pycache` and the measured runs load bytecode, as a deployed function does
    with its pip-installed (precompiled) dependencies; the source tree and the virtualenv
    are left untouched, whatever `PYTHONDONTWRITEBYTECODE` says. Without it, every import
    compiles from source, which mostly measures the size of the source imported.
    """
    env = dict(os.environ)
    if bytecode_cache:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(PYCACHE_DIR)
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env["PYTHONPYCACHEPREFIX"] = str(NO_PYCACHE_DIR)
    return env


class ChildFailedError(RuntimeError):
    """A child exited with an error, e.g. an entry module that does not import."""

    def __init__(self, stderr: str) -> None:
        lines = stderr.strip().splitlines()
        self.reason = lines[-1] if lines else "no output"
        super().__init__(stderr.strip())


def run_child(
    program: str, env: dict[str, str], extra_args: Sequence[str] = ()
) -> subprocess.CompletedProcess[str]:
    """Run `program` in a fresh interpreter from the project root (so `functions` imports)."""
    command = [sys.executable, *extra_args, "-c", program]
    result = subprocess.run(
        command,
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT_SECONDS,
        check=False,
    )
    if result.returncode != 0:
        raise ChildFailedError(result.stderr)
    return result


def parse_child_output(stdout: str) -> tuple[float, dict[str, int]]:
    """The child's report is its last line of output (an import may print before it)."""
    report = json.loads(stdout.strip().splitlines()[-1])
    heavy = {str(name): int(count) for name, count in report["heavy"].items()}
    return float(report["seconds"]), heavy


def sample(target: Target, env: dict[str, str]) -> Sample:
    started = time.perf_counter()
    result = run_child(target.program, env)
    process_seconds = time.perf_counter() - started
    import_seconds, heavy = parse_child_output(result.stdout)
    return Sample(import_seconds, process_seconds, heavy)


def rotated(targets: Sequence[Target], start: int) -> list[Target]:
    """The targets in order, beginning at index `start` (so no target is always first)."""
    offset = start % len(targets)
    return [*targets[offset:], *targets[:offset]]


def sample_or_fail(target: Target, env: dict[str, str], failures: dict[str, str]) -> Sample | None:
    """One sample, or None with the reason recorded when a function does not import.

    A baseline that fails is a broken environment, so that error propagates.
    """
    try:
        return sample(target, env)
    except ChildFailedError as error:
        if not target.is_function:
            raise
        failures[target.name] = error.reason
        progress(f"{target.name}: import failed: {error.reason}")
        return None


def measure(
    targets: Sequence[Target], runs: int, env: dict[str, str]
) -> tuple[dict[str, list[Sample]], dict[str, str]]:
    """`runs` round-robin repetitions over all targets, after one discarded warm-up round.

    Returns the samples of the targets that imported every time and, for the functions that
    did not (another engineer's half-written function, say), why.
    """
    failures: dict[str, str] = {}
    active = [t for t in targets if sample_or_fail(t, env, failures) is not None]
    samples: dict[str, list[Sample]] = {target.name: [] for target in active}
    for repetition in range(runs):
        for target in rotated(active, repetition):
            if target.name in failures:
                continue
            one = sample_or_fail(target, env, failures)
            if one is not None:
                samples[target.name].append(one)
        progress(f"repetition {repetition + 1}/{runs} done")
    return {name: taken for name, taken in samples.items() if name not in failures}, failures


def progress(message: str) -> None:
    print(f"[cold_start] {message}", file=sys.stderr, flush=True)


# --- -X importtime ---------------------------------------------------------------------


def parse_importtime(stderr: str) -> list[tuple[str, int]]:
    """(module, self time in microseconds) for each line of `-X importtime` output."""
    entries: list[tuple[str, int]] = []
    for line in stderr.splitlines():
        if not line.startswith("import time:"):
            continue
        fields = line.removeprefix("import time:").split("|")
        if len(fields) != 3 or not fields[0].strip().isdigit():
            continue  # the header line
        entries.append((fields[2].strip(), int(fields[0])))
    return entries


def package_costs(entries: Iterable[tuple[str, int]]) -> list[PackageCost]:
    """Self times summed by top-level package, most expensive first."""
    totals: dict[str, int] = {}
    counts: dict[str, int] = {}
    for module, self_us in entries:
        package = module.split(".", 1)[0]
        totals[package] = totals.get(package, 0) + self_us
        counts[package] = counts.get(package, 0) + 1
    costs = [PackageCost(name, totals[name] / 1000, counts[name]) for name in totals]
    return sorted(costs, key=lambda cost: cost.self_ms, reverse=True)


def importtime(target: Target, env: dict[str, str]) -> list[PackageCost]:
    result = run_child(target.program, env, extra_args=("-X", "importtime"))
    return package_costs(parse_importtime(result.stderr))


# --- statistics ------------------------------------------------------------------------


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile: the smallest value with `fraction` of the values at or below."""
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def merged_heavy(samples: Iterable[Sample]) -> dict[str, int]:
    """Every heavy SDK seen in any run, with the most modules seen (runs should agree)."""
    heavy: dict[str, int] = {}
    for one in samples:
        for prefix, count in one.heavy.items():
            heavy[prefix] = max(count, heavy.get(prefix, 0))
    return heavy


def summarise(targets: Sequence[Target], samples: dict[str, list[Sample]]) -> list[Summary]:
    floor_ms = statistics.median(s.import_seconds for s in samples[FLOOR_NAME]) * 1000
    summaries = []
    for target in targets:
        runs = samples[target.name]
        imports_ms = [s.import_seconds * 1000 for s in runs]
        median_ms = statistics.median(imports_ms)
        summaries.append(
            Summary(
                target=target,
                median_ms=median_ms,
                p90_ms=percentile(imports_ms, 0.9),
                process_median_ms=statistics.median(s.process_seconds * 1000 for s in runs),
                ratio_to_floor=median_ms / floor_ms,
                heavy=merged_heavy(runs),
            )
        )
    return summaries


# --- machine facts ---------------------------------------------------------------------


def cpu_count() -> int:
    """What `nproc` prints: the CPUs this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 0


def proc_field(path: str, key: str) -> str | None:
    """The value of `key: value` in a /proc file, or None where there is no such file."""
    try:
        lines = Path(path).read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        name, _, value = line.partition(":")
        if name.strip() == key:
            return value.strip()
    return None


def total_memory() -> str:
    value = proc_field("/proc/meminfo", "MemTotal")  # "24684092 kB"
    if value is None:
        return "unknown"
    kib = int(value.split()[0])
    return f"{kib / 1024 / 1024:.1f} GiB"


def machine_facts() -> dict[str, str]:
    return {
        "nproc": str(cpu_count()),
        "memory": total_memory(),
        "cpu": proc_field("/proc/cpuinfo", "model name") or platform.processor() or "unknown",
        "python": f"{platform.python_version()} ({platform.python_implementation()})",
    }


# --- reporting -------------------------------------------------------------------------


def heavy_cell(heavy: dict[str, int]) -> str:
    if not heavy:
        return "none"
    return ", ".join(f"{prefix} ({count} modules)" for prefix, count in sorted(heavy.items()))


def failure_row(name: str, reason: str) -> list[str]:
    reason = reason.replace("|", "\\|")  # keep the Markdown table's columns
    return [name, "-", "-", "-", "-", "-", f"no (import failed: {reason})"]


def table_rows(summaries: Sequence[Summary], failures: dict[str, str]) -> list[list[str]]:
    header = [
        "target",
        "median ms",
        "p90 ms",
        "process wall median ms",
        "ratio to floor",
        "heavy SDKs imported",
        "meets target",
    ]
    rows = [header]
    for summary in summaries:
        meets = "yes" if summary.meets_target else "no"
        rows.append(
            [
                summary.target.name if summary.target.is_function else f"({summary.target.name})",
                f"{summary.median_ms:.0f}",
                f"{summary.p90_ms:.0f}",
                f"{summary.process_median_ms:.0f}",
                f"{summary.ratio_to_floor:.2f}x",
                heavy_cell(summary.heavy),
                meets if summary.target.is_function else "-",
            ]
        )
    rows += [failure_row(name, reason) for name, reason in failures.items()]
    return rows


def markdown_table(rows: Sequence[Sequence[str]]) -> list[str]:
    """A Markdown table with padded columns, so it reads as well in a terminal."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    numeric = {1, 2, 3, 4}  # the figures, right-aligned

    def line(cells: Sequence[str]) -> str:
        padded = [
            cell.rjust(widths[i]) if i in numeric else cell.ljust(widths[i])
            for i, cell in enumerate(cells)
        ]
        return "| " + " | ".join(padded) + " |"

    rule = [("-" * (w - 1) + ":") if i in numeric else "-" * w for i, w in enumerate(widths)]
    return [line(rows[0]), line(rule), *(line(row) for row in rows[1:])]


def verdict(summaries: Sequence[Summary], failures: dict[str, str]) -> str:
    functions = [s for s in summaries if s.target.is_function]
    missed = [s for s in functions if not s.meets_target]
    heavy = [s for s in functions if s.heavy]
    problems = [f"{s.target.name} ({s.ratio_to_floor:.2f}x)" for s in missed]
    problems += [f"{name} (import failed)" for name in failures]
    if problems:
        text = f"Target missed: {', '.join(problems)}; target {TARGET_RATIO}x of the floor."
    elif functions:
        worst = max(functions, key=lambda s: s.ratio_to_floor)
        text = (
            f"Target met: every function within {TARGET_RATIO}x of the floor "
            f"(worst: {worst.target.name} at {worst.ratio_to_floor:.2f}x)."
        )
    else:
        text = "No function registered."
    if heavy:
        return text + " Heavy SDKs imported by: " + ", ".join(s.target.name for s in heavy) + "."
    return text + " No heavy SDK imported at start."


def cost_text(cost: PackageCost, floor_ms: dict[str, float] | None) -> str:
    """`sqlalchemy 223 ms (floor 173)`; without `floor_ms` (a baseline), no comparison."""
    text = f"{cost.package} {cost.self_ms:.0f} ms"
    if floor_ms is None:
        return text
    if cost.package not in floor_ms:
        return f"{text} (not in floor)"
    return f"{text} (floor {floor_ms[cost.package]:.0f})"


def importtime_lines(summaries: Sequence[Summary]) -> list[str]:
    """Per target, the top-level packages costing most, next to what the floor pays for them."""
    floor = next(s for s in summaries if s.target.name == FLOOR_NAME)
    floor_ms = {cost.package: cost.self_ms for cost in floor.importtime}
    lines = [
        f"### Top {IMPORTTIME_TOP} top-level packages by import time (`-X importtime`, one run)",
        "",
        "Self times of a package's modules, summed; `-X importtime` inflates them. "
        "In brackets, what the floor pays for the same package.",
        "",
    ]
    for summary in summaries:
        compare = floor_ms if summary.target.is_function else None
        costs = ", ".join(cost_text(c, compare) for c in summary.importtime[:IMPORTTIME_TOP])
        lines.append(f"- {summary.target.name}: {costs}")
    return lines


def command_line(argv: Sequence[str]) -> str:
    """The command as typed from the project root, e.g. `.venv/bin/python -m bench.cold_start`."""
    executable = Path(sys.executable)
    if executable.is_relative_to(PROJECT_ROOT):
        python = str(executable.relative_to(PROJECT_ROOT))
    else:
        python = str(executable)
    return shlex.join([python, "-m", "bench.cold_start", *argv])


def render_section(
    summaries: Sequence[Summary],
    failures: dict[str, str],
    runs: int,
    argv: Sequence[str],
    bytecode_cache: bool,
) -> str:
    facts = machine_facts()
    lines = [
        SECTION_HEADING,
        "",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- Machine: nproc {facts['nproc']}, {facts['memory']} memory, CPU {facts['cpu']}",
        f"- Python: {facts['python']}",
        f"- Command (from the project root): `{command_line(argv)}`",
        f"- Runs per target (N): {runs}, round-robin across targets, after one warm-up round",
        f"- Bytecode: {BYTECODE_NOTE[bytecode_cache]}",
        "- Median and p90: import of the entry module timed inside a fresh interpreter; "
        "process wall: the whole child process (start-up, import, exit) timed by the parent",
        f"- Baselines: `({BARE_NAME})` is functions_framework and a trivial function; "
        f"`({FLOOR_NAME})` adds sqlalchemy.orm, pg8000, redis and pydantic",
        f"- Target: every function's median within {TARGET_RATIO}x of the floor's, "
        "and no heavy SDK (" + ", ".join(HEAVY_SDK_PREFIXES) + ") imported at start",
        "",
        *markdown_table(table_rows(summaries, failures)),
        "",
        f"Verdict: {verdict(summaries, failures)}",
        "",
    ]
    if any(s.importtime for s in summaries):
        lines += [*importtime_lines(summaries), ""]
    return "\n".join(lines)


def replace_section(document: str, section: str) -> str:
    """`document` with its cold-start section replaced by `section` (appended if absent)."""
    lines = document.splitlines()
    try:
        start = lines.index(SECTION_HEADING)
    except ValueError:
        return document.rstrip("\n") + "\n\n" + section
    end = next(
        (i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")),
        len(lines),
    )
    before = "\n".join(lines[:start]).rstrip("\n")
    after = "\n".join(lines[end:])
    joined = before + "\n\n" + section
    return joined + ("\n" + after.rstrip("\n") + "\n" if after else "")


def write_results(path: Path, section: str) -> None:
    """Replace the section in `path` (created with a title if absent), atomically."""
    document = path.read_text() if path.exists() else f"{RESULTS_TITLE}\n\n{RESULTS_INTRO}\n"
    updated = replace_section(document, section)
    with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp") as tmp:
        tmp.write(updated)
    Path(tmp.name).replace(path)


# --- entry point -----------------------------------------------------------------------


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.cold_start",
        description="Cold-start import time of each Cloud Function against two baselines.",
    )
    parser.add_argument(
        "--runs",
        type=positive_int,
        default=DEFAULT_RUNS,
        metavar="N",
        help=f"repetitions per target (default {DEFAULT_RUNS})",
    )
    parser.add_argument(
        "--importtime",
        action="store_true",
        help="also run each target once with -X importtime and list its costliest packages",
    )
    parser.add_argument(
        "--bytecode-cache",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="let the children cache bytecode in bench/.work/pycache (default); with "
        "--no-bytecode-cache every import compiles from source",
    )
    parser.add_argument(
        "--write",
        action=argparse.BooleanOptionalAction,
        default=True,
        help=f"replace the cold-start section of {RESULTS_PATH.relative_to(PROJECT_ROOT)}",
    )
    return parser.parse_args(argv)


def with_importtime(summaries: Sequence[Summary], env: dict[str, str]) -> list[Summary]:
    """The summaries with one `-X importtime` run per target (after, not among, the timings)."""
    enriched = []
    for summary in summaries:
        progress(f"-X importtime: {summary.target.name}")
        enriched.append(replace(summary, importtime=importtime(summary.target, env)))
    return enriched


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(args_list)
    targets = build_targets()
    progress(f"{len(targets)} targets, {args.runs} runs each (plus one warm-up round)")
    env = child_environment(args.bytecode_cache)
    samples, failures = measure(targets, args.runs, env)
    summaries = summarise([t for t in targets if t.name in samples], samples)
    if args.importtime:
        summaries = with_importtime(summaries, env)
    section = render_section(summaries, failures, args.runs, args_list, args.bytecode_cache)
    print(section)
    if args.write:
        write_results(RESULTS_PATH, section)
        progress(f"wrote {RESULTS_PATH.relative_to(PROJECT_ROOT)}")
    return 0  # a report, not a gate: a missed target shows in the table and the verdict


if __name__ == "__main__":
    sys.exit(main())
