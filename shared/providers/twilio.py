"""Twilio through its official SDK. Every client has a timeout; errors are classified.

Sending, the hot path, skips the SDK's request building (about 1.4 ms of CPU per message):
the same form goes out over a keep-alive connection of the sending thread, to the URL and
with the headers and auth the SDK would use; errors are read into the SDK's own
TwilioRestException and classified like every other call. The send's guard runs right
before the request is written, after any connection set-up.

`TWILIO_API_BASE` points the SDK at another host (the fake server in tests) by rewriting
each request's scheme and host in a custom `TwilioHttpClient`: setting the SDK's base URL
breaks as soon as TWILIO_REGION / TWILIO_EDGE change the hostname.
"""

from __future__ import annotations

import base64
import http.client
import json
import socket
import ssl
import threading
import time
from datetime import datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from shared.config import get_settings
from shared.providers.sms import (
    AvailableNumber,
    NotSent,
    Outcome,
    OwnedNumber,
    ProviderError,
    ProviderMessage,
    SendGuard,
    SentMessage,
    SmsProvider,
)


def _rewrite(url: str, api_base: str) -> str:
    if not api_base:
        return url
    target, parts = urlsplit(api_base), urlsplit(url)
    return urlunsplit((target.scheme, target.netloc, parts.path, parts.query, ""))


def _http_client(timeout: float, api_base: str) -> Any:
    from twilio.http.http_client import TwilioHttpClient

    class RewritingHttpClient(TwilioHttpClient):  # type: ignore[misc]
        def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
            return super().request(method, _rewrite(url, api_base), *args, **kwargs)

    client = RewritingHttpClient(timeout=timeout, pool_connections=True)
    # Keep a connection per dispatch thread (requests keeps 10 by default and discards the
    # rest after each call, reconnecting every time when more threads send at once).
    from requests.adapters import HTTPAdapter

    adapter = HTTPAdapter(pool_maxsize=HTTP_POOL_SIZE)
    client.session.mount("https://", adapter)
    client.session.mount("http://", adapter)
    return client


_clients_lock = threading.Lock()
HTTP_POOL_SIZE = 32


@lru_cache(maxsize=256)
def _client(account_sid: str, auth_token: str, timeout: float, api_base: str) -> Any:
    """One SDK client per account, reused across invocations (keeps its connection pool)."""
    from twilio.rest import Client

    with _clients_lock:
        return Client(account_sid, auth_token, http_client=_http_client(timeout, api_base))


@lru_cache(maxsize=256)
def _send_wire(account_sid: str, auth_token: str, timeout: float, api_base: str) -> SendWire:
    """The send path's connections for one account: the SDK's URL (edge and region
    applied) and headers, with Basic auth as the SDK sends it."""
    client = _client(account_sid, auth_token, timeout, api_base)
    url = client.get_hostname(
        f"{client.api.base_url}/2010-04-01/Accounts/{account_sid}/Messages.json"
    )
    headers = dict(client.get_headers("POST", {}))
    token = base64.b64encode(f"{account_sid}:{auth_token}".encode()).decode()
    headers["Authorization"] = f"Basic {token}"
    return SendWire(_rewrite(url, api_base), headers, timeout)


def _rest_exception(status: int, wire: SendWire, payload: dict[str, Any], raw: bytes) -> Any:
    """The SDK's error for a refused create, from Twilio's error body."""
    from twilio.base.exceptions import TwilioRestException

    message = payload.get("message") or raw[:200].decode("utf-8", "replace") or f"HTTP {status}"
    code = payload.get("code")
    return TwilioRestException(
        status, f"{wire.host}/Messages.json", msg=str(message), code=code, method="POST"
    )


def _error(exc: Exception) -> ProviderError:
    from requests import exceptions as rex
    from twilio.base.exceptions import TwilioRestException

    if isinstance(exc, TwilioRestException):
        return ProviderError(str(exc.msg), code=exc.code, http_status=exc.status)
    if isinstance(exc, rex.ConnectTimeout | rex.ConnectionError) and not isinstance(
        exc, rex.ReadTimeout
    ):
        # Never reached Twilio: safe to retry.
        return ProviderError(f"cannot reach Twilio: {exc}", outcome=Outcome.TRANSIENT)
    if isinstance(exc, rex.ReadTimeout | rex.Timeout):
        # The request may have been accepted: the caller must reconcile, not resend.
        return ProviderError(f"Twilio did not answer in time: {exc}", outcome=Outcome.UNKNOWN)
    return ProviderError(f"{type(exc).__name__}: {exc}", outcome=Outcome.UNKNOWN)


def _sms_capable(capabilities: dict[str, Any] | None) -> dict[str, bool]:
    caps = {str(k).lower(): bool(v) for k, v in (capabilities or {}).items()}
    return {
        "sms": caps.get("sms", False),
        "mms": caps.get("mms", False),
        "voice": caps.get("voice", False),
    }


