"""Campaign engine at scale: a campaign over several sender and webhook processes.

What: one campaign end to end as it is deployed, every part a process of its own: the
senders (2 or more queue workers: fan-out, batches, provider calls), the webhook handlers
(2 or more gateway processes taking the status callbacks), and the fake Twilio (asyncio,
tests/fakes/twilio_fast.py, spreading its callbacks over the webhook processes like a
load balancer). The API (signup, launch) runs in this process; it does no campaign work.
Scenarios:

- `throughput` (default 100,000 contacts, 200 DIDs at 10 MPS): completes? every contact
  exactly one provider request, every message `delivered`, every callback answered 2xx;
  sustained rate; CPU per message of the senders and per callback of the webhook
  processes, each beside its floor measured in the same run; peak RSS and threads of
  every process; the longest interval with no delivery and the p99 lateness of provider
  calls after their slot;
- `exactness` (2,000 contacts, 20 DIDs at 1 MPS, every 4th message 2 segments): from the
  fake's log, no DID over its MPS in any 1 s window (each message's segments spread at
  its DID's rate) and the share of the pool's capacity used over the steady window;
- `overload` (throughput, with each webhook process limited to `--webhook-rate`
  callbacks a second): the campaign must still complete, with bounded queues (the
  fake's callbacks waiting, peak) and no timed-out callback: the senders slow down.

Floors (same run, after the campaign): the sender's, a bare `http.client` loop posting the
same form over one keep-alive connection to the same fake (CPU per request, getrusage of
its process); the webhook's, a bare WSGI handler that only verifies the Twilio signature,
served by the gateway's own server class, taking callbacks posted by the same fake (CPU
per callback, /proc of its process).

CPU of each process: utime + stime from /proc/<pid>/stat (what getrusage(RUSAGE_SELF)
returns inside it), before the launch and after the last delivery. Peak RSS: VmHWM; threads:
the most seen by a 1 s poll.

Run from the project root: `python -m bench.scale` (see --help). RabbitMQ backend (the
default): the senders are `smsctl worker`-like processes (the project's RabbitWorker,
concurrency 8). `--backend pubsub`: the Pub/Sub emulator and the fake Cloud Tasks push to
the senders, gateways serving /_functions/<name> as each function's service is in GCP.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import logging
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

from bench import pipeline as pl

SECTION_HEADING = "## Campaign engine at scale"
FLOOR_REQUESTS = 3000
SCENARIOS: dict[str, dict[str, float]] = {
    "throughput": {"contacts": 100_000, "dids": 200, "mps": 10.0, "long_every": 0},
    "exactness": {"contacts": 2_000, "dids": 20, "mps": 1.0, "long_every": 4},
    "overload": {"contacts": 100_000, "dids": 200, "mps": 10.0, "long_every": 0},
}
TARGET_SENDER_CPU_MS = 1.0
TARGET_WEBHOOK_CPU_MS = 1.0
TARGET_FLOOR_RATIO = 2.0
TARGET_STALL_SECONDS = 1.0


def progress(message: str) -> None:
    print(f"[scale] {message}", file=sys.stderr, flush=True)


# --- child process roles ---------------------------------------------------------------


def serve_fake(callback_delay: float, upstreams: str) -> int:
    """The fake Twilio: an asyncio loop in the main thread, commands on stdin (a thread)."""
    from tests.fakes.twilio_fast import FastFakeTwilio

    ports = [("127.0.0.1", int(p)) for p in upstreams.split(",") if p]
    fake = FastFakeTwilio(callback_delay=callback_delay, upstreams=ports)
    loop = asyncio.new_event_loop()
    server = loop.run_until_complete(fake.serve())
    port = server.sockets[0].getsockname()[1]
    stop = threading.Event()

    def reply(**values: Any) -> None:
        print(json.dumps(values), flush=True)

    def commands() -> None:
        for line in sys.stdin:
            command = json.loads(line)
            op = command["op"]
            if op == "account":
                loop.call_soon_threadsafe(fake.add_account, command["sid"], command["token"])
                reply(ok=True)
            elif op == "own":
                reply(ok=True)
            elif op == "usage":
                reply(**asyncio.run_coroutine_threadsafe(_usage(fake), loop).result())
            elif op == "dump":
                records = asyncio.run_coroutine_threadsafe(_accepted(fake), loop).result()
                Path(command["path"]).write_text(json.dumps(records))
                reply(messages=len(records))
            elif op == "floor_callbacks":
                future = asyncio.run_coroutine_threadsafe(
                    _floor_callbacks(fake, command["url"], command["port"], command["count"]),
                    loop,
                )
                reply(**future.result())
            elif op == "stop":
                reply(ok=True)
                break
        stop.set()
        loop.call_soon_threadsafe(loop.stop)

    threading.Thread(target=commands, daemon=True).start()
    reply(base_url=f"http://127.0.0.1:{port}", pid=os.getpid())
    loop.run_forever()
    pending = asyncio.all_tasks(loop)  # callback workers, connections: ended quietly
    for task in pending:
        task.cancel()
    loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    return 0


async def _usage(fake: Any) -> dict[str, Any]:
    return dict(fake.usage())


async def _accepted(fake: Any) -> list[tuple[float, str, int, str]]:
    return list(fake.accepted)


async def _floor_callbacks(fake: Any, url: str, port: int, count: int) -> dict[str, Any]:
    """Post `count` signed callbacks to the floor's server, as many at once as the fake's
    connections to one upstream, and say how many were answered 2xx."""
    from tests.fakes.twilio_fast import CALLBACK_CONNECTIONS

    account = next(iter(fake.accounts))
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(count):
        queue.put_nowait(i)
    answered = 0

    async def worker() -> None:
        nonlocal answered
        conn = None
        while not queue.empty():
            i = queue.get_nowait()
            params = {
                "MessageSid": f"SM{i:032x}",
                "SmsSid": f"SM{i:032x}",
                "MessageStatus": "delivered",
                "SmsStatus": "delivered",
                "To": "+14155550100",
                "From": "+12125550100",
                "AccountSid": account,
                "ApiVersion": "2010-04-01",
            }
            conn, status = await fake._post(conn, ("127.0.0.1", port), url, params, account)
            answered += 200 <= status < 300

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CALLBACK_CONNECTIONS)))
    return {"answered": answered, "seconds": time.perf_counter() - started}


def serve_webhooks(port: int, rate: float) -> int:
    """A gateway process for the status callbacks; `rate` > 0: at most that many requests a
    second (the overload scenario's deliberately slow webhook side)."""
    from shared.platform.gateway import serve

    server = serve("127.0.0.1", port)
    if rate > 0:
        app = server.app
        lock = threading.Lock()
        interval = 1.0 / rate
        next_at = [time.monotonic()]

        def limited(environ: Any, start_response: Any) -> Any:
            with lock:
                at = max(next_at[0], time.monotonic())
                next_at[0] = at + interval
            delay = at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            return app(environ, start_response)

        server.app = limited
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    server.serve_forever()
    return 0


LATENESS: list[float] = []
# Per provider call: its raw `To` (form-encoded), its DID's guard key and the spacing its
# segments need there (ms), the guard's Redis `TIME` (s) and this thread's clock right
# before the request is written: whether the guard itself kept the spacing, and where the
# time between the guard and the fake's timestamp goes (the sender's side, or the fake's).
WIRE: list[tuple[str, str, float, float, float]] = []
GUARD_WAITS: list[int] = []  # one per guard call that said wait
BUSY: dict[str, int] = {}  # batches sent back to come later, by cause
_GUARDED = threading.local()
_TO = re.compile(rb"(?:^|&)To=([^&]*)")


# The send path's functions (deployed, each is a service of its own): a sender process
# runs these; one "events" process runs every other consumer (the webhook fan-out of each
# message's status events, ...), as their own services would, and is reported apart.
SEND_PATH_FUNCTIONS = frozenset(
    {"campaign-launcher", "campaign-fanout", "campaign-sender", "send-worker"}
)


def _worker_targets(send_path: bool) -> tuple[list[tuple[str, str]], list[str]]:
    """(topic consumers, task queues) of the send path's functions, or of all others."""
    from shared.queue.topology import consumed_topics, task_queues
    from shared.registry import FUNCTIONS

    by_queue = {f.queue: f.name for f in FUNCTIONS if f.queue is not None}
    consumers = [
        (t, f)
        for t, fs in consumed_topics().items()
        for f in fs
        if (f in SEND_PATH_FUNCTIONS) == send_path
    ]
    queues = [q for q in task_queues() if (by_queue.get(q) in SEND_PATH_FUNCTIONS) == send_path]
    return consumers, queues


def _observe_lateness() -> None:
    """Record how late each provider call's guard runs after its slot (in LATENESS)."""
    from shared.messaging import throttle

    pace = throttle.pace

    from shared.providers.twilio import SendWire

    def observed(bucket: Any, cost: int, slot_ms: int = 0) -> Any:
        paced = pace(bucket, cost, slot_ms)
        if not paced.go:
            GUARD_WAITS.append(1)
        if paced.go:
            _GUARDED.at = (bucket.key, cost * bucket.interval_ms, paced.at)
            if slot_ms > 0:  # the request is written right after this
                LATENESS.append(paced.at * 1000 - slot_ms)
        return paced

    post = SendWire.post

    def timed_post(self: Any, form: bytes, guard: Any) -> Any:
        if guard is None:
            return post(self, form, guard)

        def timed_guard() -> bool:
            _GUARDED.at = None
            go = bool(guard())
            if go and _GUARDED.at is not None and (to := _TO.search(form)):
                WIRE.append((to.group(1).decode(), *_GUARDED.at, time.time()))
            return go

        return post(self, form, timed_guard)

    throttle.pace = observed  # type: ignore[assignment]
    SendWire.post = timed_post  # type: ignore[method-assign]

    from shared.campaigns import engine
    from shared.messaging.dispatcher import MAX_IN_FLIGHT, MAX_LAG_SECONDS, get_dispatcher

    come_back = engine._come_back_later

    def counted(batch: Any) -> None:
        d = get_dispatcher()
        ahead = d.planned_ahead() > throttle.BULK_HORIZON_MS / 1000
        why = (
            "in flight"
            if d._in_flight >= MAX_IN_FLIGHT
            else "lag"
            if d.lag_seconds() > MAX_LAG_SECONDS
            else "planned ahead"
            if ahead
            else "callbacks behind"
        )
        BUSY[why] = BUSY.get(why, 0) + 1
        come_back(batch)

    engine._come_back_later = counted


def serve_sender(out: str, concurrency: int, send_path: bool = True) -> int:
    """A sender: the project's RabbitMQ worker (as `smsctl worker`) for the send path's
    functions, recording how late each provider call's guard ran after its slot; on
    SIGTERM it stops and writes that. With `send_path` False: every other function."""
    from shared.queue import RegistryDispatcher, set_backend
    from shared.queue.rabbitmq import RabbitWorker

    _observe_lateness()
    consumers, queues = _worker_targets(send_path)
    consumer = RabbitWorker(
        RegistryDispatcher(), consumers=consumers, queues=queues, concurrency=concurrency
    )
    signal.signal(signal.SIGTERM, lambda *_: consumer.stop(timeout=0))
    thread = consumer.start_in_thread()
    while thread.is_alive():
        thread.join(0.5)
    consumer.stop()
    set_backend(None)
    _write_dump(out)
    return 0


def serve_functions(out: str, port: int) -> int:
    """A sender on Pub/Sub + Cloud Tasks: the gateway serving /_functions/<name>, pushed to
    by the emulator and the fake Cloud Tasks as each function's service is in GCP. Every
    sender process listens on the same port (SO_REUSEPORT: the kernel spreads the
    connections over them, as the front end spreads requests over instances)."""
    from shared.platform import gateway
    from shared.queue import set_backend

    class Shared(gateway._Server):
        allow_reuse_port = True

    _observe_lateness()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # as gateway.serve
    server = Shared("127.0.0.1", port, gateway.Gateway(), handler=gateway._Handler)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    server.serve_forever()
    set_backend(None)
    _write_dump(out)
    return 0


def _write_dump(out: str) -> None:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    Path(out).write_text(
        json.dumps(
            {
                "lateness_ms": LATENESS,
                "wire": WIRE,
                "guard_waits": len(GUARD_WAITS),
                "busy": BUSY,
                "cpu": ru.ru_utime + ru.ru_stime,
                "rss_peak_kb": ru.ru_maxrss,
            }
        )
    )


def floor_sender(base_url: str, sid: str, token: str, count: int) -> int:
    """The sender's floor: a bare http.client loop posting the campaign's form to the fake
    over one keep-alive connection. Prints its CPU per request (getrusage)."""
    import base64
    import http.client
    from urllib.parse import urlencode, urlsplit

    target = urlsplit(base_url)
    conn = http.client.HTTPConnection(target.hostname or "", target.port)
    auth = base64.b64encode(f"{sid}:{token}".encode()).decode()
    headers = {
        "Authorization": f"Basic {auth}",
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/json",
        "X-Bench-Floor": "1",
    }
    path = f"/2010-04-01/Accounts/{sid}/Messages.json"
    body = pl.BODY.replace("{{first_name|there}}", "Ann12345").replace(
        "{{workspace.name}}", "Bench Bikes"
    )
    before = resource.getrusage(resource.RUSAGE_SELF)
    ok = 0
    for i in range(count):
        form = urlencode(
            {
                "To": f"+1415{2000000 + i}",
                "Body": body,
                "From": "+12122000001",
                "StatusCallback": f"http://127.0.0.1:1/webhooks/twilio/status?m={uuid.uuid4()}",
            }
        )
        conn.request("POST", path, body=form, headers=headers)
        response = conn.getresponse()
        json.loads(response.read())
        ok += response.status == 201
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    print(json.dumps({"cpu_ms": cpu / count * 1000, "ok": ok}))
    return 0


def serve_floor_webhook(port: int, token: str, public_base: str) -> int:
    """The webhook's floor: a bare WSGI handler that only verifies the Twilio signature,
    on the gateway's own server class (same threads, same listen backlog)."""
    import logging
    from urllib.parse import parse_qsl

    from twilio.request_validator import RequestValidator

    from shared.platform.gateway import _Handler, _Server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # as the gateway: no access log
    validator = RequestValidator(token)
    twiml = b'<?xml version="1.0" encoding="UTF-8"?><Response></Response>'

    def app(environ: Any, start_response: Any) -> list[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        params = dict(parse_qsl(environ["wsgi.input"].read(length).decode()))
        query = environ.get("QUERY_STRING", "")
        url = public_base + environ["PATH_INFO"] + (f"?{query}" if query else "")
        valid = validator.validate(url, params, environ.get("HTTP_X_TWILIO_SIGNATURE", ""))
        start_response("200 OK" if valid else "403 Forbidden", [("Content-Type", "text/xml")])
        return [twiml]

    server = _Server("127.0.0.1", port, app, handler=_Handler)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    server.serve_forever()
    return 0


# --- the parent: processes and their /proc figures ------------------------------------


def proc_cpu(pid: int) -> float:
    found = pl._proc_cpu(pid)
    return found[1] if found else 0.0


def proc_status(pid: int) -> tuple[int, int]:
    """(VmHWM kB, threads) of a live process, (0, 0) once it is gone."""
    hwm = threads = 0
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                hwm = int(line.split()[1])
            elif line.startswith("Threads:"):
                threads = int(line.split()[1])
    except OSError:
        pass
    return hwm, threads


@dataclass
class Child:
    role: str
    proc: subprocess.Popen[Any]
    cpu0: float = 0.0
    cpu1: float = 0.0
    hwm_kb: int = 0
    threads: int = 0

    @property
    def pid(self) -> int:
        return self.proc.pid

    def sample(self) -> None:
        cpu = proc_cpu(self.pid)
        if cpu:
            self.cpu1 = cpu
        hwm, threads = proc_status(self.pid)
        self.hwm_kb = max(self.hwm_kb, hwm)
        self.threads = max(self.threads, threads)


def spawn(role: str, *args: str, stdin: bool = False) -> subprocess.Popen[Any]:
    return subprocess.Popen(
        [sys.executable, "-m", "bench.scale", f"--serve-{role}", *args],
        cwd=pl.PROJECT_ROOT,
        env=os.environ,
        stdin=subprocess.PIPE if stdin else None,
        stdout=subprocess.PIPE if stdin else None,
        text=True,
    )


class FakeProc(pl.FakeProcess):
    """The asyncio fake, driven like bench.pipeline's (so its workspace set-up applies)."""

    def __init__(self, callback_delay: float, upstreams: Sequence[int]) -> None:
        self.proc = spawn(
            "fake", str(callback_delay), ",".join(str(p) for p in upstreams), stdin=True
        )
        hello = self._read()
        self.base_url = str(hello["base_url"])
        self.pid = int(hello["pid"])
        self.accounts: list[tuple[str, str]] = []

    def call(self, op: str, **values: Any) -> dict[str, Any]:
        if op == "account":
            self.accounts.append((values["sid"], values["token"]))
        return super().call(op, **values)


def wait_http(url: str, seconds: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def stop(proc: subprocess.Popen[Any], timeout: float = 30) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(15)


# --- the run ---------------------------------------------------------------------------


@dataclass
class Config:
    scenario: str
    backend: str
    contacts: int
    dids: int
    mps: float
    long_every: int
    senders: int
    webhooks: int
    webhook_rate: float
    concurrency: int
    callback_delay: float
    timeout: float
    argv: tuple[str, ...]

    @property
    def capacity(self) -> float:
        return self.dids * self.mps


@dataclass
class Outcome:
    config: Config
    outcome: str
    audience: int
    statuses: dict[str, int]
    delivered: list[float]
    accepted: list[tuple[float, str, int]]
    did_mps: dict[str, float]
    children: list[Child]
    fake_usage: dict[str, Any]
    sender_dumps: list[dict[str, Any]]
    requests_per_contact: dict[int, int]
    floor_sender_ms: float
    floor_webhook_ms: float
    floor_webhook_answered: int
    machine_busy: float
    wall: float
    loads: tuple[str, str]
    others_cpu: float
    code: str
    launched_at: float
    awaiting_peak: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    # Per provider call (ms): the guard's TIME to the write, and the write to the fake's
    # timestamp of the same request.
    guard_to_write: list[float] = field(default_factory=list)
    write_to_fake: list[float] = field(default_factory=list)
    guard_gap: float = 0.0  # smallest gap between two sends of a DID at its guard / spacing
    wire_idle: list[float] = field(default_factory=list)  # ms, see `run`


@contextlib.contextmanager
def gcp_services(enabled: bool) -> Iterator[tuple[int, int]]:
    """QUEUE_BACKEND=pubsub: the Pub/Sub emulator and the fake Cloud Tasks, and the push
    topology made here, as Terraform makes it: the send path's subscriptions push to the
    senders' shared port, every other one to the events process's port. Yields those two
    ports. Tasks go to FUNCTION_URL_PREFIX (the senders' port; each process serves every
    function, so a task of another function is served there too)."""
    if not enabled:
        yield 0, 0
        return
    from shared.config import get_settings
    from shared.queue.pubsub import PubSubAdmin
    from shared.queue.topology import consumed_topics, delivery_attempts, subscription_id
    from tests.fakes.cloudtasks import FakeCloudTasks
    from tests.services import PubSubEmulator

    emulator = PubSubEmulator()
    host = emulator.start()
    tasks = FakeCloudTasks().start()
    ports = pl.free_port(), pl.free_port()
    project = f"bench-{uuid.uuid4().hex[:8]}"  # a fresh namespace on a shared emulator
    os.environ.update(
        PUBSUB_EMULATOR_HOST=host,
        CLOUD_TASKS_API_ENDPOINT=tasks.base_url,
        GCP_PROJECT=project,
        FUNCTION_URL_PREFIX=f"http://127.0.0.1:{ports[0]}/_functions/",
    )
    get_settings.cache_clear()
    admin = PubSubAdmin(project, emulator_host=host)
    try:
        attempts = delivery_attempts(get_settings().queue_max_attempts)
        for topic, functions in consumed_topics().items():
            endpoints = {
                subscription_id(topic, f): (
                    f"http://127.0.0.1:{ports[f not in SEND_PATH_FUNCTIONS]}/_functions/{f}"
                )
                for f in functions
            }
            admin.ensure_topic(topic, endpoints, max_delivery_attempts=attempts)
    finally:
        admin.close()
    try:
        yield ports
    finally:
        tasks.stop()
        emulator.stop()
        for name in (
            "PUBSUB_EMULATOR_HOST",
            "CLOUD_TASKS_API_ENDPOINT",
            "GCP_PROJECT",
            "FUNCTION_URL_PREFIX",
        ):
            os.environ.pop(name, None)
        get_settings.cache_clear()


def run(config: Config) -> Outcome:
    import httpx

    from shared.db import migrate
    from tests.fakes.smtp import Mailbox

    mailbox = Mailbox()
    os.environ.update(SMTP_HOST="127.0.0.1", SMTP_PORT=str(mailbox.start()))
    children: list[Child] = []
    fake: FakeProc | None = None
    api_server: Any = None
    with (
        pl.scratch_database(keep=False) as database,
        pl.rabbit_vhost(config.backend == "rabbitmq") as rabbit_url,
        pl.redis_server(True) as (redis_url, redis_pid),
        gcp_services(config.backend == "pubsub") as (sender_port, events_port),
    ):
        pl.configure_environment(database, redis_url, rabbit_url, config)  # type: ignore[arg-type]
        progress(f"migrating scratch database {database}")
        migrate.upgrade(os.environ["DATABASE_URL"])
        try:
            hook_ports = [pl.free_port() for _ in range(config.webhooks)]
            public = f"http://127.0.0.1:{hook_ports[0]}"
            os.environ["PUBLIC_BASE_URL"] = public
            from shared.config import get_settings

            get_settings.cache_clear()
            fake = FakeProc(config.callback_delay, hook_ports)
            os.environ["TWILIO_API_BASE"] = fake.base_url
            for port in hook_ports:
                proc = spawn("webhooks", str(port), str(config.webhook_rate))
                children.append(Child("webhook", proc))
            for port in hook_ports:
                wait_http(f"http://127.0.0.1:{port}/health")
            api_url, api_server = pl.start_gateway(public=False)
            os.environ["PUBLIC_BASE_URL"] = public  # start_gateway(public=False) keeps it
            get_settings.cache_clear()
            with httpx.Client(base_url=api_url, timeout=600) as client:
                progress(f"setting up {config.contacts:,} contacts, {config.dids} DIDs")
                app = pl.set_up_workspace(
                    client,
                    fake,
                    database,
                    config,
                    (api_url, api_server),  # type: ignore[arg-type]
                )
                dumps = [
                    Path(tempfile.gettempdir()) / f"bench-sender-{uuid.uuid4().hex[:8]}.json"
                    for _ in range(config.senders)
                ]
                events_dump = Path(tempfile.gettempdir()) / f"bench-events-{uuid.uuid4().hex[:8]}"
                if config.backend == "pubsub":
                    for path in dumps:
                        proc = spawn("functions", str(path), str(sender_port))
                        children.append(Child("sender", proc))
                    proc = spawn("functions", str(events_dump), str(events_port))
                    children.append(Child("events", proc))
                    for port in (sender_port, events_port):
                        wait_http(f"http://127.0.0.1:{port}/health")
                else:
                    for path in dumps:
                        proc = spawn("sender", str(path), str(config.concurrency))
                        children.append(Child("sender", proc))
                    proc = spawn("events", str(events_dump), str(config.concurrency))
                    children.append(Child("events", proc))
                time.sleep(3)  # the workers connect and declare their queues
                pl.flush_pg_stats()
                loads0 = pl.load_average()
                for child in children:
                    child.cpu0 = child.cpu1 = proc_cpu(child.pid)
                fake_cpu0 = float(fake.call("usage")["cpu"])
                busy0 = pl.machine_busy_seconds()
                others0 = _others_cpu(children, fake, redis_pid)
                services = pl.ProcessCpu(database)
                services.fake_pid, services.redis_pid = fake.pid, redis_pid
                services.start()
                progress("launching")
                started = time.time()
                campaign_id, audience, launched_at = pl.create_and_launch(client, app, config)  # type: ignore[arg-type]
                outcome, awaiting_peak = watch(database, campaign_id, started, config, children)
            progress(f"run ended: {outcome}")
            for child in children:
                child.sample()
            busy1 = pl.machine_busy_seconds()
            others1 = _others_cpu(children, fake, redis_pid)
            services.scan()
            groups, _ = services.totals()
            wall = time.time() - started
            fake_usage = fake.call("usage")
            fake_usage["cpu"] = float(fake_usage["cpu"]) - fake_cpu0
            loads = (loads0, pl.load_average())
            if outcome != "complete":
                pl.cancel_leftovers(database, campaign_id)
            path = Path(tempfile.gettempdir()) / f"bench-fake-{uuid.uuid4().hex[:8]}.json"
            fake.call("dump", path=str(path))
            dumped = json.loads(path.read_text())
            path.unlink(missing_ok=True)
            accepted = [(float(a), str(f), int(s)) for a, f, s, _ in dumped]
            delivered, _, statuses = pl.message_times(database, campaign_id)
            per_contact = requests_per_contact(database, campaign_id, [str(t) for *_, t in dumped])
            for child in children:
                if child.role in ("sender", "events"):
                    stop(child.proc)
            events_dump.unlink(missing_ok=True)
            sender_dumps = []
            for path in dumps:
                try:
                    sender_dumps.append(json.loads(path.read_text()))
                    path.unlink()
                except (OSError, ValueError):
                    sender_dumps.append({"lateness_ms": [], "cpu": 0.0, "rss_peak_kb": 0})
            arrived = {str(t): float(a) for a, _, _, t in dumped}
            guard_to_write, write_to_fake = [], []
            guarded: dict[str, list[tuple[float, float]]] = {}
            for d in sender_dumps:
                for to, key, spacing, guard_at, written in d.get("wire", []):
                    guarded.setdefault(key, []).append((guard_at, spacing))
                    if (at := arrived.get(unquote_plus(to))) is not None:
                        guard_to_write.append((written - guard_at) * 1000)
                        write_to_fake.append((at - written) * 1000)
            guard_gap = min(
                (
                    (b[0] - a[0]) * 1000 / a[1]
                    for sends in guarded.values()
                    for a, b in itertools.pairwise(sorted(sends))
                ),
                default=0.0,
            )
            # From a DID's wire free again (its last send's guard + spacing) to its next
            # send's guard, when that is under two spacings (the DID had work waiting).
            wire_idle = sorted(
                idle
                for sends in guarded.values()
                for a, b in itertools.pairwise(sorted(sends))
                if 0 <= (idle := (b[0] - a[0]) * 1000 - a[1]) < a[1]
            )
            progress("floors")
            floor_sender_ms = measure_floor_sender(fake)
            floor_webhook_ms, floor_answered = measure_floor_webhook(fake, public)
            return Outcome(
                config=config,
                outcome=outcome,
                audience=audience,
                statuses=dict(statuses),
                delivered=delivered,
                accepted=accepted,
                did_mps=app.did_mps,
                children=children,
                fake_usage=fake_usage,
                sender_dumps=sender_dumps,
                requests_per_contact=per_contact,
                floor_sender_ms=floor_sender_ms,
                guard_to_write=sorted(guard_to_write),
                write_to_fake=sorted(write_to_fake),
                guard_gap=guard_gap,
                wire_idle=wire_idle,
                floor_webhook_ms=floor_webhook_ms,
                floor_webhook_answered=floor_answered,
                machine_busy=busy1 - busy0,
                wall=wall,
                loads=loads,
                others_cpu=others1 - others0,
                code=pl.code_fingerprint(),
                launched_at=launched_at,
                awaiting_peak=awaiting_peak,
                extra={
                    "postgres": groups[pl.CPU_GROUPS[2]] + groups[pl.CPU_GROUPS[3]],
                    "redis": groups[pl.CPU_GROUPS[4]],
                    "rabbitmq": groups[pl.CPU_GROUPS[5]],
                },
            )
        finally:
            for child in children:
                stop(child.proc)
            if api_server is not None:
                api_server.shutdown()
            if fake is not None:
                pl.teardown(None, fake)
            mailbox.stop()


def _workers_described(c: Config) -> str:
    if c.backend == "pubsub":
        return (
            f"{c.senders} senders (the gateway serving /_functions/, pushed to by the Pub/Sub "
            "emulator and the fake Cloud Tasks; the send path's subscriptions push to their "
            "shared port), one such process for every other function's subscriptions"
        )
    return (
        f"{c.senders} senders (RabbitWorker, concurrency {c.concurrency}, the send path's "
        "functions), one process for every other function (RabbitWorker)"
    )


def _others_cpu(children: list[Child], fake: FakeProc, redis_pid: int | None) -> float:
    """CPU of every process on the machine that is not part of this run (other sessions)."""
    ours = {os.getpid(), fake.pid, *(c.pid for c in children)}
    if redis_pid:
        ours.add(redis_pid)
    total = 0.0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit() and int(entry.name) not in ours:
            found = pl._proc_cpu(int(entry.name))
            if found and found[0] not in ("postgres", "beam.smp", "java"):
                total += found[1]
    return total


WATCH_SQL = (
    "SELECT count(*) FILTER (WHERE status = 'delivered'),"
    " count(*) FILTER (WHERE status IN ('failed', 'undelivered', 'suppressed')),"
    " count(*) FILTER (WHERE status = 'sending'),"
    " (SELECT coalesce(audience_size, -1) FROM campaigns WHERE id = CAST(:c AS uuid))"
    " FROM messages WHERE campaign_id = CAST(:c AS uuid)"
)


def watch(
    database: str, campaign_id: str, started: float, config: Config, children: list[Child]
) -> tuple[str, int]:
    admin = pl.admin_connection(database)
    last_final, last_change, last_report, awaiting_peak = -1, started, started, 0
    try:
        while True:
            time.sleep(1.0)
            for child in children:
                child.sample()
                if child.proc.poll() is not None:
                    exited = f"a {child.role} process exited ({child.proc.returncode})"
                    return exited, awaiting_peak
            delivered, bad, awaiting, audience = admin.run(WATCH_SQL, c=campaign_id)[0]
            awaiting_peak = max(awaiting_peak, int(awaiting))
            now = time.time()
            final = int(delivered) + int(bad)
            if final != last_final:
                last_final, last_change = final, now
            if now - last_report >= 10:
                last_report = now
                progress(
                    f"{now - started:6.0f} s: {delivered} delivered, {bad} failed, "
                    f"{awaiting} awaiting a callback, of {audience}"
                )
            if audience >= 0 and final >= audience:
                return "complete", awaiting_peak
            if now - started > config.timeout:
                return f"timeout after {config.timeout:.0f} s", awaiting_peak
            if now - last_change > pl.STALL_SECONDS:
                return f"stalled: nothing final for {pl.STALL_SECONDS:.0f} s", awaiting_peak
    finally:
        admin.close()


def requests_per_contact(database: str, campaign_id: str, sent_to: list[str]) -> dict[int, int]:
    """How many provider requests each audience contact got, from the fake's log of
    accepted creates (`To`): {requests: contacts}."""
    from collections import Counter

    admin = pl.admin_connection(database)
    try:
        phones = [
            str(r[0])
            for r in admin.run(
                "SELECT phone FROM campaign_contacts WHERE campaign_id = CAST(:c AS uuid)",
                c=campaign_id,
            )
        ]
    finally:
        admin.close()
    sent = Counter(sent_to)
    return dict(Counter(sent.get(p, 0) for p in phones))


def measure_floor_sender(fake: FakeProc) -> float:
    sid, token = fake.accounts[0]
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.scale",
            "--floor-sender",
            fake.base_url,
            sid,
            token,
            str(FLOOR_REQUESTS),
        ],
        cwd=pl.PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return float(json.loads(out.stdout.strip().splitlines()[-1])["cpu_ms"])


def measure_floor_webhook(fake: FakeProc, public: str) -> tuple[float, int]:
    _, token = fake.accounts[0]
    port = pl.free_port()
    proc = spawn("floor-webhook", str(port), token, public)
    try:
        wait_http(f"http://127.0.0.1:{port}/health")
        cpu0 = proc_cpu(proc.pid)
        result = fake.call(
            "floor_callbacks",
            url=f"{public}/webhooks/twilio/status?m={uuid.uuid4()}",
            port=port,
            count=FLOOR_REQUESTS,
        )
        time.sleep(0.5)
        cpu = proc_cpu(proc.pid) - cpu0
    finally:
        stop(proc)
    answered = int(result["answered"])
    return (cpu / answered * 1000 if answered else 0.0), answered


# --- report ----------------------------------------------------------------------------


def throttle_headroom() -> float:
    from shared.messaging import throttle

    return throttle.HEADROOM


def idle_shares(
    accepted: Sequence[tuple[float, str, int]], mps: dict[str, float]
) -> tuple[float, float]:
    """Where a pool-bound campaign's capacity goes, over the steady window (the same span
    as the share of capacity): the share of the DIDs' time idle beyond the spacing (with
    the headroom) that each send's segments need, and the part of it in gaps longer than
    two spacings (a DID waiting for work, not jitter)."""
    records = sorted(accepted)
    times = [a for a, _, _ in records]
    weights = [seg for _, _, seg in records]
    total = sum(weights)
    if len(times) < 10 or not mps:
        return 0.0, 0.0
    running, t0, t1 = 0, times[0], times[-1]
    for at, weight in zip(times, weights, strict=True):
        running += weight
        if running <= pl.STEADY[0] * total:
            t0 = at
        if running <= pl.STEADY[1] * total:
            t1 = at
    by_did: dict[str, list[tuple[float, int]]] = {}
    for at, did, seg in records:
        by_did.setdefault(did, []).append((at, seg))
    stretch = 1 / (1 - throttle_headroom())
    idle = long_idle = 0.0
    for did, rate in mps.items():
        sends = [(at, seg) for at, seg in by_did.get(did, []) if t0 <= at <= t1]
        free_from = t0
        for at, seg in sends:
            gap = at - free_from
            if gap > 0:
                idle += gap
                long_idle += gap if gap > 2 * stretch / rate else 0.0
            free_from = max(free_from, at) + seg * stretch / rate
        tail = t1 - free_from
        if tail > 0:
            idle += tail
            long_idle += tail if tail > 2 * stretch / rate else 0.0
    span = (t1 - t0) * len(mps)
    return (idle / span, long_idle / span) if span > 0 else (0.0, 0.0)


def longest_gap(times: Sequence[float]) -> tuple[float, float]:
    """(longest interval with no delivery over the steady window, over the whole run)."""
    if len(times) < 10:
        return 0.0, 0.0
    n = len(times)
    lo, hi = int(n * pl.STEADY[0]), int(n * pl.STEADY[1])
    steady = max(
        (b - a for a, b in zip(times[lo:hi], times[lo + 1 : hi + 1], strict=False)), default=0.0
    )
    whole = max((b - a for a, b in itertools.pairwise(times)), default=0.0)
    return steady, whole


def _ratio(value: float, floor: float) -> str:
    return f"{value / floor:.1f}x" if floor else "-"


def report(r: Outcome) -> tuple[str, dict[str, bool]]:
    c = r.config
    senders = [ch for ch in r.children if ch.role == "sender"]
    hooks = [ch for ch in r.children if ch.role == "webhook"]
    sender_cpu = sum(ch.cpu1 - ch.cpu0 for ch in senders)
    hook_cpu = sum(ch.cpu1 - ch.cpu0 for ch in hooks)
    calls = len(r.accepted)
    callbacks = r.fake_usage.get("callbacks", {})
    answered = sum(v for k, v in callbacks.items() if k.startswith("2"))
    bad_callbacks = {k: v for k, v in callbacks.items() if not k.startswith("2")}
    sender_ms = sender_cpu / calls * 1000 if calls else 0.0
    hook_ms = hook_cpu / answered * 1000 if answered else 0.0
    fake_ms = r.fake_usage["cpu"] / calls * 1000 if calls else 0.0
    rate, span = pl.steady_rate(r.delivered)
    gap_steady, gap_whole = longest_gap(r.delivered)
    lateness = sorted(x for d in r.sender_dumps for x in d["lateness_ms"])
    p50, p99 = pl.percentile(lateness, 0.5), pl.percentile(lateness, 0.99)
    late_max = lateness[-1] if lateness else 0.0
    spread = pl.window_check(pl.spread_segments(r.accepted, r.did_mps), r.did_mps)
    segments_rate, seg_span = pl.steady_rate(
        [a for a, _, _ in sorted(r.accepted)], [s for _, _, s in sorted(r.accepted)]
    )
    share = segments_rate / c.capacity if c.capacity else 0.0
    complete = r.outcome == "complete"
    ours = sum(ch.cpu1 - ch.cpu0 for ch in r.children) + r.fake_usage["cpu"]
    ours += r.extra.get("postgres", 0.0)
    ours += r.extra.get("redis", 0.0)
    exactly_once = set(r.requests_per_contact) == {1}
    all_delivered = r.statuses.get("delivered", 0) == r.audience
    met: dict[str, bool] = {}
    lines = [
        f"### {c.scenario.capitalize()}: {c.backend}, {c.senders} sender + {c.webhooks} webhook "
        f"processes, {c.contacts:,} contacts, {c.dids} DIDs at {c.mps:g} MPS",
        "",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; machine: {pl.machine_line()}",
        f"- Command (from the project root): `{pl.command_line('bench.scale', c.argv)}`; "
        f"code measured: {r.code}",
        f"- Processes: {_workers_described(c)}, "
        f"{c.webhooks} webhook gateways"
        + (f" each limited to {c.webhook_rate:g} requests/s" if c.webhook_rate else "")
        + ", the asyncio fake Twilio (callback delay "
        f"{c.callback_delay:g} s, spreading callbacks over the webhook processes), a private "
        "redis-server, the shared PostgreSQL"
        + (
            ", the Pub/Sub emulator (Java; its CPU is not in this run's figures) and the fake "
            "Cloud Tasks (threads of this bench's own process)"
            if c.backend == "pubsub"
            else " and RabbitMQ (a vhost of this run's own)"
        ),
        f"- Outcome: {r.outcome}; audience {r.audience:,}; messages by status: "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(r.statuses.items())),
        f"- Load average (1/5/15 min) before / after: {r.loads[0]} / {r.loads[1]}; machine "
        f"busy {r.machine_busy:.0f} s of {r.wall * pl.cpu_count():.0f} s available, of which "
        f"this run's processes {ours:.0f} s (the rest: other sessions and the shared RabbitMQ)",
        "",
    ]
    rows = [["measure", "value", "target", "met"]]

    def add(
        name: str, value: str, target: str = "-", ok: bool | None = None, key: str = ""
    ) -> None:
        if ok is not None and key:
            met[key] = ok
        rows.append([name, value, target, "-" if ok is None else ("yes" if ok else "**no**")])

    if c.scenario != "exactness":
        add("campaign complete", r.outcome, "complete", complete, "complete")
        add(
            "provider requests per contact (requests: contacts)",
            ", ".join(f"{k}: {v:,}" for k, v in sorted(r.requests_per_contact.items())),
            "exactly 1 each",
            exactly_once,
            "exactly_once",
        )
        add(
            "messages delivered",
            f"{r.statuses.get('delivered', 0):,} of {r.audience:,}",
            "all",
            all_delivered,
            "delivered",
        )
    add(
        "status callbacks answered 2xx / otherwise",
        f"{answered:,} / "
        + (", ".join(f"{k}: {v:,}" for k, v in bad_callbacks.items()) if bad_callbacks else "0"),
        "no error, no timeout",
        not bad_callbacks,
        "callbacks",
    )
    add(
        "sustained rate (deliveries, 10%-90% of the campaign)",
        f"{rate:,.1f} msg/s over {span:.0f} s",
    )
    add(
        "wall time: launch to last delivery",
        f"{(r.delivered[-1] - r.launched_at) if r.delivered else 0:,.1f} s",
    )
    add(
        "CPU per message: sender processes (all of them) / floor (bare HTTP client, same form)",
        f"{sender_ms:.3f} ms / {r.floor_sender_ms:.3f} ms = {_ratio(sender_ms, r.floor_sender_ms)}",
        f"<= {TARGET_SENDER_CPU_MS} ms; <= {TARGET_FLOOR_RATIO:g}x",
        sender_ms <= TARGET_SENDER_CPU_MS,
        "sender_cpu",
    )
    if r.floor_sender_ms:
        met["sender_ratio"] = sender_ms / r.floor_sender_ms <= TARGET_FLOOR_RATIO
    add(
        "CPU per callback: webhook processes / floor (bare WSGI, signature only)",
        f"{hook_ms:.3f} ms / {r.floor_webhook_ms:.3f} ms = {_ratio(hook_ms, r.floor_webhook_ms)}",
        f"<= {TARGET_WEBHOOK_CPU_MS} ms; <= {TARGET_FLOOR_RATIO:g}x",
        hook_ms <= TARGET_WEBHOOK_CPU_MS,
        "webhook_cpu",
    )
    if r.floor_webhook_ms:
        met["webhook_ratio"] = hook_ms / r.floor_webhook_ms <= TARGET_FLOOR_RATIO
    events_cpu = sum(ch.cpu1 - ch.cpu0 for ch in r.children if ch.role == "events")
    add(
        "CPU per message: the other functions' process (webhook fan-out of the status events, ...)",
        f"{events_cpu / calls * 1000 if calls else 0.0:.3f} ms",
    )
    add("CPU per message: the fake Twilio (its own getrusage)", f"{fake_ms:.3f} ms")
    add(
        "longest interval with no delivery: steady window / whole run",
        f"{gap_steady * 1000:,.0f} ms / {gap_whole * 1000:,.0f} ms",
        f"< {TARGET_STALL_SECONDS:g} s (steady)",
        gap_steady < TARGET_STALL_SECONDS,
        "stall",
    )
    add(
        "provider call after its slot (at the guard, right before the write): p50 / p99 / max",
        f"{p50:,.0f} ms / {p99:,.0f} ms / {late_max:,.0f} ms ({len(lateness):,} calls)",
        f"p99 < {TARGET_STALL_SECONDS * 1000:,.0f} ms",
        p99 < TARGET_STALL_SECONDS * 1000,
        "lateness",
    )
    add(
        "most segments from one DID in any 1 s window, segments spread at its MPS",
        f"{spread.worst_segments} / {spread.worst_mps:g} ({spread.over} DIDs over, "
        f"{spread.windows_over} windows)",
        "<= MPS",
        spread.over == 0,
        "window",
    )
    add(
        "guard's Redis TIME -> the write (sender thread) / the write -> the fake's timestamp: "
        "p50 / p99 / max",
        " / ".join(
            f"{pl.percentile(xs, 0.5):,.1f}, {pl.percentile(xs, 0.99):,.1f}, "
            f"{xs[-1] if xs else 0.0:,.1f} ms"
            for xs in (r.guard_to_write, r.write_to_fake)
        ),
    )
    counted = pl.window_check(r.accepted, r.did_mps)
    add(
        "smallest gap between two sends of a DID / the spacing their segments need: at the "
        "fake (its MPS) / at the guard (Redis TIME; its MPS less the headroom)",
        f"{counted.min_gap_ratio:.3f} / {r.guard_gap:.3f}",
    )
    add(
        "aggregate accepted segments/s over the steady window / pool capacity",
        f"{segments_rate:,.1f} / {c.capacity:,.0f} = {share:.2%} (over {seg_span:.0f} s)",
        ">= 99%" if c.scenario == "exactness" else "-",
        share >= 0.99 if c.scenario == "exactness" else None,
        "capacity",
    )
    if c.scenario == "exactness":
        idle, long_idle = idle_shares(r.accepted, r.did_mps)
        add(
            "capacity lost over the steady window: the headroom / DIDs idle beyond their "
            "spacing (of which in gaps over 2 spacings)",
            f"{throttle_headroom():.2%} / {idle:.2%} ({long_idle:.2%})",
        )
        w = r.wire_idle
        waits = sum(d.get("guard_waits", 0) for d in r.sender_dumps)
        add(
            "a DID's wire free again -> its next send's guard (work waiting): p50 / p90 / p99 / "
            "mean; guard calls that said wait",
            f"{pl.percentile(w, 0.5):.1f} / {pl.percentile(w, 0.9):.1f} / "
            f"{pl.percentile(w, 0.99):.1f} / {sum(w) / max(1, len(w)):.1f} ms; {waits:,}",
        )
    busy: dict[str, int] = {}
    for d in r.sender_dumps:
        for why, n in d.get("busy", {}).items():
            busy[why] = busy.get(why, 0) + n
    add(
        "batches sent back to come later (by cause)",
        ", ".join(f"{why} {n:,}" for why, n in sorted(busy.items())) or "none",
    )
    add(
        "peak of callbacks waiting at the fake / of messages awaiting their first callback",
        f"{r.fake_usage.get('pending_peak', 0):,} / {r.awaiting_peak:,}",
        "bounded" if c.scenario == "overload" else "-",
    )
    rows_table = pl.markdown_table(rows)
    proc_rows = [["process", "CPU s", "peak RSS MB", "most threads"]]
    for ch in r.children:
        proc_rows.append(
            [
                f"{ch.role} (pid {ch.pid})",
                f"{ch.cpu1 - ch.cpu0:.1f}",
                f"{ch.hwm_kb / 1024:.0f}",
                str(ch.threads),
            ]
        )
    for name, key in (
        ("PostgreSQL: this run's database backends and auxiliary processes", "postgres"),
        ("redis-server (private)", "redis"),
        ("RabbitMQ (beam.smp, shared with other sessions)", "rabbitmq"),
    ):
        proc_rows.append([name, f"{r.extra.get(key, 0.0):.1f}", "-", "-"])
    proc_rows.append(
        [
            "fake Twilio",
            f"{r.fake_usage['cpu']:.1f}",
            f"{r.fake_usage.get('rss_peak_kb', 0) / 1024:.0f}",
            "1 (asyncio)",
        ]
    )
    lines += [*rows_table, "", "Each process (CPU from /proc: utime + stime over the run):", ""]
    lines += pl.markdown_table(proc_rows, numeric={1, 2, 3})
    missed = [k for k, ok in met.items() if not ok]
    lines += [
        "",
        "Verdict: "
        + ("every target above met." if not missed else f"missed: {', '.join(missed)}."),
        "",
    ]
    return "\n".join(lines), met


def section_intro() -> list[str]:
    return [
        "Issue #18's benchmark (`bench/scale.py`): a campaign with the senders, the webhook "
        "handlers and the fake Twilio (asyncio) each in processes of their own, as deployed; "
        "CPU per message from each process's own counters beside floors measured in the same "
        "run. The machine is shared (2 cores): each run states what other sessions used.",
    ]


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.scale", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), default="throughput")
    parser.add_argument("--backend", choices=("rabbitmq", "pubsub"), default="rabbitmq")
    parser.add_argument("--contacts", type=pl.positive_int)
    parser.add_argument("--dids", type=pl.positive_int)
    parser.add_argument("--mps", type=float)
    parser.add_argument("--long-every", type=int)
    parser.add_argument("--senders", type=pl.positive_int, default=2)
    parser.add_argument("--webhooks", type=pl.positive_int, default=2)
    parser.add_argument(
        "--webhook-rate",
        type=float,
        default=0.0,
        help="requests/s each webhook process takes at most (overload: half the senders' rate)",
    )
    parser.add_argument("--concurrency", type=pl.positive_int, default=8)
    parser.add_argument("--callback-delay", type=float, default=0.05)
    parser.add_argument("--timeout", type=float, default=1800.0)
    parser.add_argument("--write", action=argparse.BooleanOptionalAction, default=True)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    roles = {
        "--serve-fake": lambda a: serve_fake(float(a[0]), a[1]),
        "--serve-webhooks": lambda a: serve_webhooks(int(a[0]), float(a[1])),
        "--serve-sender": lambda a: serve_sender(a[0], int(a[1])),
        "--serve-events": lambda a: serve_sender(a[0], int(a[1]), send_path=False),
        "--serve-functions": lambda a: serve_functions(a[0], int(a[1])),
        "--floor-sender": lambda a: floor_sender(a[0], a[1], a[2], int(a[3])),
        "--serve-floor-webhook": lambda a: serve_floor_webhook(int(a[0]), a[1], a[2]),
    }
    if args_list and args_list[0] in roles:
        return int(roles[args_list[0]](args_list[1:]))
    args = parse_args(args_list)
    defaults = SCENARIOS[args.scenario]
    config = Config(
        scenario=args.scenario,
        backend=args.backend,
        contacts=args.contacts or int(defaults["contacts"]),
        dids=args.dids or int(defaults["dids"]),
        mps=args.mps or float(defaults["mps"]),
        long_every=args.long_every if args.long_every is not None else int(defaults["long_every"]),
        senders=args.senders,
        webhooks=args.webhooks,
        webhook_rate=args.webhook_rate,
        concurrency=args.concurrency,
        callback_delay=args.callback_delay,
        timeout=args.timeout,
        argv=tuple(args_list),
    )
    result = run(config)
    section, _ = report(result)
    print(section)
    if args.write:
        pl.write_block(SECTION_HEADING, section_intro(), section.splitlines()[0], section)
        progress(f"wrote {pl.RESULTS_PATH.relative_to(pl.PROJECT_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
