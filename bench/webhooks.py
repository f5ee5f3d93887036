"""Outgoing webhooks benchmark: deliveries per second to a fast local receiver, and the CPU
each delivered event costs.

What: internal events (`contact.opted_out`, each a distinct event for one contact) are
published on the inline queue (the local default, 32 worker threads); the webhook-fanout
consumer reads the contact as the API shows it and writes one delivery per endpoint; the
webhook-sender task signs each (Standard Webhooks), checks the address, POSTs it and
records the attempt. Timed from the first publish until every delivery has succeeded.
The receiver is a separate process (a threaded HTTP/1.1 server answering 200 at once), so
its CPU is not ours.

Floor, run in the same session against the same receiver: plain POSTs of the same body
from the same number of threads with one pooled httpx client (no database, no signing, no
queue): what the receiver and the loopback allow.

CPU per delivered event: getrusage of this process (every thread: queue, fan-out, sender,
PostgreSQL client side) over the timed span, divided by the deliveries; PostgreSQL's and
Redis's server CPU are not included (shared servers), which the table says.

Run from the project root: `python -m bench.webhooks`; it prints a table and replaces the
"## Outgoing webhooks" section of bench/RESULTS.md (`--no-write` to only print).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from bench.pipeline import (
    ADMIN_URL,
    command_line,
    machine_line,
    markdown_table,
    progress,
    write_block,
)

SECTION_HEADING = "## Outgoing webhooks"
REDIS_URL = os.environ.get("BENCH_WEBHOOKS_REDIS_URL", "redis://127.0.0.1:6379/7")
THREADS = 32  # the inline backend's worker pool

RECEIVER = """
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length") or 0))
        self.send_response(200)
        self.send_header("content-length", "2")
        self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *a):
        pass