# A keep-alive connection idle longer than this is not reused: the server may be closing
# it, and a request lost on a closing connection has an unknown outcome.
IDLE_REUSE_SECONDS = 4.0


class _Connection:
    __slots__ = ("sock", "used_at")

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.used_at = time.monotonic()

    def close(self) -> None:
        self.sock.close()


class SendWire:
    """The send path's HTTP: one keep-alive connection per thread, the request written in
    one call right after its guard, the answer read by `read_response`."""

    def __init__(self, url: str, headers: dict[str, str], timeout: float) -> None:
        parts = urlsplit(url)
        self.https = parts.scheme == "https"
        self.host = parts.hostname or ""
        self.port = parts.port or (443 if self.https else 80)
        self.timeout = timeout
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        netloc = parts.netloc.rpartition("@")[2]
        lines = [f"POST {path} HTTP/1.1", f"Host: {netloc}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        self._head = ("\r\n".join(lines) + "\r\nContent-Length: ").encode("latin-1")
        self._local = threading.local()

    def _connect(self) -> _Connection:
        sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.https:
            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=self.host)
        return _Connection(sock)

    def post(self, form: bytes, guard: SendGuard | None) -> tuple[int, bytes, float]:
        """(HTTP status, body, when the request was written). Raises NotSent (guard),
        ConnectionError before anything was written (safe to retry), or OSError /
        HTTPException after (outcome unknown)."""
        conn: _Connection | None = getattr(self._local, "conn", None)
        if conn is not None and time.monotonic() - conn.used_at > IDLE_REUSE_SECONDS:
            conn.close()
            conn = self._local.conn = None
        if conn is None:
            try:
                conn = self._local.conn = self._connect()
            except OSError as exc:
                raise ConnectionError(f"cannot connect: {exc}") from exc
        if guard is not None and not guard():
            raise NotSent()
        try:
            conn.sock.sendall(self._head + b"%d\r\n\r\n" % len(form) + form)
            written = time.time()
            status, body, will_close = read_response(conn.sock)
        except BaseException:
            conn.close()
            self._local.conn = None
            raise
        if will_close:
            conn.close()
            self._local.conn = None
        else:
            conn.used_at = time.monotonic()
        return status, body, written


MAX_HEAD_BYTES = 64 * 1024


def read_response(sock: socket.socket) -> tuple[int, bytes, bool]:
    """One HTTP/1.x response to a POST: (status, body, whether the connection closes after
    it). Content-Length, chunked, or read to the close; http.client's parser (a socket
    file and an email parser per response) cost five times as much. Raises
    http.client.HTTPException subclasses or OSError (the outcome is then unknown)."""
    buffer = bytearray()
    while (end := buffer.find(b"\r\n\r\n")) < 0:
        if len(buffer) > MAX_HEAD_BYTES:
            raise http.client.LineTooLong("response head")
        buffer += _received(sock)
    status_line, *lines = bytes(buffer[:end]).split(b"\r\n")
    version, _, rest = status_line.partition(b" ")
    code = rest[:3]
    if not version.startswith(b"HTTP/1.") or not code.isdigit():
        raise http.client.BadStatusLine(status_line.decode("latin-1"))
    status = int(code)
    length: int | None = None
    chunked = False
    will_close = version == b"HTTP/1.0"
    for line in lines:
        name, _, value = line.partition(b":")
        name, value = name.strip().lower(), value.strip().lower()
        if name == b"content-length":
            length = _number(value, 10)
        elif name == b"transfer-encoding":
            chunked = value.endswith(b"chunked")
        elif name == b"connection":
            will_close = value == b"close" or (will_close and value != b"keep-alive")
    del buffer[: end + 4]
    if status in (204, 304) or 100 <= status < 200:
        return status, b"", will_close
    if chunked:
        return status, _read_chunked(sock, buffer), will_close
    if length is None:  # delimited by the close
        while chunk := sock.recv(65536):
            buffer += chunk
        return status, bytes(buffer), True
    while len(buffer) < length:
        buffer += _received(sock)
    return status, bytes(buffer[:length]), will_close


def _read_chunked(sock: socket.socket, buffer: bytearray) -> bytes:
    body = bytearray()
    while True:
        while (end := buffer.find(b"\r\n")) < 0:
            buffer += _received(sock)
        size = _number(bytes(buffer[:end]).split(b";", 1)[0].strip(), 16)
        del buffer[: end + 2]
        if size == 0:  # trailers, up to the blank line
            while (blank := buffer.find(b"\r\n")) != 0:
                if blank < 0:
                    buffer += _received(sock)
                else:
                    del buffer[: blank + 2]
            return bytes(body)
        while len(buffer) < size + 2:
            buffer += _received(sock)
        body += buffer[:size]
        del buffer[: size + 2]


def _number(text: bytes, base: int) -> int:
    try:
        return int(text, base)
    except ValueError:
        raise http.client.HTTPException(f"not a length: {text[:20]!r}") from None


