"""The workspace's mail: listed for its admins (dead letters included), resent on demand.

A workspace's mail is what the platform wrote about it (invitations, notices, alerts) and
what it sent to its members (verification, password reset)."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, func, or_, select

from shared.db.session import system_session
from shared.http.pagination import keyset_page, page_of
from shared.http.problems import conflict, not_found
from shared.notifications import outbox, schemas
from shared.notifications.models import EmailOutbox
from shared.tenancy.models import Membership, User
from shared.tenancy.principal import Principal


def _of_workspace(tenant_id: uuid.UUID) -> ColumnElement[bool]:
    members = (
        select(func.lower(User.email))
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.tenant_id == tenant_id)
    )
    return or_(
        EmailOutbox.tenant_id == tenant_id,
        (EmailOutbox.tenant_id.is_(None)) & (func.lower(EmailOutbox.to_address).in_(members)),
    )


def list_emails(principal: Principal, query: schemas.EmailQuery) -> schemas.EmailList:
    with system_session() as s:  # the outbox is the platform's; scoped here by workspace
        stmt = select(EmailOutbox).where(_of_workspace(principal.tenant_id))
        if query.status:
            stmt = stmt.where(EmailOutbox.status == query.status)
        rows = list(s.scalars(keyset_page(stmt, EmailOutbox.created_at, EmailOutbox.id, query)))
        page, cursor = page_of(rows, query, "created_at")
        return schemas.EmailList(
            data=[schemas.EmailOut.model_validate(r) for r in page], next_cursor=cursor
        )


def resend_email(principal: Principal, email_id: uuid.UUID) -> schemas.EmailOut:
    with system_session() as s:
        row = s.scalar(
            select(EmailOutbox).where(
                EmailOutbox.id == email_id, _of_workspace(principal.tenant_id)
            )
        )
        if row is None:
            raise not_found("Email")
        if row.status != "failed":
            raise conflict(
                f"Only a failed (dead-lettered) email can be resent; this one is {row.status}.",
                "email-not-failed",
            )
    if not outbox.resend(email_id):  # another resend was first
        raise conflict("The email is already being resent.", "email-not-failed")
    with system_session() as s:
        return schemas.EmailOut.model_validate(s.get_one(EmailOutbox, email_id))
