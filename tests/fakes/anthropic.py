"""A fake Anthropic Messages API on a real local HTTP server, scripted per test.

The official SDK reaches it through `base_url`. It checks the key (`x-api-key` or
`Authorization: Bearer`), requires the `anthropic-version` header, records every request
body (so tests can assert what a prompt holds and where `cache_control` sits), and answers
POST /v1/messages from a script:

- `tool_reply(...)`: a `record_reply` tool_use (after a text block: callers must pick
  blocks by type), with `usage` including cache creation / read tokens;
- `text_reply(...)`: plain text, no tool use;
- `error(status, type)`: Anthropic's error JSON ({"type": "error", "error": {...}}) with
  `retry-after: 0` (429 rate_limit_error, 529 overloaded_error, ...);
- `malformed(input)`: a tool_use whose input does not fit the schema;
- `refusal()`: stop_reason "refusal";
- `slow(seconds, answer)`: answers late (the client's timeout).

Scripts are keyed by a marker (any text the request body contains, e.g. a workspace's
unique persona), so late tasks of one test never eat the answers of another. A request
that matches no script gets `default` (a plain, valid tool reply).
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

API_KEY = "sk-ant-fake-test-key-0123456789"
TOOL = "record_reply"


@dataclass
class Scripted:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering (client timeouts)


@dataclass
class Recorded:
    headers: dict[str, str]
    body: dict[str, Any]
    raw: str

    def system_text(self) -> str:
        system = self.body.get("system") or []
        if isinstance(system, str):
            return system
        return "\n".join(str(block.get("text", "")) for block in system)

    def message_text(self) -> str:
        out: list[str] = []
        for message in self.body.get("messages", []):
            content = message["content"]
            if isinstance(content, str):
                out.append(content)
            else:
                out += [str(b.get("text", "")) for b in content]
        return "\n".join(out)


def usage(
    input_tokens: int = 120, output_tokens: int = 30, cache_write: int = 0, cache_read: int = 0
) -> dict[str, Any]:
    return {
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "cache_creation_input_tokens": cache_write,
        "cache_read_input_tokens": cache_read,
    }


def _message(
    content: list[dict[str, Any]], stop_reason: str, used: dict[str, Any] | None
) -> dict[str, Any]:
    return {
        "id": "msg_" + uuid.uuid4().hex,
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-5-5",
        "content": content,
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": used or usage(),
    }


def tool_reply(
    reply: str = "Thanks for your message! How can I help?",
    *,
    lead_stage: str = "engaged",
    fields: dict[str, Any] | None = None,
    confidence: float = 0.7,
    handoff: bool = False,
    handoff_reason: str | None = None,
    used: dict[str, Any] | None = None,
) -> Scripted:
    tool_input = {
        "reply": reply,
        "lead_stage": lead_stage,
        "fields": fields or {},
        "confidence": confidence,
        "handoff": handoff,
        "handoff_reason": handoff_reason,
    }
    return malformed(tool_input, used=used)


def malformed(tool_input: Any, *, used: dict[str, Any] | None = None) -> Scripted:
    content = [
        {"type": "text", "text": "Let me record that."},
        {"type": "tool_use", "id": "toolu_" + uuid.uuid4().hex, "name": TOOL, "input": tool_input},
    ]
    return Scripted(200, _message(content, "tool_use", used))


def text_reply(text: str = "Hello! (no tool)") -> Scripted:
    return Scripted(200, _message([{"type": "text", "text": text}], "end_turn", None))


def refusal() -> Scripted:
    return Scripted(200, _message([], "refusal", usage(input_tokens=50, output_tokens=0)))


def slow(seconds: float, answer: Scripted) -> Scripted:
    return Scripted(answer.status, answer.body, answer.headers, delay=seconds)


def error(status: int, kind: str | None = None, message: str = "scripted error") -> Scripted:
    kind = kind or {429: "rate_limit_error", 529: "overloaded_error"}.get(status, "api_error")
    body = {
        "type": "error",
        "error": {"type": kind, "message": message},
        "request_id": "req_" + uuid.uuid4().hex,
    }
    return Scripted(status, body, {"retry-after": "0"})


@dataclass
class FakeAnthropic:
    api_key: str = API_KEY
    requests: list[Recorded] = field(default_factory=list)
    scripts: dict[str, deque[Scripted]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def start(self) -> FakeAnthropic:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()

    # --- scripting ---------------------------------------------------------------------
    def script(self, marker: str, *answers: Scripted) -> None:
        """Answer the next requests whose body contains `marker` with `answers`, in order."""
        with self.lock:
            self.scripts.setdefault(marker, deque()).extend(answers)

    def calls(self, marker: str) -> list[Recorded]:
        with self.lock:
            return [r for r in self.requests if marker in r.raw]

    def left(self, marker: str) -> int:
        with self.lock:
            return len(self.scripts.get(marker, ()))

    def _next(self, raw: str) -> Scripted:
        with self.lock:
            for marker, queue in self.scripts.items():
                if queue and marker in raw:
                    return queue.popleft()
        return tool_reply()

    # --- HTTP ----------------------------------------------------------------------------
    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                return

            def _send(self, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("request-id", "req_" + uuid.uuid4().hex)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def _fail(self, status: int, kind: str, message: str) -> None:
                body = {"type": "error", "error": {"type": kind, "message": message}}
                self._send(status, body, {})

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                if self.path.split("?")[0] != "/v1/messages":
                    self._fail(404, "not_found_error", f"No route {self.path}")
                    return
                bearer = self.headers.get("Authorization", "")
                if fake.api_key not in (self.headers.get("x-api-key"), bearer[len("Bearer ") :]):
                    self._fail(401, "authentication_error", "invalid x-api-key")
                    return
                if not self.headers.get("anthropic-version"):
                    self._fail(400, "invalid_request_error", "anthropic-version is required")
                    return
                try:
                    body = json.loads(raw)
                except json.JSONDecodeError:
                    self._fail(400, "invalid_request_error", "malformed JSON")
                    return
                with fake.lock:
                    fake.requests.append(Recorded(dict(self.headers), body, raw))
                answer = fake._next(raw)
                time.sleep(answer.delay)
                reply = dict(answer.body)
                if answer.status == 200:
                    reply["model"] = body.get("model", reply["model"])
                self._send(answer.status, reply, answer.headers)

            def do_GET(self) -> None:
                self._fail(404, "not_found_error", f"No route {self.path}")

        return Handler
