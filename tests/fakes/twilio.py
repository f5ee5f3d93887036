"""A fake Twilio REST API on a real local HTTP server, speaking Twilio's wire format.

Basic auth per account; form-encoded requests; JSON resources as the 2010-04-01 API shapes
them; the legacy error body {code, message, more_info, status}; paging with next_page_uri;
status callbacks and inbound messages POSTed to our webhooks with a real
X-Twilio-Signature. Every request is recorded with its time so tests and benchmarks can
check rates. Magic destinations fail like the simulator: a `To` ending in 21211 / 21610 /
21614 is refused at create; one ending in 30003 / 30007 ... ends `undelivered`.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
import urllib.parse
import urllib.request
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from twilio.request_validator import RequestValidator

API = "/2010-04-01/Accounts"
CREATE_ERRORS = {
    21211: ("The 'To' number is not a valid phone number.", 400),
    21610: ("Attempt to send to unsubscribed recipient", 400),
    21614: ("'To' number is not a valid mobile number", 400),
}
CALLBACK_ERRORS = {30003, 30005, 30006, 30007, 30008}


# GSM 03.38: the default alphabet (less ESC) and the extension table, written out here so the
# fake's count does not lean on the code it checks.
_GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENSION = set("\f^{}\\[~]|€")


def num_segments(body: str) -> int:
    """Segments as Twilio reports them, by encoding and length (GSM-7: 160, then 153 a part;
    UCS-2: 70, then 67 UTF-16 units a part). A plain division: it ignores what moves whole to
    the next part, which only the counter under test is expected to know."""
    if set(body) <= _GSM7_BASIC | _GSM7_EXTENSION:
        length = sum(2 if char in _GSM7_EXTENSION else 1 for char in body)
        single, part = 160, 153
    else:
        length = len(body.encode("utf-16-le", "surrogatepass")) // 2
        single, part = 70, 67
    return 1 if length <= single else -(-length // part)


def _rfc2822(dt: datetime) -> str:
    return dt.strftime("%a, %d %b %Y %H:%M:%S +0000")


@dataclass
class Recorded:
    at: float
    method: str
    path: str
    params: dict[str, list[str]]
    account: str | None


class _Server(ThreadingHTTPServer):
    # Twilio's edge accepts whatever arrives: a backlog of 5 (the default) overflows when a
    # batch's sends land together, and the kernel's SYN retries then delay calls by 200 ms+.
    request_queue_size = 1024


@dataclass
class FakeTwilio:
    accounts: dict[str, str] = field(default_factory=dict)  # sid -> auth token
    numbers: dict[str, dict[str, Any]] = field(default_factory=dict)  # PN sid -> resource
    messages: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    faults: deque[tuple[int, int]] = field(default_factory=deque)  # (http status, code)
    auto_callbacks: bool = True
    callback_delay: float = 0.05
    # Status callbacks nobody answered (url, status, error): Twilio does not retry them, it
    # notes an 11200 in the account's debugger and goes on; so does the fake.
    unanswered_callbacks: list[tuple[str, str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.server = _Server(("127.0.0.1", 0), self._handler_class())
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # --- control -------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def start(self) -> FakeTwilio:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()

    def add_account(self, sid: str | None = None, token: str | None = None) -> tuple[str, str]:
        sid = sid or "AC" + uuid.uuid4().hex
        token = token or uuid.uuid4().hex
        self.accounts[sid] = token
        return sid, token

    def own_number(self, account: str, phone: str, sms: bool = True) -> dict[str, Any]:
        resource = self._number_resource(account, phone, sms=sms)
        self.numbers[resource["sid"]] = resource
        return resource

    def own_fresh_number(self, account: str) -> dict[str, Any]:
        """A random local 555-01xx number that no account here owns yet (numbers are unique
        across workspaces, so a drawn number that another test bought would not import).
        Area codes 200-799: the 8xx range holds the toll-free codes (another default MPS)."""
        with self.lock:
            taken = {n["phone_number"] for n in self.numbers.values()}
            while True:
                phone = f"+1{200 + uuid.uuid4().int % 600}55501{uuid.uuid4().int % 100:02d}"
                if phone not in taken:
                    return self.own_number(account, phone)

    def fail_next(self, http_status: int, code: int, times: int = 1) -> None:
        for _ in range(times):
            self.faults.append((http_status, code))

    def sent_to(self, to: str) -> list[dict[str, Any]]:
        return [m for m in self.messages.values() if m["to"] == to]

    def accepted(self) -> list[Recorded]:
        """Messages the fake accepted (201), as records with the time of acceptance."""
        with self.lock:
            return [
                Recorded(
                    m["_created"],
                    "POST",
                    m["uri"],
                    {
                        "To": [m["to"]],
                        "From": [m["from"] or ""],
                        "Body": [m["body"]],
                        "NumSegments": [m["num_segments"]],
                    },
                    m["account_sid"],
                )
                for m in self.messages.values()
            ]

    def creates(self) -> list[Recorded]:
        return [
            r for r in self.requests if r.method == "POST" and r.path.endswith("/Messages.json")
        ]

    def send_inbound(self, *, to: str, from_: str, body: str, **extra: str) -> int:
        """A contact texts one of the account's numbers: POST to its SMS URL, signed."""
        number = next(n for n in self.numbers.values() if n["phone_number"] == to)
        sid = "SM" + uuid.uuid4().hex
        params = {
            "MessageSid": sid,
            "SmsSid": sid,
            "SmsMessageSid": sid,
            "AccountSid": number["account_sid"],
            "From": from_,
            "To": to,
            "Body": body,
            "NumMedia": "0",
            "NumSegments": "1",
            "ApiVersion": "2010-04-01",
            "FromCountry": "US",
            "ToCountry": "US",
            **extra,
        }
        return self.post_signed(number["sms_url"], params, number["account_sid"])

    def post_signed(self, url: str, params: dict[str, str], account: str) -> int:
        signature = RequestValidator(self.accounts[account]).compute_signature(url, params)
        request = urllib.request.Request(
            url,
            data=urllib.parse.urlencode(params).encode(),
            headers={
                "X-Twilio-Signature": signature,
                "Content-Type": "application/x-www-form-urlencoded",
                "User-Agent": "TwilioProxy/1.1",
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return int(response.status)
        except urllib.error.HTTPError as exc:
            return int(exc.code)

    # --- resources -----------------------------------------------------------------
    def _number_resource(self, account: str, phone: str, sms: bool = True) -> dict[str, Any]:
        sid = "PN" + uuid.uuid4().hex
        now = _rfc2822(datetime.now(UTC))
        return {
            "sid": sid,
            "account_sid": account,
            "phone_number": phone,
            "friendly_name": phone,
            "capabilities": {"voice": True, "sms": sms, "mms": sms, "fax": False},
            "sms_url": "",
            "sms_method": "POST",
            "status_callback": "",
            "date_created": now,
            "date_updated": now,
            "api_version": "2010-04-01",
            "uri": f"{API}/{account}/IncomingPhoneNumbers/{sid}.json",
        }

    def _deliver(self, message: dict[str, Any], final: tuple[str, int | None]) -> None:
        url = message.get("_callback", "")
        if not url:
            return
        for status, code in (("sent", None), final):
            time.sleep(self.callback_delay)
            with self.lock:
                message["status"] = status
                message["error_code"] = code
            params = {
                "MessageSid": message["sid"],
                "SmsSid": message["sid"],
                "MessageStatus": status,
                "SmsStatus": status,
                "To": message["to"],
                "From": message["from"],
                "AccountSid": message["account_sid"],
                "ApiVersion": "2010-04-01",
            }
            if code:
                params["ErrorCode"] = str(code)
            try:
                self.post_signed(url, params, message["account_sid"])
            except OSError as exc:  # refused, reset, timed out: the platform is down
                with self.lock:
                    self.unanswered_callbacks.append((url, status, repr(exc)))

    # --- HTTP ----------------------------------------------------------------------
    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes: without TCP_NODELAY, Nagle holds the
            # body until the client's delayed ACK (40-200 ms), which Twilio never costs.
            disable_nagle_algorithm = True

            def log_message(self, *args: Any) -> None:
                return

            def _reply(self, status: int, body: dict[str, Any] | None) -> None:
                data = json.dumps(body).encode() if body is not None else b""
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _error(self, status: int, code: int, message: str) -> None:
                self._reply(
                    status,
                    {
                        "code": code,
                        "message": message,
                        "status": status,
                        "more_info": f"https://www.twilio.com/docs/errors/{code}",
                    },
                )

            def _handle(self, method: str) -> None:
                parsed = urllib.parse.urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode() if length else ""
                params = urllib.parse.parse_qs(raw, keep_blank_values=True)
                query = urllib.parse.parse_qs(parsed.query, keep_blank_values=True)
                account = self._account()
                with fake.lock:
                    fake.requests.append(
                        Recorded(time.time(), method, parsed.path, params or query, account)
                    )
                if account is None:
                    self._error(401, 20003, "Authentication Error - invalid username")
                    return
                route = parsed.path.removeprefix(f"{API}/{account}")
                form = {k: v[-1] for k, v in params.items()}
                args = {k: v[-1] for k, v in query.items()}
                self._route(method, route, form, args, params, account)

            def _account(self) -> str | None:
                header = self.headers.get("Authorization", "")
                if not header.startswith("Basic "):
                    return None
                sid, _, token = base64.b64decode(header[6:]).decode().partition(":")
                if fake.accounts.get(sid) != token or f"{API}/{sid}" not in self.path:
                    return None
                return sid

            def _route(
                self,
                method: str,
                route: str,
                form: dict[str, str],
                args: dict[str, str],
                multi: dict[str, list[str]],
                account: str,
            ) -> None:
                if method == "GET" and route == ".json":
                    self._reply(
                        200,
                        {
                            "sid": account,
                            "friendly_name": "Fake account",
                            "status": "active",
                            "type": "Full",
                        },
                    )
                elif method == "POST" and route == "/Messages.json":
                    self._create_message(form, multi, account)
                elif method == "GET" and route == "/Messages.json":
                    self._list_messages(args, account)
                elif method == "GET" and (m := re.fullmatch(r"/Messages/(SM\w+)\.json", route)):
                    message = fake.messages.get(m.group(1))
                    if message is None or message["account_sid"] != account:
                        self._error(404, 20404, "The requested resource was not found")
                    else:
                        self._reply(200, _public(message))
                elif route == "/IncomingPhoneNumbers.json":
                    self._numbers(method, form, args, account)
                elif m := re.fullmatch(r"/IncomingPhoneNumbers/(PN\w+)\.json", route):
                    self._number(method, m.group(1), form, account)
                elif m := re.fullmatch(r"/AvailablePhoneNumbers/(\w\w)/Local\.json", route):
                    self._available(m.group(1), args, account)
                else:
                    self._error(404, 20404, "The requested resource was not found")

            def _create_message(
                self, form: dict[str, str], multi: dict[str, list[str]], account: str
            ) -> None:
                if fake.faults:
                    status, code = fake.faults.popleft()
                    self._error(status, code, "Injected failure")
                    return
                to = form.get("To", "")
                if not re.fullmatch(r"\+\d{8,15}", to):
                    self._error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
                    return
                code = int(to[-5:])
                if code in CREATE_ERRORS:
                    message, status = CREATE_ERRORS[code]
                    self._error(status, code, message)
                    return
                body = form.get("Body", "")
                sid = "SM" + uuid.uuid4().hex
                now = _rfc2822(datetime.now(UTC))
                status = "accepted" if form.get("MessagingServiceSid") else "queued"
                resource = {
                    "sid": sid,
                    "account_sid": account,
                    "to": to,
                    "from": form.get("From") or None,
                    "body": body,
                    "status": status,
                    "num_segments": str(num_segments(body)),
                    "num_media": str(len(multi.get("MediaUrl", []))),
                    "direction": "outbound-api",
                    "api_version": "2010-04-01",
                    "date_created": now,
                    "date_updated": now,
                    "date_sent": None,
                    "price": None,
                    "price_unit": "USD",
                    "error_code": None,
                    "error_message": None,
                    "messaging_service_sid": form.get("MessagingServiceSid"),
                    "uri": f"{API}/{account}/Messages/{sid}.json",
                    "subresource_uris": {},
                    "_callback": form.get("StatusCallback", ""),
                    "_created": time.time(),
                }
                with fake.lock:
                    fake.messages[sid] = resource
                self._reply(201, _public(resource))
                if fake.auto_callbacks and resource["_callback"]:
                    final = (
                        ("undelivered", code) if code in CALLBACK_ERRORS else ("delivered", None)
                    )
                    threading.Thread(
                        target=fake._deliver, args=(resource, final), daemon=True
                    ).start()

            def _list_messages(self, args: dict[str, str], account: str) -> None:
                items = [m for m in fake.messages.values() if m["account_sid"] == account]
                if "To" in args:
                    items = [m for m in items if m["to"] == args["To"]]
                if "From" in args:
                    items = [m for m in items if m["from"] == args["From"]]
                self._page("messages", [_public(m) for m in items], args, account, "Messages")

            def _numbers(
                self, method: str, form: dict[str, str], args: dict[str, str], account: str
            ) -> None:
                if method == "GET":
                    items = [n for n in fake.numbers.values() if n["account_sid"] == account]
                    self._page(
                        "incoming_phone_numbers", items, args, account, "IncomingPhoneNumbers"
                    )
                    return
                phone = form.get("PhoneNumber", "")
                if any(n["phone_number"] == phone for n in fake.numbers.values()):
                    self._error(400, 21422, "PhoneNumber requested is not available")
                    return
                resource = fake._number_resource(account, phone)
                resource.update(
                    sms_url=form.get("SmsUrl", ""), status_callback=form.get("StatusCallback", "")
                )
                fake.numbers[resource["sid"]] = resource
                self._reply(201, resource)

            def _number(self, method: str, sid: str, form: dict[str, str], account: str) -> None:
                number = fake.numbers.get(sid)
                if number is None or number["account_sid"] != account:
                    self._error(404, 20404, "The requested resource was not found")
                elif method == "DELETE":
                    del fake.numbers[sid]
                    self._reply(204, None)
                else:
                    for param, key in (
                        ("SmsUrl", "sms_url"),
                        ("StatusCallback", "status_callback"),
                    ):
                        if param in form:
                            number[key] = form[param]
                    self._reply(200, number)

            def _available(self, country: str, args: dict[str, str], account: str) -> None:
                area = args.get("AreaCode", "555")
                taken = {n["phone_number"] for n in fake.numbers.values()}
                items = [
                    {
                        "friendly_name": f"({area}) 555-01{n:02d}",
                        "phone_number": f"+1{area}55501{n:02d}",
                        "lata": "722",
                        "locality": "Fakeville",
                        "rate_center": "FAKE",
                        "latitude": "37.0",
                        "longitude": "-122.0",
                        "region": "CA",
                        "postal_code": "94000",
                        "iso_country": country,
                        "address_requirements": "none",
                        "beta": False,
                        "capabilities": {"voice": True, "SMS": True, "MMS": True},
                    }
                    for n in range(100)
                    if f"+1{area}55501{n:02d}" not in taken
                ]
                if "Contains" in args:
                    items = [i for i in items if args["Contains"] in i["phone_number"]]
                self._page(
                    "available_phone_numbers",
                    items,
                    args,
                    account,
                    f"AvailablePhoneNumbers/{country}/Local",
                )

            def _page(
                self,
                key: str,
                items: list[dict[str, Any]],
                args: dict[str, str],
                account: str,
                resource: str,
            ) -> None:
                size = int(args.get("PageSize", 50))
                page = int(args.get("Page", 0))
                chunk = items[page * size : (page + 1) * size]
                uri = f"{API}/{account}/{resource}.json"
                more = (page + 1) * size < len(items)
                extra = "".join(
                    f"&{k}={urllib.parse.quote(v)}"
                    for k, v in args.items()
                    if k not in ("PageSize", "Page", "PageToken")
                )
                self._reply(
                    200,
                    {
                        key: chunk,
                        "page": page,
                        "page_size": size,
                        "start": page * size,
                        "end": page * size + len(chunk),
                        "uri": uri,
                        "first_page_uri": uri,
                        "previous_page_uri": None,
                        "next_page_uri": (
                            f"{uri}?PageSize={size}&Page={page + 1}&PageToken=PT{page + 1}{extra}"
                        )
                        if more
                        else None,
                    },
                )

            def do_GET(self) -> None:
                self._handle("GET")

            def do_POST(self) -> None:
                self._handle("POST")

            def do_DELETE(self) -> None:
                self._handle("DELETE")

        return Handler


def _public(resource: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in resource.items() if not k.startswith("_")}
