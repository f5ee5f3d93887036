"""Tell a workspace's owners and admins about something they must act on, by email."""

from __future__ import annotations

import logging
import uuid

from sqlalchemy import select

from shared.db.session import system_session
from shared.notifications.outbox import dispatch, queue_email
from shared.tenancy.models import Membership, Tenant, User

log = logging.getLogger("email")
ADMIN_ROLES = ("owner", "admin")


def notify_admins(tenant_id: uuid.UUID, subject: str, body: str) -> list[uuid.UUID]:
    """One email per owner and admin of the workspace, through the outbox. Returns the ids.

    A system session: the outbox and user addresses are not tenant rows (the membership
    query names the workspace itself)."""
    with system_session() as s:
        workspace = s.scalar(select(Tenant.name).where(Tenant.id == tenant_id)) or "your workspace"
        addresses = s.scalars(
            select(User.email)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.tenant_id == tenant_id, Membership.role.in_(ADMIN_ROLES))
            .order_by(User.email)
        ).all()
        ids = [
            queue_email(
                s,
                address,
                f"[{workspace}] {subject}",
                f"{body}\n\n— {workspace}\n",
                tenant_id=tenant_id,
            )
            for address in addresses
        ]
    if not ids:
        log.warning("no owner or admin to tell in workspace %s: %s", tenant_id, subject)
    dispatch(ids)
    return ids
