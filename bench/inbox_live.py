"""The live inbox's cost: 50 agents polling one workspace, and inbound-to-visible latency.

What: the platform as `make dev` runs it (`smsctl dev`: the gateway, the simulator provider,
the inline queue) in a subprocess on a scratch database, with one workspace holding
CONVERSATIONS conversations (and another workspace ten times bigger, so the index has to
pick the right rows). AGENTS simulated agents (threads, one HTTP client each) do what the
console does (features/conversations/hooks.ts `useLiveInbox`): every 1.5 s,
`GET /v1/conversations/changes?since=<cursor>` with `If-None-Match`; on a 200 they refetch
the list (`has_inbound=true`, 30 rows) and the counts.

Phases (same session, same server):
- idle: nobody writes; every poll should be a 304. Cost per poll = the gateway process's
  CPU (utime+stime from /proc, every thread: HTTP, auth, SQLAlchemy, pg8000) / polls, and
  PostgreSQL transactions per poll (pg_stat_database.xact_commit of the scratch database).
- naive baseline: the same agents refetch the list and the counts every 1.5 s instead (what
  polling without a change feed costs): the ratio is the point of the change feed.
- live: a contact writes in (POST /v1/simulator/inbound, the inbound webhook's processing)
  every 2 s; per agent and message, the time from the POST until that agent's list shows
  the new conversation: p50 / p95 (the bar: 3 s).

Statements per poll are counted in-process (an SQLAlchemy listener around
`service.changes`), and EXPLAIN (ANALYZE, BUFFERS) shows the plan of the poll's query.

Run from the project root: `python -m bench.inbox_live`; it prints a table and replaces the
"## Live inbox" section of bench/RESULTS.md (`--no-write` to only print).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from bench.pipeline import (
    command_line,
    database_url,
    machine_line,
    markdown_table,
    progress,
    scratch_database,
    write_block,
)

SECTION_HEADING = "## Live inbox"
REDIS_URL = os.environ.get("BENCH_INBOX_REDIS_URL", "redis://127.0.0.1:6379/4")
INTERVAL = 1.5  # the console's LIVE_INTERVAL_MS
PASSWORD = "bench-password-0123"  # noqa: S105 (a scratch account)
TICKS = os.sysconf("SC_CLK_TCK")


def _proc_cpu(pid: int) -> float:
    """utime + stime of a process (every thread), seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def _xacts(admin_url: str, database: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(admin_url)
    with engine.connect() as conn:
        conn.execute(text("select pg_stat_clear_snapshot()"))
        value = conn.scalar(
            text("select xact_commit + xact_rollback from pg_stat_database where datname = :d"),
            {"d": database},
        )
    engine.dispose()
    return int(value or 0)


def _seed(tenant_id: uuid.UUID, count: int) -> None:
    """`count` contacts, each with a conversation, activity spread over 30 days."""
    from sqlalchemy import insert

    from shared.contacts.models import Contact
    from shared.conversations.models import Conversation
    from shared.db.session import tenant_session

    now = datetime.now(UTC)
    for start in range(0, count, 2000):
        size = min(2000, count - start)
        contacts = [uuid.uuid4() for _ in range(size)]
        with tenant_session(tenant_id) as s:
            s.execute(
                insert(Contact),
                [
                    {
                        "id": cid,
                        "tenant_id": tenant_id,
                        "phone": f"+1312{(start + i) % 10_000_000:07d}",
                    }
                    for i, cid in enumerate(contacts)
                ],
            )
            s.execute(
                insert(Conversation),
                [
                    {
                        "tenant_id": tenant_id,
                        "contact_id": cid,
                        "last_message_at": now - timedelta(minutes=i),
                        "last_inbound_at": now - timedelta(minutes=i) if i % 2 else None,
                        "last_message_preview": "seeded",
                        "updated_at": now - timedelta(days=30) + timedelta(minutes=i % 40_000),
                    }
                    for i, cid in enumerate(contacts)
                ],
            )


class Agent(threading.Thread):
    def __init__(self, base: str, token: str, stop: threading.Event, mode: str) -> None:
        super().__init__(daemon=True)
        self.client = httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30
        )
        self.stop_event = stop
        self.mode = mode
        self.cursor: str | None = None
        self.etag: str | None = None
        self.polls = 0
        self.not_modified = 0
        self.refetches = 0
        self.seen: dict[str, float] = {}  # conversation id -> when its list showed it

    def refetch(self) -> None:
        self.refetches += 1
        page = self.client.get(
            "/v1/conversations",
            params={"has_inbound": "true", "status": "open", "limit": 30},
        ).json()
        self.client.get("/v1/conversations/counts", params={"has_inbound": "true"})
        at = time.perf_counter()
        for c in page["data"]:
            self.seen.setdefault(c["id"], at)

    def poll(self) -> None:
        headers = {"If-None-Match": self.etag} if self.etag else {}
        params = {"since": self.cursor} if self.cursor else {}
        r = self.client.get("/v1/conversations/changes", params=params, headers=headers)
        self.polls += 1
        if r.status_code == 304:
            self.not_modified += 1
            return
        r.raise_for_status()
        first = self.cursor is None
        self.cursor, self.etag = r.json()["cursor"], r.headers["ETag"]
        if not first:
            self.refetch()

    def run(self) -> None:
        time.sleep(INTERVAL * (hash(id(self)) % 1000) / 1000)  # spread the agents
        if self.mode == "live":
            self.refetch()
        while not self.stop_event.is_set():
            started = time.perf_counter()
            if self.mode == "naive":
                self.polls += 1
                self.refetch()
            else:
                self.poll()
            self.stop_event.wait(max(0.0, INTERVAL - (time.perf_counter() - started)))
        self.client.close()