ThreadingHTTPServer.request_queue_size = 256
server = ThreadingHTTPServer(("127.0.0.1", 0), H)
server.daemon_threads = True
print(server.server_address[1], flush=True)
server.serve_forever()
"""


def _cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def _database() -> tuple[str, str]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"bench_webhooks_{uuid.uuid4().hex[:8]}"
    engine = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    url = make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    return name, str(url)


def _drop(name: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def floor(url: str, count: int, body: bytes) -> float:
    """Plain POSTs per second from THREADS threads with one pooled client."""
    import httpx

    client = httpx.Client(limits=httpx.Limits(max_connections=THREADS))
    left = iter(range(count))
    lock = threading.Lock()

    def work() -> None:
        while True:
            with lock:
                if next(left, None) is None:
                    return
            client.post(url, content=body, headers={"content-type": "application/json"})

    started = time.perf_counter()
    threads = [threading.Thread(target=work) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    client.close()
    return count / elapsed


def run(url: str, events: int, endpoints: int) -> dict[str, float]:
    """Publish `events` internal events to a workspace with `endpoints` endpoints."""
    from sqlalchemy import func, select

    from shared.contacts.models import Contact
    from shared.db.session import system_session, tenant_session
    from shared.messaging.events import ContactOptedOut
    from shared.queue import get_backend, publish
    from shared.tenancy.models import Tenant
    from shared.tenancy.principal import Principal
    from shared.webhooks import schemas, service
    from shared.webhooks.models import WebhookDelivery

    tenant_id = uuid.uuid4()
    with system_session() as s:
        s.add(Tenant(id=tenant_id, name="Bench"))
    contact_id = uuid.uuid4()
    with tenant_session(tenant_id) as s:
        s.add(Contact(id=contact_id, tenant_id=tenant_id, phone="+13125550100"))
    owner = Principal(tenant_id=tenant_id, role="owner")
    for _ in range(endpoints):
        service.create_endpoint(owner, schemas.WebhookEndpointIn(url=url))
    expected = events * endpoints

    def done() -> int:
        with tenant_session(tenant_id) as s:
            return int(
                s.scalar(
                    select(func.count())
                    .select_from(WebhookDelivery)
                    .where(WebhookDelivery.status == "succeeded")
                )
                or 0
            )

    get_backend()  # start the queue's threads before timing
    cpu0, t0 = _cpu(), time.perf_counter()
    for _ in range(events):
        publish(
            "contact.opted_out",
            ContactOptedOut(tenant_id=tenant_id, contact_id=contact_id, source="bench"),
        )
    while done() < expected:
        time.sleep(0.05)
        if time.perf_counter() - t0 > 600:
            raise SystemExit(f"stalled at {done()}/{expected}")
    elapsed = time.perf_counter() - t0
    cpu = _cpu() - cpu0
    return {
        "deliveries": expected,
        "seconds": elapsed,
        "per_second": expected / elapsed,
        "cpu_ms_per_delivery": cpu * 1000 / expected,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    given = list(sys.argv[1:] if argv is None else argv)

    receiver = subprocess.Popen([sys.executable, "-c", RECEIVER], stdout=subprocess.PIPE, text=True)
    assert receiver.stdout is not None
    port = int(receiver.stdout.readline())
    url = f"http://127.0.0.1:{port}/hooks"
    name, database_url = _database()
    os.environ.update(
        DATABASE_URL=database_url,
        REDIS_URL=REDIS_URL,
        QUEUE_BACKEND="inline",
        ENVIRONMENT="local",
        LOG_LEVEL="WARNING",
        WEBHOOK_MAX_IN_FLIGHT=str(THREADS),
    )
    started_at = datetime.now(UTC)
    try:
        from shared.db import migrate

        migrate.upgrade(database_url)
        progress("floor: plain POSTs")
        body = b'{"type":"contact.opted_out","timestamp":"2026-12-06T00:00:00Z","data":{}}' * 8
        floor_rate = floor(url, args.events, body)
        rows = []
        for endpoints in (1, 4):
            events = args.events // endpoints
            progress(f"{events} events x {endpoints} endpoint(s)")
            result = run(url, events, endpoints)
            rows.append((endpoints, events, result))
    finally:
        from shared.queue import set_backend

        set_backend(None)
        from shared.db.engine import reset_engine

        reset_engine()
        _drop(name)
        receiver.terminate()

    table = [
        [
            "endpoints",
            "events",
            "deliveries",
            "seconds",
            "deliveries/s",
            "vs floor",
            "CPU ms / delivery",
        ]
    ]
    for endpoints, events, r in rows:
        table.append(
            [
                str(endpoints),
                f"{events:,}",
                f"{int(r['deliveries']):,}",
                f"{r['seconds']:.1f}",
                f"{r['per_second']:.0f}",
                f"{r['per_second'] / floor_rate:.2f}x",
                f"{r['cpu_ms_per_delivery']:.2f}",
            ]
        )
    table.append(
        ["(floor: plain POSTs)", "-", f"{args.events:,}", "-", f"{floor_rate:.0f}", "1.00x", "-"]
    )
    intro = [
        f"- Date: {started_at:%Y-%m-%d %H:%M} UTC",
        f"- Machine: {machine_line()}",
        f"- Command (from the project root): `{command_line('bench.webhooks', given)}`",
        "- Path: publish `contact.opted_out` (inline queue, 32 threads) -> webhook-fanout "
        "(reads the contact, writes deliveries) -> webhook-sender (sign, SSRF check, POST, "
        "record the attempt) -> a local receiver in another process answering 200",
        f"- Database pool: DB_POOL_SIZE={os.environ.get('DB_POOL_SIZE', '5 (default)')} "
        f"connections for the {THREADS} queue threads; load average at start "
        f"{os.getloadavg()[0]:.1f} (a shared 2-core machine)",
        "- CPU: getrusage of this process over the run (PostgreSQL and Redis servers not "
        "included: shared servers on this machine)",
        "",
    ]
    one = rows[0][2]
    verdict = (
        f"Verdict: {one['per_second']:.0f} deliveries/s to one endpoint, "
        f"{one['per_second'] / floor_rate:.2f}x the floor of plain POSTs "
        f"({floor_rate:.0f}/s); {one['cpu_ms_per_delivery']:.2f} ms of CPU per delivered event."
    )
    note = (
        "No target is set for this (issue #17 asks for the figures). Per delivery the work is "
        "about four database transactions (fan-out: the endpoints read, the object read "
        "through the API's own serializer, the delivery insert; send: the claim read and the "
        "attempt record), two Redis calls (the per-endpoint in-flight lease) and the POST; "
        "the floor has none of these. Several endpoints share one fan-out per event, hence "
        "the cheaper deliveries with 4. Figures taken under the load average shown (other "
        "sessions' test suites on the same 2 cores): read them as lower bounds."
    )
    body = "\n".join(
        [
            SECTION_HEADING,
            "",
            *intro,
            *markdown_table(table, numeric={1, 2, 3, 4, 5, 6}),
            "",
            verdict,
            "",
            note,
        ]
    )
    print(body)
    if not args.no_write:
        write_block(SECTION_HEADING, [], None, body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
