"""One retry policy for mail, the outbox's: a failing SMTP server never fails the task (the
queue's own attempt limit cannot strand a `pending` row); the outbox schedules each next
attempt, and past the last one the mail is dead-lettered, visible to the workspace's
admins with its reason, and can be resent."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import update

from shared.config import get_settings
from shared.db.session import system_session
from shared.notifications import outbox
from shared.notifications.models import EmailOutbox
from tests import services
from tests.conversations.helpers import RecordingBackend
from tests.fakes.smtp import Mailbox
from tests.identity_helpers import signup
from tests.messaging.helpers import wait_until


@pytest.fixture
def smtp_down(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("SMTP_PORT", str(services.free_port()))  # nothing listens there
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


def _row(email_id: uuid.UUID) -> EmailOutbox:
    with system_session() as s:
        return s.get_one(EmailOutbox, email_id)


def _make_due(email_id: uuid.UUID) -> None:
    with system_session() as s:
        s.execute(
            update(EmailOutbox)
            .where(EmailOutbox.id == email_id)
            .values(next_attempt_at=datetime.now(UTC) - timedelta(seconds=1))
        )


def test_failures_are_retried_by_the_outbox_then_dead_lettered_and_resent(
    api: httpx.Client, recording_queue: RecordingBackend, smtp_down: None, mailbox: Mailbox
) -> None:
    owner = signup(api, "mailer")
    with system_session() as s:
        email_id = outbox.queue_email(
            s, owner.email, "Dead letter test", "Body", tenant_id=uuid.UUID(owner.workspace_id)
        )
    for attempt in range(1, outbox.MAX_ATTEMPTS + 1):
        assert outbox.send_email(email_id) is False  # failed, and did not raise
        row = _row(email_id)
        assert row.attempts == attempt
        assert "ConnectionRefusedError" in (row.last_error or "")
        if attempt < outbox.MAX_ATTEMPTS:
            assert row.status == "pending"
            assert row.next_attempt_at is not None
            # The next attempt is the outbox's own task, after its backoff.
            (_, payload, at, key) = recording_queue.scheduled[-1]
            assert payload == {"email_id": str(email_id)}
            assert key == f"email-{email_id}-{attempt + 1}"
            assert at == row.next_attempt_at
            assert outbox.send_email(email_id) is False  # an early duplicate does nothing
            assert _row(email_id).attempts == attempt
            _make_due(email_id)
    row = _row(email_id)
    assert row.status == "failed"
    assert row.failed_at is not None
    assert row.next_attempt_at is None

    # Visible to the workspace's admins, with the reason.
    listed = api.get("/v1/emails?status=failed", headers=owner.headers)
    assert listed.status_code == 200, listed.text
    (mail,) = [m for m in listed.json()["data"] if m["id"] == str(email_id)]
    assert mail["status"] == "failed"
    assert mail["attempts"] == outbox.MAX_ATTEMPTS
    assert "ConnectionRefusedError" in mail["last_error"]
    # Not to another workspace.
    other = signup(api, "stranger")
    theirs = api.get("/v1/emails", headers=other.headers).json()["data"]
    assert str(email_id) not in {m["id"] for m in theirs}
    assert {m["to_address"] for m in theirs} == {other.email}  # their own mail only
    gone = api.post(f"/v1/emails/{email_id}/resend", headers=other.headers)
    assert gone.status_code == 404
    assert gone.headers["content-type"].startswith("application/problem+json")

    # Resent once SMTP is back: its attempts start over, and it arrives.
    get_settings.cache_clear()
    import os

    os.environ["SMTP_PORT"] = str(mailbox.port)
    get_settings.cache_clear()
    resent = api.post(f"/v1/emails/{email_id}/resend", headers=owner.headers)
    assert resent.status_code == 200, resent.text
    assert resent.json()["status"] in ("pending", "sent")
    mailbox.wait_for(owner.email, "Dead letter test")
    row = wait_until(lambda: (r := _row(email_id)).status == "sent" and r)
    assert row.attempts == 1  # the attempts started over
    again = api.post(f"/v1/emails/{email_id}/resend", headers=owner.headers)
    assert again.status_code == 409  # only a failed mail


def test_a_pending_mail_whose_task_was_lost_is_swept(
    api: httpx.Client, recording_queue: RecordingBackend, mailbox: Mailbox
) -> None:
    owner = signup(api, "swept")
    with system_session() as s:
        email_id = outbox.queue_email(s, owner.email, "Lost task", "Body")  # never dispatched
        s.flush()
        s.execute(
            update(EmailOutbox)
            .where(EmailOutbox.id == email_id)
            .values(created_at=datetime.now(UTC) - timedelta(minutes=10))
        )
    assert outbox.sweep_pending() >= 1
    mailbox.wait_for(owner.email, "Lost task")
    assert wait_until(lambda: _row(email_id).status == "sent")
    # A member's own mail (no workspace on the row) is the workspace's too.
    listed = api.get("/v1/emails", headers=owner.headers).json()["data"]
    assert str(email_id) in {m["id"] for m in listed}
