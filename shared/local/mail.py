"""Local mail capture: in the local environment (never elsewhere) `smsctl dev` receives its
own outgoing mail on an embedded SMTP server (aiosmtpd) and keeps each message as a file
under DATA_DIR/mail, so verification, reset and invitation links can be read at
GET /_local/mail (a page in a browser, JSON otherwise) and survive restarts. Each mail's
first link is also written to the log."""

from __future__ import annotations

import email
import email.policy
import html
import json
import logging
import re
import socket
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from werkzeug.wrappers import Request, Response

log = logging.getLogger("local.mail")
PATH = "/_local/mail"
_LINK = re.compile(r"https?://[^\s<>\"']+")


@dataclass(frozen=True)
class CapturedMail:
    id: str
    received_at: str
    sender: str
    to: list[str]
    subject: str
    body: str
    links: list[str]


def mail_dir(data_dir: Path) -> Path:
    return data_dir / "mail"


def _parse(path: Path) -> CapturedMail:
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    part = message.get_body(preferencelist=("plain", "html"))
    body = part.get_content() if part is not None else ""
    received = datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat()
    return CapturedMail(
        id=path.stem,
        received_at=str(message.get("X-Captured-At") or received),
        sender=str(message.get("From") or ""),
        to=[a.strip() for a in str(message.get("To") or "").split(",") if a.strip()],
        subject=str(message.get("Subject") or ""),
        body=body,
        links=_LINK.findall(body),
    )


def captured(data_dir: Path) -> list[CapturedMail]:
    """The captured mail, newest first."""
    folder = mail_dir(data_dir)
    if not folder.exists():
        return []
    files = sorted(folder.glob("*.eml"), reverse=True)  # names start with the capture time
    return [_parse(f) for f in files]


class _Handler:
    def __init__(self, folder: Path, base_url: str) -> None:
        self.folder = folder
        self.base_url = base_url

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        stamp = datetime.now(UTC)
        name = f"{stamp.strftime('%Y%m%dT%H%M%S%f')}-{uuid.uuid4().hex[:8]}"
        content = envelope.content if isinstance(envelope.content, bytes) else b""
        header = f"X-Captured-At: {stamp.isoformat()}\r\n".encode()
        path = self.folder / f"{name}.eml"
        path.write_bytes(header + content)
        mail = _parse(path)
        first = mail.links[0] if mail.links else "(no link)"
        log.warning(
            "mail to %s: %s | %s | all mail: %s%s",
            ", ".join(envelope.rcpt_tos),
            mail.subject,
            first,
            self.base_url,
            PATH,
        )
        return "250 OK"


class MailCapture:
    """The embedded SMTP sink of the local environment."""

    def __init__(self, data_dir: Path, base_url: str) -> None:
        from aiosmtpd.controller import Controller

        self.folder = mail_dir(data_dir)
        self.folder.mkdir(parents=True, exist_ok=True)
        with socket.socket() as probe:  # aiosmtpd needs a concrete port to self-test
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self._controller = Controller(
            _Handler(self.folder, base_url), hostname="127.0.0.1", port=self.port
        )

    def start(self) -> MailCapture:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()


def respond(request: Request, data_dir: Path, environment: str) -> Response:
    """GET /_local/mail: the captured mail (HTML for a browser, JSON otherwise); 404 outside
    the local environment."""
    from shared.http.function import problem_response
    from shared.http.problems import Problem

    if environment != "local":
        problem = Problem(404, "not-found", "Not found", "Local mail exists only locally.")
        return problem_response(problem, request.path, None)
    if request.method != "GET" or request.path.rstrip("/") != PATH:
        problem = Problem(404, "not-found", "Not found", f"No page {request.path}.")
        return problem_response(problem, request.path, None)
    mails = captured(data_dir)
    wants_html = request.args.get("format") == "html" or (
        request.args.get("format") != "json"
        and request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html"
    )
    if not wants_html:
        return Response(
            json.dumps({"data": [asdict(m) for m in mails]}),
            mimetype="application/json",
            headers={"Cache-Control": "no-store"},
        )
    return Response(_page(mails), mimetype="text/html", headers={"Cache-Control": "no-store"})


def _page(mails: list[CapturedMail]) -> str:
    items = []
    for m in mails:
        links = "".join(
            f'<li><a href="{html.escape(link)}">{html.escape(link)}</a></li>' for link in m.links
        )
        items.append(
            "<article>"
            f"<h2>{html.escape(m.subject)}</h2>"
            f"<p>To {html.escape(', '.join(m.to))} &middot; {html.escape(m.received_at)}</p>"
            + (f"<ul>{links}</ul>" if links else "")
            + f"<pre>{html.escape(m.body)}</pre>"
            "</article>"
        )
    empty = "<p>No mail yet.</p>" if not mails else ""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<title>Local mail</title></head><body><main>"
        f"<h1>Local mail ({len(mails)})</h1>"
        "<p>Mail sent by this local platform (never delivered). Newest first.</p>"
        f"{empty}{''.join(items)}</main></body></html>"
    )


def wait_for_mail(data_dir: Path, to: str, timeout: float = 15.0) -> CapturedMail:
    """The newest captured mail to `to` (tests and scripts)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for mail in captured(data_dir):
            if to in mail.to:
                return mail
        time.sleep(0.1)
    raise TimeoutError(f"no mail to {to}")