def _received(sock: socket.socket) -> bytes:
    chunk = sock.recv(65536)
    if not chunk:
        raise http.client.IncompleteRead(b"")
    return chunk


class TwilioProvider(SmsProvider):
    name = "twilio"

    def __init__(self, account_sid: str, auth_token: str) -> None:
        settings = get_settings()
        self.account_sid = account_sid
        self.client = _client(
            account_sid, auth_token, settings.twilio_timeout_seconds, settings.twilio_api_base
        )
        self.wire = _send_wire(
            account_sid, auth_token, settings.twilio_timeout_seconds, settings.twilio_api_base
        )

    def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        from requests import RequestException
        from twilio.base.exceptions import TwilioException

        try:
            return fn(*args, **kwargs)
        except (TwilioException, RequestException) as exc:
            raise _error(exc) from exc

    def send(
        self,
        *,
        from_: str,
        to: str,
        body: str,
        status_callback: str,
        media_urls: list[str] | None = None,
        messaging_service_sid: str | None = None,
        guard: SendGuard | None = None,
    ) -> SentMessage:
        """The form the SDK's `messages.create` posts, over this thread's connection."""
        form: list[tuple[str, str]] = [("To", to), ("Body", body)]
        form.append(
            ("MessagingServiceSid", messaging_service_sid)
            if messaging_service_sid
            else ("From", from_)
        )
        form.append(("StatusCallback", status_callback))
        form += [("MediaUrl", url) for url in media_urls or ()]
        try:
            status, raw, written = self.wire.post(urlencode(form).encode(), guard)
        except NotSent:
            raise
        except ConnectionError as exc:  # nothing was written: safe to send again later
            raise ProviderError(f"cannot reach Twilio: {exc}", outcome=Outcome.TRANSIENT) from exc
        except (OSError, http.client.HTTPException) as exc:  # it may have left: reconcile
            raise ProviderError(
                f"Twilio did not answer: {type(exc).__name__}: {exc}", outcome=Outcome.UNKNOWN
            ) from exc
        try:
            payload = json.loads(raw) if raw else {}
        except ValueError:
            payload = {}
        if not 200 <= status < 300 or not payload.get("sid"):
            raise _error(_rest_exception(status, self.wire, payload, raw))
        segments = payload.get("num_segments")
        return SentMessage(
            sid=str(payload["sid"]),
            status=str(payload.get("status") or "queued"),
            segments=int(segments) if segments else None,
            left_at=written,
        )

    def _message(self, m: Any) -> ProviderMessage:
        return ProviderMessage(
            sid=m.sid,
            status=m.status,
            to=m.to,
            from_=m.from_,
            error_code=m.error_code,
            date_created=m.date_created,
            price=m.price,
        )

    def fetch(self, sid: str) -> ProviderMessage:
        return self._message(self._call(self.client.messages(sid).fetch))

    def find_sent(self, *, to: str, from_: str, after: datetime) -> list[ProviderMessage]:
        found = self._call(
            self.client.messages.list, to=to, from_=from_, date_sent_after=after, limit=50
        )
        return [self._message(m) for m in found]

    def list_numbers(self) -> list[OwnedNumber]:
        numbers = self._call(self.client.incoming_phone_numbers.list, page_size=1000)
        return [
            OwnedNumber(n.sid, n.phone_number, n.friendly_name, _sms_capable(n.capabilities))
            for n in numbers
        ]

    def search_numbers(
        self, *, country: str, area_code: str | None, contains: str | None, limit: int
    ) -> list[AvailableNumber]:
        kwargs: dict[str, Any] = {"sms_enabled": True, "limit": limit}
        if area_code:
            kwargs["area_code"] = int(area_code)
        if contains:
            kwargs["contains"] = contains
        found = self._call(self.client.available_phone_numbers(country).local.list, **kwargs)
        return [
            AvailableNumber(
                n.phone_number, n.friendly_name, n.region, n.locality, _sms_capable(n.capabilities)
            )
            for n in found
        ]

    def buy_number(self, phone_number: str, *, sms_url: str, status_url: str) -> OwnedNumber:
        n = self._call(
            self.client.incoming_phone_numbers.create,
            phone_number=phone_number,
            sms_url=sms_url,
            sms_method="POST",
            status_callback=status_url,
        )
        return OwnedNumber(n.sid, n.phone_number, n.friendly_name, _sms_capable(n.capabilities))

    def configure_number(self, sid: str, *, sms_url: str, status_url: str) -> None:
        self._call(
            self.client.incoming_phone_numbers(sid).update,
            sms_url=sms_url,
            sms_method="POST",
            status_callback=status_url,
        )

    def release_number(self, sid: str) -> None:
        self._call(self.client.incoming_phone_numbers(sid).delete)

    def validate(self) -> None:
        self._call(self.client.api.v2010.accounts(self.account_sid).fetch)
