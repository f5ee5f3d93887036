"""The send and status-callback paths of the fake Twilio on asyncio, for benchmarks.

`tests/fakes/twilio.py` speaks the whole API on threads (a thread per request and per
callback): at thousands of messages a second its own CPU and threads become the
bottleneck of the benchmark that measures us. This one serves only what a campaign
needs, on one event loop, with the same wire format: Basic auth per account; a
form-encoded `POST .../Messages.json` answered 201 with the message resource (or the
legacy error body for a bad `To`); `GET .../Accounts/{sid}.json` (credential checks); and
both status callbacks (`sent`, then `delivered`) POSTed with a real X-Twilio-Signature,
as Twilio does, to the StatusCallback URL. Callbacks go out over a bounded set of
keep-alive connections spread over `upstreams` (a load balancer in front of several
webhook processes: the URL signed is the public one, the connection goes to an
upstream), each with Twilio's 15 s timeout; what is waiting is counted (its peak is
reported), so a backlog shows instead of spawning threads.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import resource
import socket
import struct
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from twilio.request_validator import RequestValidator

API = "/2010-04-01/Accounts/"
CALLBACK_TIMEOUT_SECONDS = 15.0  # Twilio gives a status callback this long
CALLBACK_CONNECTIONS = 64  # per upstream
FLOOR_HEADER = b"x-bench-floor"  # a floor measurement's request: no callbacks
CREATE_ERRORS = {21211, 21610, 21614}
CALLBACK_ERRORS = {30003, 30005, 30006, 30007, 30008}


@dataclass
class FastFakeTwilio:
    callback_delay: float = 0.05
    upstreams: list[tuple[str, int]] = field(default_factory=list)  # (host, port)
    accounts: dict[str, str] = field(default_factory=dict)
    auth: dict[bytes, str] = field(default_factory=dict)  # "Basic ..." header -> account
    # (time, From, segments, To) of each accepted create
    accepted: list[tuple[float, str, int, str]] = field(default_factory=list)
    callbacks: Counter[str] = field(default_factory=Counter)
    pending: int = 0  # callbacks due or waiting for a connection
    pending_peak: int = 0
    requests: int = 0

    def add_account(self, sid: str, token: str) -> None:
        self.accounts[sid] = token
        header = b"Basic " + base64.b64encode(f"{sid}:{token}".encode())
        self.auth[header] = sid

    # --- server ----------------------------------------------------------------------
    async def serve(self, host: str = "127.0.0.1", port: int = 0) -> Listener:
        self._queue: asyncio.Queue[tuple[str, dict[str, str], str]] = asyncio.Queue()
        self._sign: dict[str, RequestValidator] = {}
        loop = asyncio.get_running_loop()
        targets = itertools.cycle(self.upstreams or [("", 0)])
        self._workers = [
            loop.create_task(self._callback_worker(next(targets)))
            for _ in range(CALLBACK_CONNECTIONS * max(1, len(self.upstreams)))
        ]
        return Listener(self, loop, host, port)

    def _route(
        self, method: bytes, target: str, headers: dict[bytes, bytes], body: bytes, arrived: float
    ) -> tuple[int, dict[str, Any]]:
        self.requests += 1
        account = self.auth.get(headers.get(b"authorization", b""))
        path = target.split("?", 1)[0]
        if account is None or not path.startswith(f"{API}{account}"):
            return _error(401, 20003, "Authentication Error - invalid username")
        route = path[len(API) + len(account) :]
        if method == b"POST" and route == "/Messages.json":
            form = dict(parse_qsl(body.decode()))
            return self._create(account, form, FLOOR_HEADER in headers, arrived)
        if method == b"GET" and route == ".json":
            return 200, {"sid": account, "friendly_name": "Fake", "status": "active"}
        return _error(404, 20404, "The requested resource was not found")

    def _create(
        self, account: str, form: dict[str, str], floor: bool, arrived: float
    ) -> tuple[int, dict[str, Any]]:
        to, body = form.get("To", ""), form.get("Body", "")
        digits = to[1:]
        if not (to.startswith("+") and digits.isdigit() and 8 <= len(digits) <= 15):
            return _error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
        code = int(to[-5:])
        if code in CREATE_ERRORS:
            return _error(400, code, "Refused by the fake")
        segments = max(1, -(-len(body) // 153)) if len(body) > 160 else 1
        sid = "SM" + uuid.uuid4().hex
        now = arrived
        sender = form.get("From", "")
        if not floor:
            self.accepted.append((now, sender, segments, to))
        stamp = datetime.fromtimestamp(now, UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")
        callback = form.get("StatusCallback", "")
        if callback and not floor:
            final = ("undelivered", code) if code in CALLBACK_ERRORS else ("delivered", None)
            loop = asyncio.get_running_loop()
            base = {"MessageSid": sid, "SmsSid": sid, "To": to, "From": sender}
            base |= {"AccountSid": account, "ApiVersion": "2010-04-01"}
            self._count_pending(2)
            loop.call_later(self.callback_delay, self._due, callback, base, "sent", None, account)
            loop.call_later(2 * self.callback_delay, self._due, callback, base, *final, account)
        return 201, {
            "sid": sid,
            "account_sid": account,
            "to": to,
            "from": sender or None,
            "body": body,
            "status": "accepted" if form.get("MessagingServiceSid") else "queued",
            "num_segments": str(segments),
            "num_media": "0",
            "direction": "outbound-api",
            "api_version": "2010-04-01",
            "date_created": stamp,
            "date_updated": stamp,
            "date_sent": None,
            "price": None,
            "price_unit": "USD",
            "error_code": None,
            "error_message": None,
            "messaging_service_sid": form.get("MessagingServiceSid"),
            "uri": f"{API}{account}/Messages/{sid}.json",
            "subresource_uris": {},
        }

    # --- status callbacks ------------------------------------------------------------
    def _count_pending(self, change: int) -> None:
        self.pending += change
        self.pending_peak = max(self.pending_peak, self.pending)

    def _due(
        self, url: str, base: dict[str, str], status: str, code: int | None, account: str
    ) -> None:
        params = {**base, "MessageStatus": status, "SmsStatus": status}
        if code:
            params["ErrorCode"] = str(code)
        self._queue.put_nowait((url, params, account))

    def signature(self, url: str, params: dict[str, str], account: str) -> str:
        validator = self._sign.get(account)
        if validator is None:
            validator = self._sign[account] = RequestValidator(self.accounts[account])
        return str(validator.compute_signature(url, params))

    async def _callback_worker(self, upstream: tuple[str, int]) -> None:
        conn: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        while True:
            url, params, account = await self._queue.get()
            try:
                conn, status = await asyncio.wait_for(
                    self._post(conn, upstream, url, params, account), CALLBACK_TIMEOUT_SECONDS
                )
                self.callbacks[str(status)] += 1
            except TimeoutError:
                self.callbacks["error timeout"] += 1
                conn = _close(conn)
            except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                self.callbacks[f"error {type(exc).__name__}"] += 1
                conn = _close(conn)
            finally:
                self._count_pending(-1)

    async def _post(
        self,
        conn: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None,
        upstream: tuple[str, int],
        url: str,
        params: dict[str, str],
        account: str,
    ) -> tuple[tuple[asyncio.StreamReader, asyncio.StreamWriter], int]:
        parts = urlsplit(url)
        if conn is None or conn[1].is_closing():
            host = upstream[0] or parts.hostname or "127.0.0.1"
            port = upstream[1] or parts.port or 80
            conn = await asyncio.open_connection(host, port)
        reader, writer = conn
        body = urlencode(params).encode()
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        writer.write(
            f"POST {path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
            f"X-Twilio-Signature: {self.signature(url, params, account)}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\nUser-Agent: TwilioProxy/1.1\r\n"
            f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length, close = 0, False
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection" and value.strip().lower() == b"close":
                close = True
        if length:
            await reader.readexactly(length)
        if close:
            writer.close()
        return conn, status

    def usage(self) -> dict[str, Any]:
        ru = resource.getrusage(resource.RUSAGE_SELF)
        return {
            "cpu": ru.ru_utime + ru.ru_stime,
            "rss_peak_kb": ru.ru_maxrss,
            "callbacks": dict(self.callbacks),
            "messages": len(self.accepted),
            "requests": self.requests,
            "pending": self.pending,
            "pending_peak": self.pending_peak,
        }


# Linux: the kernel's receive time of each segment, read with it (recvmsg). The log holds
# when a request reached the socket, not when this process's loop got round to it (on a
# busy machine, tens of ms later: that lag was measured as the senders' jitter).
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)
_STAMP_SPACE = socket.CMSG_SPACE(16)
MAX_REQUEST_BYTES = 1 << 20


class Listener:
    """The API's listening socket on the event loop, each connection read with recvmsg for
    the kernel's arrival time (asyncio's streams drop it)."""

    def __init__(self, fake: FastFakeTwilio, loop: asyncio.AbstractEventLoop, host: str, port: int):
        self.fake, self.loop = fake, loop
        sock = socket.create_server((host, port), backlog=4096)
        sock.setblocking(False)
        self.sockets = [sock]
        loop.add_reader(sock.fileno(), self._accept)

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sockets[0].accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            conn.setblocking(False)
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with contextlib.suppress(OSError):  # no kernel stamps: the loop's clock
                conn.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
            _Connection(self.fake, self.loop, conn)

    def close(self) -> None:
        self.loop.remove_reader(self.sockets[0].fileno())
        self.sockets[0].close()


class _Connection:
    def __init__(self, fake: FastFakeTwilio, loop: asyncio.AbstractEventLoop, sock: socket.socket):
        self.fake, self.loop, self.sock = fake, loop, sock
        self.buffer = bytearray()
        self.out = bytearray()
        self.arrived = 0.0  # when the first byte of the request in `buffer` arrived
        loop.add_reader(sock.fileno(), self._readable)

    def _readable(self) -> None:
        try:
            data, ancillary, _, _ = self.sock.recvmsg(65536, _STAMP_SPACE)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self._close()
            return
        if not data or len(self.buffer) > MAX_REQUEST_BYTES:
            self._close()
            return
        if not self.buffer:
            self.arrived = _stamp(ancillary)
        self.buffer += data
        self._serve()

    def _serve(self) -> None:
        while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
            request_line, *lines = bytes(self.buffer[:end]).split(b"\r\n")
            method, target, _ = request_line.split(b" ", 2)
            headers = {}
            for line in lines:
                name, _, value = line.partition(b":")
                headers[name.strip().lower()] = value.strip()
            length = int(headers.get(b"content-length", b"0"))
            if len(self.buffer) < end + 4 + length:
                return
            body = bytes(self.buffer[end + 4 : end + 4 + length])
            del self.buffer[: end + 4 + length]
            status, payload = self.fake._route(method, target.decode(), headers, body, self.arrived)
            data = json.dumps(payload).encode()
            self._write(
                b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\n"
                b"Content-Length: %d\r\n\r\n" % (status, _REASONS[status], len(data)) + data
            )

    def _write(self, data: bytes) -> None:
        if self.out:
            self.out += data
            return
        try:
            sent = self.sock.send(data)
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError:
            self._close()
            return
        if sent < len(data):
            self.out += data[sent:]
            self.loop.add_writer(self.sock.fileno(), self._writable)

    def _writable(self) -> None:
        try:
            sent = self.sock.send(self.out)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self._close()
            return
        del self.out[:sent]
        if not self.out:
            self.loop.remove_writer(self.sock.fileno())

    def _close(self) -> None:
        self.loop.remove_reader(self.sock.fileno())
        if self.out:
            self.loop.remove_writer(self.sock.fileno())
        self.sock.close()


def _stamp(ancillary: list[tuple[int, int, bytes]]) -> float:
    for level, kind, data in ancillary:
        if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(data) >= 16:
            seconds, nanoseconds = struct.unpack("qq", data[:16])
            return seconds + nanoseconds / 1e9
    return time.time()


def _close(
    conn: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None,
) -> None:
    if conn is not None:
        conn[1].close()


def _error(status: int, code: int, message: str) -> tuple[int, dict[str, Any]]:
    return status, {
        "code": code,
        "message": message,
        "status": status,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
    }


_REASONS = {
    200: b"OK",
    201: b"Created",
    400: b"Bad Request",
    401: b"Unauthorized",
    404: b"Not Found",
}
