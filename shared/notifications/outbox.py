"""Email goes through the outbox: written in the caller's transaction, sent by a task.

A crash between the commit and the send loses nothing: the row stays `pending` and the
task (or a later retry) sends it. Sending is at-least-once, guarded by a row lock so two
workers never send the same row at the same time.
"""

from __future__ import annotations

import logging
import smtplib
import uuid
from datetime import UTC, datetime
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.config import get_settings
from shared.db.session import system_session
from shared.notifications.models import EmailOutbox

log = logging.getLogger("email")
QUEUE = "email"
MAX_ATTEMPTS = 8


def queue_email(session: Session, to: str, subject: str, body: str) -> uuid.UUID:
    """Add an email to the outbox inside `session` (a system session)."""
    row = EmailOutbox(id=uuid.uuid4(), to_address=to, subject=subject, body_text=body)
    session.add(row)
    return row.id


def dispatch(email_ids: list[uuid.UUID]) -> None:
    """After commit: ask the queue to send them (deduplicated per email)."""
    from shared.queue import schedule

    for email_id in email_ids:
        schedule(QUEUE, {"email_id": str(email_id)}, key=f"email-{email_id}")


def _transport(message: EmailMessage) -> None:
    settings = get_settings()
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=15) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password.get_secret_value())
        smtp.send_message(message)


def send_email(email_id: uuid.UUID) -> bool:
    """Send one pending email. False when it was already handled (a duplicate task).

    A transport failure is recorded (attempts, last error) and re-raised so the queue
    retries with backoff; past MAX_ATTEMPTS the email is marked failed.
    """
    error: Exception | None = None
    with system_session() as s:
        row = s.scalar(
            select(EmailOutbox).where(EmailOutbox.id == email_id).with_for_update(skip_locked=True)
        )
        if row is None or row.status != "pending":
            return False
        message = EmailMessage()
        message["From"] = get_settings().email_from
        message["To"] = row.to_address
        message["Subject"] = row.subject
        message.set_content(row.body_text)
        row.attempts += 1
        try:
            _transport(message)
        except (OSError, smtplib.SMTPException) as exc:
            error = exc
            row.last_error = f"{type(exc).__name__}: {exc}"[:500]
            if row.attempts >= MAX_ATTEMPTS:
                row.status = "failed"
                log.error("email %s failed for good: %s", email_id, exc)
        else:
            row.status = "sent"
            row.sent_at = datetime.now(UTC)
        still_pending = row.status == "pending"
    if error is not None and still_pending:
        raise error
    return error is None
