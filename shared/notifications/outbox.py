"""Email goes through the outbox: written in the caller's transaction, sent by a task.

A crash between the commit and the send loses nothing: the row stays `pending` and the
task (or a later retry) sends it. Sending is at-least-once, guarded by a row lock so two
workers never send the same row at the same time.

One retry policy, the outbox's: a transport failure is recorded on the row and the next
attempt is scheduled by the outbox itself (backoff, up to MAX_ATTEMPTS), so the task never
fails for it and the queue's own attempt limit cannot strand a `pending` row. Past the
last attempt the mail is dead-lettered: `failed`, with its reason and time, listed for the
workspace's admins who can send it again. A pending mail whose task was lost (the queue
dead-lettered it for another reason, a restart) is scheduled again by the sweep the
reconciler runs every minute.
"""

from __future__ import annotations

import logging
import smtplib
import uuid
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from shared.config import get_settings
from shared.db.session import system_session
from shared.notifications.models import EmailOutbox

log = logging.getLogger("email")
QUEUE = "email"
MAX_ATTEMPTS = 8
BACKOFF_BASE_SECONDS = 30.0
BACKOFF_MAX_SECONDS = 3600.0
# A pending mail whose next attempt is this overdue has lost its task: schedule it again.
LOST_AFTER = timedelta(minutes=5)


def backoff(attempts: int) -> timedelta:
    """The wait before the attempt after `attempts` failed ones: 30 s, 1 min, 2 min, ..."""
    return timedelta(seconds=min(BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (attempts - 1)))


def queue_email(
    session: Session, to: str, subject: str, body: str, *, tenant_id: uuid.UUID | None = None
) -> uuid.UUID:
    """Add an email to the outbox inside `session` (a system session). `tenant_id`: the
    workspace it is about, whose admins may see it and send it again."""
    row = EmailOutbox(
        id=uuid.uuid4(), to_address=to, subject=subject, body_text=body, tenant_id=tenant_id
    )
    session.add(row)
    return row.id


def dispatch(email_ids: list[uuid.UUID]) -> None:
    """After commit: ask the queue to send them (deduplicated per email)."""
    from shared.queue import schedule

    for email_id in email_ids:
        schedule(QUEUE, {"email_id": str(email_id)}, key=f"email-{email_id}-1")


def _transport(message: EmailMessage) -> None:
    settings = get_settings()
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=15) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password.get_secret_value())
        smtp.send_message(message)


def _schedule_attempt(email_id: uuid.UUID, key: str, at: datetime | None = None) -> None:
    from shared.queue import schedule

    schedule(QUEUE, {"email_id": str(email_id)}, at=at, key=f"email-{email_id}-{key}")


def send_email(email_id: uuid.UUID) -> bool:
    """Send one pending email. False when it was not sent (a duplicate task, a failure).

    A transport failure is recorded (attempts, last error) and the next attempt scheduled
    after a backoff; past MAX_ATTEMPTS the email is dead-lettered (`failed`). Only a
    failure to reach the database raises (the queue retries that; the sweep backs it up).
    """
    error: Exception | None = None
    retry_at: datetime | None = None
    with system_session() as s:
        row = s.scalar(
            select(EmailOutbox).where(EmailOutbox.id == email_id).with_for_update(skip_locked=True)
        )
        if row is None or row.status != "pending":
            return False
        now = datetime.now(UTC)
        if row.next_attempt_at is not None and row.next_attempt_at > now + timedelta(seconds=1):
            return False  # an early duplicate: the attempt it belongs to is scheduled
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
                row.failed_at = now
                row.next_attempt_at = None
                log.error(
                    "email %s dead-lettered after %d attempts: %s", email_id, row.attempts, exc
                )
            else:
                row.next_attempt_at = retry_at = now + backoff(row.attempts)
                log.warning("email %s attempt %d failed: %s", email_id, row.attempts, exc)
        else:
            row.status = "sent"
            row.sent_at = now
            row.next_attempt_at = None
        attempts = row.attempts
    if retry_at is not None:
        _schedule_attempt(email_id, str(attempts + 1), retry_at)
    return error is None


def sweep_pending(lost_after: timedelta = LOST_AFTER) -> int:
    """Schedule again the pending mails whose task is overdue (lost). Returns how many."""
    cutoff = datetime.now(UTC) - lost_after
    with system_session() as s:
        rows = s.execute(
            select(EmailOutbox.id, EmailOutbox.attempts)
            .where(
                EmailOutbox.status == "pending",
                or_(
                    EmailOutbox.next_attempt_at < cutoff,
                    (EmailOutbox.next_attempt_at.is_(None)) & (EmailOutbox.created_at < cutoff),
                ),
            )
            .limit(500)
        ).all()
    sweep = uuid.uuid4().hex[:8]
    for email_id, attempts in rows:
        _schedule_attempt(email_id, f"{attempts + 1}-sweep-{sweep}")
    return len(rows)


def resend(email_id: uuid.UUID) -> bool:
    """A dead-lettered mail goes out again (its attempts start over). False when it is not
    failed (sent, or still being tried)."""
    with system_session() as s:
        row = s.get(EmailOutbox, email_id, with_for_update=True)
        if row is None or row.status != "failed":
            return False
        row.status, row.attempts, row.failed_at, row.next_attempt_at = "pending", 0, None, None
    _schedule_attempt(email_id, f"resend-{uuid.uuid4().hex[:8]}")
    return True