def _phase(
    base: str, token: str, agents: int, seconds: float, mode: str, pid: int, db: tuple[str, str]
) -> tuple[list[Agent], float, int, float]:
    stop = threading.Event()
    crew = [Agent(base, token, stop, mode) for _ in range(agents)]
    for a in crew:
        a.start()
    time.sleep(INTERVAL * 2)  # everyone has their cursor
    cpu0, x0, t0 = _proc_cpu(pid), _xacts(*db), time.perf_counter()
    polls0 = sum(a.polls for a in crew)
    time.sleep(seconds)
    cpu, xacts = _proc_cpu(pid) - cpu0, _xacts(*db) - x0
    elapsed = time.perf_counter() - t0
    polls = sum(a.polls for a in crew) - polls0
    stop.set()
    for a in crew:
        a.join()
    return crew, cpu / max(polls, 1), xacts, polls / elapsed * 60 if elapsed else 0.0


def _statements_per_poll(tenant_id: uuid.UUID) -> tuple[int, str]:
    from sqlalchemy import event, text

    from shared.conversations import schemas, service
    from shared.db.engine import get_engine
    from shared.db.session import tenant_session
    from shared.tenancy.principal import Principal

    principal = Principal(tenant_id=tenant_id, role="member")
    cursor = service.changes(principal, schemas.ChangesQuery()).cursor
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement.split()[0].upper())

    engine = get_engine()
    event.listen(engine, "before_cursor_execute", count)
    try:
        service.changes(principal, schemas.ChangesQuery(since=cursor))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    since = datetime.now(UTC) - timedelta(seconds=30)
    with tenant_session(tenant_id) as s:
        plan = [
            row[0]
            for row in s.execute(
                text(
                    "explain (analyze, buffers, costs off, timing off) "
                    "select id, updated_at from conversations where tenant_id = :t "
                    "and updated_at > :since order by updated_at desc, id desc limit 101"
                ),
                {"t": tenant_id, "since": since},
            )
        ]
    scan = next((line.strip() for line in plan if "Index" in line), plan[0].strip())
    buffers = next((line.strip() for line in plan if "Buffers" in line), "")
    return len(seen), f"{scan}; {buffers}"


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--conversations", type=int, default=5000)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--messages", type=int, default=15)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    given = list(sys.argv[1:] if argv is None else argv)

    from bench.pipeline import ADMIN_URL

    with scratch_database(keep=False) as name:
        url = database_url(name)
        os.environ.update(
            DATABASE_URL=url,
            REDIS_URL=REDIS_URL,
            QUEUE_BACKEND="inline",
            ENVIRONMENT="local",
            LOG_LEVEL="WARNING",
        )
        from shared.db import migrate

        migrate.upgrade(url)
        port = 18000 + os.getpid() % 1000
        base = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "PUBLIC_BASE_URL": base,
            "APP_BASE_URL": base,
            "SIMULATOR_CALLBACK_DELAY_SECONDS": "0.05",
            "TWILIO_API_BASE": "",
        }
        server = subprocess.Popen(
            [sys.executable, "-m", "shared.cli", "dev", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("smsctl dev did not start")
                time.sleep(0.3)
            api = httpx.Client(base_url=base, timeout=30)
            email = f"bench-{uuid.uuid4().hex[:8]}@example.com"
            api.post(
                "/v1/auth/signup",
                json={"email": email, "password": PASSWORD, "name": "B", "workspace_name": "B"},
            )
            login = api.post("/v1/auth/login", json={"email": email, "password": PASSWORD}).json()
            token, tenant_id = login["access_token"], uuid.UUID(login["workspace"]["id"])
            auth = {"Authorization": f"Bearer {token}"}
            available = api.get("/v1/numbers/available?area_code=555", headers=auth).json()
            number = api.post(
                "/v1/numbers/purchase",
                json={"phone_number": available["data"][0]["phone_number"]},
                headers=auth,
            ).json()["phone_number"]
            progress(f"seeding {args.conversations} conversations (+10x in another workspace)")
            from shared.db.session import system_session
            from shared.tenancy.models import Tenant

            other = uuid.uuid4()
            with system_session() as s:
                s.add(Tenant(id=other, name="Other"))
            _seed(tenant_id, args.conversations)
            _seed(other, args.conversations * 10)
            statements, plan = _statements_per_poll(tenant_id)
            db = (ADMIN_URL, name)

            progress(f"idle: {args.agents} agents polling for {args.seconds:.0f} s")
            crew, idle_cpu, idle_x, idle_rate = _phase(
                base, token, args.agents, args.seconds, "idle", server.pid, db
            )
            idle_polls = sum(a.polls for a in crew)
            share_304 = sum(a.not_modified for a in crew) / max(idle_polls, 1)
            idle_x_per_poll = idle_x / max(idle_rate * args.seconds / 60, 1)

            progress("naive baseline: list + counts every 1.5 s")
            _, naive_cpu, naive_x, naive_rate = _phase(
                base, token, args.agents, args.seconds, "naive", server.pid, db
            )
            naive_x_per_poll = naive_x / max(naive_rate * args.seconds / 60, 1)

            progress(f"live: {args.messages} inbound messages, one every 2 s")
            stop = threading.Event()
            crew = [Agent(base, token, stop, "live") for _ in range(args.agents)]
            for a in crew:
                a.start()
            time.sleep(INTERVAL * 2)
            cpu0 = _proc_cpu(server.pid)
            polls0 = sum(a.polls for a in crew)
            t_start = time.perf_counter()
            sent: list[tuple[str, float]] = []
            for i in range(args.messages):
                phone = f"+1415{uuid.uuid4().int % 8_000_000 + 2_000_000}"
                t0 = time.perf_counter()
                r = api.post(
                    "/v1/simulator/inbound",
                    json={"from": phone, "to": number, "body": f"hello {i}"},
                    headers=auth,
                )
                r.raise_for_status()
                sent.append((r.json()["conversation_id"], t0))
                time.sleep(2.0)
            time.sleep(INTERVAL * 3)
            live_seconds = time.perf_counter() - t_start
            live_cpu = _proc_cpu(server.pid) - cpu0
            live_polls = sum(a.polls for a in crew) - polls0
            stop.set()
            for a in crew:
                a.join()
            latencies = [a.seen[cid] - t0 for cid, t0 in sent for a in crew if cid in a.seen]
            missed = len(sent) * len(crew) - len(latencies)
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()

    p50, p95 = _percentile(latencies, 0.5), _percentile(latencies, 0.95)
    rows = [
        ["metric", "value"],
        ["agents polling one workspace", str(args.agents)],
        ["conversations in the workspace (another: 10x)", str(args.conversations)],
        ["poll interval", f"{INTERVAL} s"],
        ["SQL statements per poll (in-process count)", str(statements)],
        ["plan of the poll's query", plan.replace("|", "/")],
        ["idle: polls per minute (all agents)", f"{idle_rate:,.0f}"],
        ["idle: share answered 304", f"{share_304:.1%}"],
        ["idle: PostgreSQL transactions per poll", f"{idle_x_per_poll:.2f}"],
        ["idle: gateway CPU per poll", f"{idle_cpu * 1000:.2f} ms"],
        ["naive (list + counts) CPU per poll", f"{naive_cpu * 1000:.2f} ms"],
        ["naive PostgreSQL transactions per poll", f"{naive_x_per_poll:.2f}"],
        ["ratio: naive / change feed (CPU per poll)", f"{naive_cpu / max(idle_cpu, 1e-9):.1f}x"],
        [
            "live: gateway CPU per second, 50 agents + 1 inbound / 2 s",
            f"{live_cpu / live_seconds * 1000:.0f} ms/s ({live_polls} polls)",
        ],
        ["live: inbound -> visible in an agent's list, p50", f"{p50 * 1000:.0f} ms"],
        ["live: inbound -> visible in an agent's list, p95", f"{p95 * 1000:.0f} ms"],
        ["live: (agent, message) pairs never seen", str(missed)],
    ]
    table = "\n".join(markdown_table(rows))
    print(table)
    if not args.no_write:
        intro = [
            "Cost of the console's live inbox (`bench/inbox_live.py`, see its docstring): "
            "agents poll `GET /v1/conversations/changes` with the previous cursor and ETag "
            "every 1.5 s; a 304 costs one index range scan of `ix_conversations_changes` "
            "(tenant_id, updated_at). CPU is the gateway process's (HTTP, auth, ORM, driver; "
            "PostgreSQL's server CPU is not in it, shared server). Other sessions share this "
            "machine.",
        ]
        body = "\n".join(
            [
                SECTION_HEADING,
                "",
                *intro,
                "",
                f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
                f"- Machine: {machine_line()}",
                f"- Command (from the project root): `{command_line('bench.inbox_live', given)}`",
                "",
                table,
            ]
        )
        write_block(SECTION_HEADING, [], None, body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
