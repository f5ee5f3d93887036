"""What billing adds to the send path: usage recorded in the send's own transactions.

What: the wall and CPU time of the two send-path transactions that now also write usage
records, for a batch of 200 messages each:
- `record_accepted` (the provider's ids; + one INSERT ... SELECT of the batch's usage);
- `apply_statuses` of 200 `delivered` callbacks (+ one INSERT ... SELECT that finds them
  recorded already: ON CONFLICT DO NOTHING).

Why: usage must be written with the state that causes it (billing exactness); the cost
of that must stay small against the send path's own work.

How: a scratch database (migrated) on the local PostgreSQL, Redis db 6 (or REDIS_URL).
Fresh messages in `sending` for every round; rounds alternate A (as shipped) and B (the
usage writes replaced by a no-op) so that a busy machine slows both alike; the ratio of
the medians A/B is the figure. Run from the project root:
`python -m bench.billing_usage [--rounds 40] [--no-write]`; it replaces its section of
`bench/RESULTS.md`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
RESULTS_PATH = PROJECT_ROOT / "bench" / "RESULTS.md"
SECTION_HEADING = "## Billing: usage written with the send's state"
DATABASE = "smsplat_bench_billing"
BATCH = 200
TARGET_RATIO = 1.25


def progress(message: str) -> None:
    print(f"[billing_usage] {message}", file=sys.stderr, flush=True)


def setup() -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    from sqlalchemy import create_engine, text

    from shared.db import migrate
    from tests import services

    admin = services.postgres_admin_url()
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{DATABASE}"'))
    engine.dispose()
    url = admin.rsplit("/", 1)[0] + f"/{DATABASE}"
    os.environ.update(
        DATABASE_URL=url, REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/6")
    )
    migrate.upgrade(url)
    tenant, contact, conversation = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO tenants (id, name) VALUES (:t, 'bench')"), {"t": tenant})
        conn.execute(
            text("INSERT INTO contacts (id, tenant_id, phone) VALUES (:c, :t, '+14155550100')"),
            {"c": contact, "t": tenant},
        )
        conn.execute(
            text(
                "INSERT INTO conversations (id, tenant_id, contact_id, status)"
                " VALUES (:v, :t, :c, 'open')"
            ),
            {"v": conversation, "t": tenant, "c": contact},
        )
    engine.dispose()
    return tenant, contact, conversation


def new_batch(tenant: uuid.UUID, contact: uuid.UUID, conversation: uuid.UUID) -> list[uuid.UUID]:
    from sqlalchemy import text

    from shared.db.session import system_session

    ids = [uuid.uuid4() for _ in range(BATCH)]
    with system_session() as s:
        s.execute(
            text(
                "INSERT INTO messages (id, tenant_id, conversation_id, contact_id, direction,"
                " sender_type, from_number, to_number, body, segments, encoding, status,"
                " provider, sending_at)"
                " SELECT id, :t, :v, :c, 'outbound', 'campaign', '+15555550100',"
                " '+14155550100', 'Hello there', 1, 'GSM-7', 'sending', 'twilio', now()"
                " FROM unnest(CAST(:ids AS uuid[])) AS id"
            ),
            {"t": tenant, "v": conversation, "c": contact, "ids": [str(i) for i in ids]},
        )
    return ids


def backends() -> list[int]:
    """PostgreSQL server processes of the scratch database (their CPU is the server's)."""
    from sqlalchemy import text

    from shared.db.session import system_session

    with system_session() as s:
        return [
            int(pid)
            for pid in s.scalars(
                text("SELECT pid FROM pg_stat_activity WHERE datname = :d"), {"d": DATABASE}
            )
        ]


def server_cpu_ms(pids: Sequence[int]) -> float:
    """User + system CPU of these local processes so far (/proc; clock-tick resolution)."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks * 1000 / os.sysconf("SC_CLK_TCK")


def timed(call: Callable[[], Any]) -> tuple[float, float, float]:
    pids = backends()
    server = server_cpu_ms(pids)
    wall, cpu = time.perf_counter(), time.thread_time()
    call()
    wall, cpu = (time.perf_counter() - wall) * 1000, (time.thread_time() - cpu) * 1000
    return wall, cpu, server_cpu_ms(pids) - server


def measure(rounds: int) -> dict[str, dict[str, list[float]]]:
    from shared.billing import usage
    from shared.messaging import delivery, webhooks
    from shared.messaging.delivery import Accepted

    tenant, contact, conversation = setup()
    shipped = (delivery.record_accepted_messages, webhooks.record_message_outcomes)
    results: dict[str, dict[str, list[float]]] = {
        f"{stage} {variant} {kind}": {"v": []}
        for stage in ("record_accepted", "apply_statuses")
        for variant in ("A", "B")
        for kind in ("wall", "cpu", "server")
    }
    for round_ in range(rounds + 2):  # two warm-up rounds
        for variant in ("A", "B") if round_ % 2 == 0 else ("B", "A"):
            if variant == "A":
                delivery.record_accepted_messages, webhooks.record_message_outcomes = shipped
            else:
                delivery.record_accepted_messages = lambda *a, **k: None  # type: ignore[assignment]
                webhooks.record_message_outcomes = lambda *a, **k: None  # type: ignore[assignment]
            ids = new_batch(tenant, contact, conversation)
            accepted = [Accepted(i, f"SM{i.hex}", 1, datetime.now(UTC)) for i in ids]
            rec = timed(lambda accepted=accepted: delivery.record_accepted(tenant, accepted))
            updates = [
                webhooks.StatusUpdate(tenant, i, f"SM{i.hex}", "delivered", None) for i in ids
            ]
            sts = timed(lambda updates=updates: webhooks.apply_statuses(updates))
            if round_ >= 2:
                for stage, (wall, cpu, server) in (
                    ("record_accepted", rec),
                    ("apply_statuses", sts),
                ):
                    results[f"{stage} {variant} wall"]["v"].append(wall)
                    results[f"{stage} {variant} cpu"]["v"].append(cpu)
                    results[f"{stage} {variant} server"]["v"].append(server)
        if round_ % 10 == 0:
            progress(f"round {round_}/{rounds + 2}")
    delivery.record_accepted_messages, webhooks.record_message_outcomes = shipped
    del usage
    from sqlalchemy import text

    from shared.db.session import system_session

    with system_session() as s:  # A wrote one usage record per message, B none
        written = int(s.scalar(text("SELECT count(*) FROM usage_records")) or 0)
    expected = (rounds + 2) * BATCH
    if written != expected:
        raise AssertionError(f"{written} usage records, expected {expected}")
    results["usage records"] = {"v": [float(written)]}
    return results


def report(results: dict[str, dict[str, list[float]]], rounds: int, argv: Sequence[str]) -> str:
    from bench.cold_start import machine_facts

    facts = machine_facts()
    rows = []
    verdicts = []
    for stage in ("record_accepted", "apply_statuses"):
        for kind, label in (
            ("wall", "wall, median"),
            ("cpu", "client CPU, median"),
            ("server", "PostgreSQL CPU, mean"),
        ):
            pick = statistics.fmean if kind == "server" else statistics.median
            a = pick(results[f"{stage} A {kind}"]["v"])
            b = pick(results[f"{stage} B {kind}"]["v"])
            ratio = a / b if b else float("nan")
            rows.append(
                f"| {stage} ({BATCH} messages) | {label} | {a:.1f} | {b:.1f} | {ratio:.2f}x |"
            )
            if kind == "server":
                verdicts.append((stage, ratio))
    met = all(r <= TARGET_RATIO for _, r in verdicts)
    command = " ".join([".venv/bin/python", "-m", "bench.billing_usage", *argv])
    return "\n".join(
        [
            SECTION_HEADING,
            "",
            f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
            f"- Machine: nproc {facts['nproc']}, {facts['memory']} memory, CPU {facts['cpu']}, "
            f"Python {facts['python']}; load average at the end "
            f"{os.getloadavg()[0]:.1f} (shared with other sessions)",
            f"- Command (from the project root): `{command}`",
            f"- {rounds} rounds, A and B alternating (ABBA...), after 2 warm-up rounds; "
            "a fresh batch of messages in `sending` each time; ms. PostgreSQL CPU: user + "
            "system time of the scratch database's server processes (/proc, 10 ms ticks, "
            "so a mean over the rounds): unlike wall time it does not grow with the load of "
            "other sessions on the machine",
            "- A: as shipped (the usage INSERT ... SELECT in the same transaction); "
            "B: the same transactions without it; checked: A wrote "
            f"{int(results['usage records']['v'][0]):,} usage records (one per message), B none",
            f"- Target: A within {TARGET_RATIO}x of B in PostgreSQL CPU (wall time on this "
            "shared machine is reported, not judged)",
            "",
            "| transaction | time | A ms | B ms | A/B |",
            "| --- | --- | ---: | ---: | ---: |",
            *rows,
            "",
            f"Verdict: {'met' if met else 'missed'} ("
            + ", ".join(f"{stage} {ratio:.2f}x" for stage, ratio in verdicts)
            + ").",
            "",
        ]
    )


def write_section(section: str) -> None:
    document = RESULTS_PATH.read_text()
    start = document.find(SECTION_HEADING)
    if start < 0:
        document = document.rstrip("\n") + "\n\n" + section
    else:
        following = document.find("\n## ", start + len(SECTION_HEADING))
        end = len(document) if following < 0 else following + 1
        document = document[:start] + section + ("\n" if following >= 0 else "") + document[end:]
    with tempfile.NamedTemporaryFile("w", dir=RESULTS_PATH.parent, delete=False) as tmp:
        tmp.write(document)
    Path(tmp.name).replace(RESULTS_PATH)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--no-write", action="store_true", help="do not touch RESULTS.md")
    args = parser.parse_args(argv)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    results = measure(args.rounds)
    section = report(results, args.rounds, argv)
    print(section)
    if not args.no_write:
        write_section(section)
        progress(f"wrote {RESULTS_PATH.relative_to(PROJECT_ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
