"""A fake Cloud Tasks API (v2, REST) on a real local HTTP server, and its dispatcher.

The real `google-cloud-tasks` client reaches it with `transport="rest"` and
`client_options={"api_endpoint": fake.base_url}`. It implements what our scheduler and
topology use: create/get queue (with retry_config), create/get/delete task.

Semantics kept from Cloud Tasks:
- a task name is unique in its queue, and stays reserved after the task ran or was
  deleted: a second create answers 409 ALREADY_EXISTS (Google's error JSON);
- a task in a queue that does not exist is 404 NOT_FOUND;
- `scheduleTime` is honoured; the HTTP target gets the (base64-decoded) body and the
  task's headers, Cloud Tasks' X-CloudTasks-* headers, and `Authorization: Bearer <JWT>`
  when the task has an `oidcToken` (an unsigned JWT with email/aud claims: nothing of ours
  checks the signature, the platform does in GCP);
- a non-2xx answer is retried with exponential backoff (min_backoff doubling up to
  max_doublings times, capped at max_backoff), up to the queue's max_attempts (-1:
  unlimited); then the task is dropped.
Every dispatch attempt is recorded with its time, status and headers.
"""

from __future__ import annotations

import base64
import heapq
import itertools
import json
import re
import threading
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_LOCATION = r"projects/[^/]+/locations/[^/]+"
_QUEUE = _LOCATION + r"/queues/[^/]+"
_TASK = _QUEUE + r"/tasks/[^/]+"
_TASK_ID = re.compile(r"[A-Za-z0-9_-]{1,500}")
_METHODS = {1: "POST", 2: "GET", 3: "HEAD", 4: "PUT", 5: "DELETE", 6: "PATCH", 7: "OPTIONS"}


def _parse_time(text: str) -> float:
    """RFC 3339 with 0..9 fraction digits -> epoch seconds."""
    match = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)", text)
    if not match:
        raise ValueError(f"bad timestamp {text!r}")
    base, fraction, zone = match.groups()
    dt = datetime.fromisoformat(base + ("+00:00" if zone == "Z" else zone))
    return dt.timestamp() + (float("0." + fraction) if fraction else 0.0)


def _format_time(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse_duration(text: str | None, default: float) -> float:
    if not text:
        return default
    return float(text.rstrip("s"))


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def fake_oidc_token(email: str, audience: str) -> str:
    now = int(time.time())
    header = {"alg": "RS256", "kid": "fake-cloud-tasks", "typ": "JWT"}
    claims = {
        "aud": audience,
        "azp": email,
        "email": email,
        "email_verified": True,
        "iat": now,
        "exp": now + 3600,
        "iss": "https://accounts.google.com",
        "sub": str(abs(hash(email))),
    }
    return ".".join(
        [
            _b64url(json.dumps(header).encode()),
            _b64url(json.dumps(claims).encode()),
            _b64url(b"fake-signature"),
        ]
    )


class ApiError(Exception):
    def __init__(self, code: int, status: str, message: str) -> None:
        super().__init__(message)
        self.code, self.status, self.message = code, status, message

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "status": self.status}}


@dataclass
class FakeQueue:
    name: str
    max_attempts: int = 100
    min_backoff: float = 0.1
    max_backoff: float = 3600.0
    max_doublings: int = 16

    def backoff(self, failures: int) -> float:
        doublings = min(failures - 1, self.max_doublings)
        return min(self.max_backoff, self.min_backoff * 2**doublings)

    def resource(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "state": "RUNNING",
            "retryConfig": {
                "maxAttempts": self.max_attempts,
                "minBackoff": f"{self.min_backoff:.3f}s",
                "maxBackoff": f"{self.max_backoff:.3f}s",
                "maxDoublings": self.max_doublings,
            },
        }


@dataclass
class FakeTask:
    name: str
    queue: str
    url: str
    method: str
    headers: dict[str, str]
    body: bytes
    oidc: dict[str, str] | None
    schedule_time: float
    create_time: float
    dispatch_count: int = 0
    response_count: int = 0

    def resource(self, full: bool = False) -> dict[str, Any]:
        http: dict[str, Any] = {"url": self.url, "httpMethod": self.method}
        if full:
            http["headers"] = self.headers
            http["body"] = base64.b64encode(self.body).decode()
        if self.oidc:
            http["oidcToken"] = self.oidc
        return {
            "name": self.name,
            "httpRequest": http,
            "scheduleTime": _format_time(self.schedule_time),
            "createTime": _format_time(self.create_time),
            "dispatchCount": self.dispatch_count,
            "responseCount": self.response_count,
            "view": "FULL" if full else "BASIC",
        }


