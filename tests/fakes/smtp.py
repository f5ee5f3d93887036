"""A real local SMTP server (aiosmtpd) that keeps what it receives, for email flows."""

from __future__ import annotations

import email
import re
import socket
import threading
import time
from dataclasses import dataclass
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Mail:
    to: list[str]
    subject: str
    body: str

    def link_token(self) -> str:
        match = re.search(r"token=([A-Za-z0-9_\-]+)", self.body)
        assert match, self.body
        return match.group(1)


class _Handler:
    def __init__(self, box: Mailbox) -> None:
        self.box = box

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        parsed: Message = email.message_from_bytes(envelope.content)
        payload = parsed.get_payload(decode=True)
        body = payload.decode() if isinstance(payload, bytes) else str(parsed.get_payload())
        self.box.add(Mail(list(envelope.rcpt_tos), str(parsed["Subject"]), body))
        return "250 OK"


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[Mail] = []
        self._cv = threading.Condition()
        with socket.socket() as probe:  # aiosmtpd needs a concrete port to self-test
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)

    def start(self) -> int:
        self.controller.start()
        return self.port

    def stop(self) -> None:
        self.controller.stop()

    def add(self, mail: Mail) -> None:
        with self._cv:
            self.messages.append(mail)
            self._cv.notify_all()

    def wait_for(self, to: str, subject_contains: str, timeout: float = 15.0) -> Mail:
        deadline = time.monotonic() + timeout
        with self._cv:
            while True:
                for mail in reversed(self.messages):
                    if (
                        to.lower() in [t.lower() for t in mail.to]
                        and subject_contains in mail.subject
                    ):
                        return mail
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"no mail to {to} about {subject_contains!r}")
                self._cv.wait(remaining)

    def count(self, to: str) -> int:
        with self._cv:
            return sum(to.lower() in [t.lower() for t in m.to] for m in self.messages)
