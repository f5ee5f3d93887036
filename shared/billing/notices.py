"""Billing events and emails: written with the change that causes them, sent after it.

A `BillingEvent` row is the outbox of one event: inserted in the transaction of its
cause (unique per workspace and `dedupe_key`, so a cause counts once), published after
the commit, and published again by the next pass while `published_at` is empty (at least
once: consumers are idempotent). Emails to the workspace's owners and admins go through
the email outbox in the same transaction (a system session: the outbox is system-only).
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from shared.billing.events import BillingUpdated, UsageWarning
from shared.billing.models import BillingEvent
from shared.db.session import system_session
from shared.notifications.outbox import queue_email
from shared.queue.events import Event
from shared.tenancy.models import Membership, User

log = logging.getLogger("billing.notices")
EVENT_TYPES: dict[str, type[Event]] = {
    BillingUpdated.event_type: BillingUpdated,
    UsageWarning.event_type: UsageWarning,
}


def add_event(s: Session, tenant_id: uuid.UUID, event: Event, dedupe_key: str) -> bool:
    """Record `event` for publishing; False when this cause was recorded already."""
    inserted = s.scalar(
        insert(BillingEvent)
        .values(
            tenant_id=tenant_id,
            type=event.event_type,
            dedupe_key=dedupe_key[:200],
            data=event.model_dump(mode="json"),
        )
        .on_conflict_do_nothing(index_elements=["tenant_id", "dedupe_key"])
        .returning(BillingEvent.id)
    )
    return inserted is not None


def email_admins(s: Session, tenant_id: uuid.UUID, subject: str, body: str) -> list[uuid.UUID]:
    """Queue one email per owner and admin of the workspace (inside a system session)."""
    addresses = s.scalars(
        select(User.email)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.tenant_id == tenant_id, Membership.role.in_(("owner", "admin")))
        .order_by(User.email)
    ).all()
    return [queue_email(s, address, subject, body, tenant_id=tenant_id) for address in addresses]


def publish_pending(tenant_id: uuid.UUID | None = None, limit: int = 200) -> int:
    """Publish unpublished billing events (of one workspace, or all), oldest first. A queue
    that fails leaves the rest for the next pass (the hourly sweep at the latest)."""
    from shared.queue import publish

    published = 0
    with system_session() as s:
        query = (
            select(BillingEvent)
            .where(BillingEvent.published_at.is_(None))
            .order_by(BillingEvent.created_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        if tenant_id is not None:
            query = query.where(BillingEvent.tenant_id == tenant_id)
        for row in s.scalars(query).all():
            kind = EVENT_TYPES.get(row.type)
            if kind is None:
                log.error("billing event %s of unknown type %s", row.id, row.type)
                continue
            try:
                publish(row.type, kind.model_validate(row.data), tenant_id=row.tenant_id)
            except Exception:
                log.warning("billing event %s not published yet", row.id, exc_info=True)
                break
            s.execute(
                update(BillingEvent)
                .where(BillingEvent.id == row.id)
                .values(published_at=datetime.now(UTC))
            )
            published += 1
    return published


def send_emails(email_ids: list[uuid.UUID]) -> None:
    """After the commit: hand the queued emails to the email task."""
    if email_ids:
        from shared.notifications.outbox import dispatch

        dispatch(email_ids)