@dataclass
class Attempt:
    task: str
    queue: str
    url: str
    at: float  # time.time() of the dispatch
    status: int | None  # None: the target could not be reached
    headers: dict[str, str]
    body: bytes


@dataclass
class FakeCloudTasks:
    dispatch_timeout: float = 30.0
    queues: dict[str, FakeQueue] = field(default_factory=dict)
    tasks: dict[str, FakeTask] = field(default_factory=dict)  # pending, by name
    reserved: set[str] = field(default_factory=set)  # every name ever used
    attempts: list[Attempt] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # names that ran out of attempts
    requests: list[tuple[str, str]] = field(default_factory=list)  # (method, path)

    def __post_init__(self) -> None:
        self.lock = threading.Condition()
        self._heap: list[tuple[float, int, str]] = []
        self._seq = itertools.count()
        self._stopped = False
        self._pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="fake-tasks")
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.server.daemon_threads = True
        self._threads = [
            threading.Thread(target=self.server.serve_forever, daemon=True),
            threading.Thread(target=self._dispatch_loop, daemon=True),
        ]

    # --- control ---------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def start(self) -> FakeCloudTasks:
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        with self.lock:
            self._stopped = True
            self.lock.notify_all()
        self.server.shutdown()
        self._pool.shutdown(wait=False, cancel_futures=True)

    def attempts_for(self, task_name: str) -> list[Attempt]:
        with self.lock:
            return [a for a in self.attempts if a.task == task_name]

    def attempts_to(self, url: str) -> list[Attempt]:
        with self.lock:
            return [a for a in self.attempts if a.url == url]

    # --- API -------------------------------------------------------------------------
    def create_queue(self, parent: str, body: dict[str, Any]) -> dict[str, Any]:
        name = body.get("name", "")
        if not re.fullmatch(re.escape(parent) + r"/queues/[A-Za-z0-9-]{1,100}", name):
            raise ApiError(400, "INVALID_ARGUMENT", f"bad queue name {name!r}")
        retry = body.get("retryConfig", {})
        queue = FakeQueue(
            name,
            max_attempts=int(retry.get("maxAttempts", 100)),
            min_backoff=_parse_duration(retry.get("minBackoff"), 0.1),
            max_backoff=_parse_duration(retry.get("maxBackoff"), 3600.0),
            max_doublings=int(retry.get("maxDoublings", 16)),
        )
        with self.lock:
            if name in self.queues:
                raise ApiError(409, "ALREADY_EXISTS", "Requested entity already exists")
            self.queues[name] = queue
        return queue.resource()

    def get_queue(self, name: str) -> dict[str, Any]:
        with self.lock:
            if name not in self.queues:
                raise ApiError(404, "NOT_FOUND", "Requested entity was not found.")
            return self.queues[name].resource()

    def create_task(self, parent: str, body: dict[str, Any]) -> dict[str, Any]:
        spec = body.get("task") or {}
        http = spec.get("httpRequest")
        if not http or not http.get("url"):
            raise ApiError(400, "INVALID_ARGUMENT", "an HTTP task needs httpRequest.url")
        now = time.time()
        with self.lock:
            if parent not in self.queues:
                raise ApiError(404, "NOT_FOUND", f"Queue does not exist: {parent}")
            name = spec.get("name")
            if name:
                task_id = name.rsplit("/", 1)[-1]
                if not name.startswith(parent + "/tasks/") or not _TASK_ID.fullmatch(task_id):
                    raise ApiError(400, "INVALID_ARGUMENT", f"bad task name {name!r}")
                if name in self.reserved:
                    raise ApiError(409, "ALREADY_EXISTS", "Requested entity already exists")
            else:
                name = f"{parent}/tasks/{uuid.uuid4().int % 10**19}"
            method = http.get("httpMethod", "POST")
            task = FakeTask(
                name=name,
                queue=parent,
                url=http["url"],
                method=_METHODS.get(method, "POST") if isinstance(method, int) else method,
                headers=dict(http.get("headers", {})),
                body=base64.b64decode(http.get("body", "")),
                oidc=http.get("oidcToken"),
                schedule_time=_parse_time(spec["scheduleTime"]) if "scheduleTime" in spec else now,
                create_time=now,
            )
            self.reserved.add(name)
            self.tasks[name] = task
            self._push(task.schedule_time, name)
            view = body.get("responseView")
            return task.resource(full=view in (2, "FULL"))

    def get_task(self, name: str) -> dict[str, Any]:
        with self.lock:
            if name not in self.tasks:
                raise ApiError(404, "NOT_FOUND", "Requested entity was not found.")
            return self.tasks[name].resource()

    def delete_task(self, name: str) -> dict[str, Any]:
        with self.lock:
            if self.tasks.pop(name, None) is None:
                raise ApiError(404, "NOT_FOUND", "Requested entity was not found.")
        return {}  # the name stays reserved

    # --- dispatch --------------------------------------------------------------------
    def _push(self, due: float, name: str) -> None:
        heapq.heappush(self._heap, (due, next(self._seq), name))
        self.lock.notify_all()

    def _dispatch_loop(self) -> None:
        while True:
            with self.lock:
                while not self._stopped and (not self._heap or self._heap[0][0] > time.time()):
                    self.lock.wait(self._heap[0][0] - time.time() if self._heap else None)
                if self._stopped:
                    return
                _, _, name = heapq.heappop(self._heap)
                task = self.tasks.get(name)
                if task is None:
                    continue  # deleted
                task.dispatch_count += 1
            self._pool.submit(self._dispatch, task)

    def _dispatch(self, task: FakeTask) -> None:
        queue_id = task.queue.rsplit("/", 1)[-1]
        headers = {
            **task.headers,
            "User-Agent": "Google-Cloud-Tasks",
            "X-CloudTasks-QueueName": queue_id,
            "X-CloudTasks-TaskName": task.name.rsplit("/", 1)[-1],
            "X-CloudTasks-TaskRetryCount": str(task.dispatch_count - 1),
            "X-CloudTasks-TaskExecutionCount": str(task.response_count),
            "X-CloudTasks-TaskETA": f"{task.schedule_time:.6f}",
        }
        if task.oidc:
            audience = task.oidc.get("audience") or task.url
            token = fake_oidc_token(task.oidc["serviceAccountEmail"], audience)
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(
            task.url, data=task.body, headers=headers, method=task.method
        )
        status: int | None
        try:
            with urllib.request.urlopen(request, timeout=self.dispatch_timeout) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        except OSError:
            status = None
        now = time.time()
        with self.lock:
            self.attempts.append(
                Attempt(task.name, task.queue, task.url, now, status, headers, task.body)
            )
            if status is not None:
                task.response_count += 1
            if task.name not in self.tasks:
                return  # deleted while running
            if status is not None and 200 <= status < 300:
                del self.tasks[task.name]
                return
            queue = self.queues.get(task.queue, FakeQueue(task.queue))
            if queue.max_attempts != -1 and task.dispatch_count >= queue.max_attempts:
                del self.tasks[task.name]
                self.dropped.append(task.name)
                return
            self._push(now + queue.backoff(task.dispatch_count), task.name)

    # --- HTTP ------------------------------------------------------------------------
    def _route(self, method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        if method == "POST" and (m := re.fullmatch(rf"/v2/({_LOCATION})/queues", path)):
            return self.create_queue(m.group(1), body)
        if method == "GET" and (m := re.fullmatch(rf"/v2/({_QUEUE})", path)):
            return self.get_queue(m.group(1))
        if method == "POST" and (m := re.fullmatch(rf"/v2/({_QUEUE})/tasks", path)):
            return self.create_task(m.group(1), body)
        if method == "GET" and (m := re.fullmatch(rf"/v2/({_TASK})", path)):
            return self.get_task(m.group(1))
        if method == "DELETE" and (m := re.fullmatch(rf"/v2/({_TASK})", path)):
            return self.delete_task(m.group(1))
        raise ApiError(404, "NOT_FOUND", f"no method {method} {path} in this fake")

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                path = self.path.split("?", 1)[0]
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                with fake.lock:
                    fake.requests.append((self.command, path))
                try:
                    body = json.loads(raw) if raw.strip() else {}
                    status, result = 200, fake._route(self.command, path, body)
                except ApiError as exc:
                    status, result = exc.code, exc.body()
                except (ValueError, KeyError) as exc:
                    error = ApiError(400, "INVALID_ARGUMENT", str(exc))
                    status, result = 400, error.body()
                data = json.dumps(result).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self._serve()

            def do_POST(self) -> None:
                self._serve()

            def do_DELETE(self) -> None:
                self._serve()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
