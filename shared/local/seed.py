"""A demo workspace for the local default, created once."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select

from shared.db.session import system_session, tenant_session
from shared.tenancy.models import Membership, Tenant, User
from shared.tenancy.passwords import hash_password

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo-password-123"  # noqa: S105 - printed for the local default only


@dataclass
class DemoLogin:
    email: str
    password: str
    tenant_id: uuid.UUID
    created: bool


def seed_demo() -> DemoLogin:
    with system_session() as s:
        user = s.scalar(select(User).where(func.lower(User.email) == DEMO_EMAIL))
        if user is not None and user.last_tenant_id is not None:
            return DemoLogin(DEMO_EMAIL, DEMO_PASSWORD, user.last_tenant_id, created=False)
    tenant_id = uuid.uuid4()
    user_id = uuid.uuid4()
    with system_session() as s:
        s.add(
            User(
                id=user_id,
                email=DEMO_EMAIL,
                name="Demo User",
                password_hash=hash_password(DEMO_PASSWORD),
                email_verified_at=func.now(),
            )
        )
    with tenant_session(tenant_id, user_id=user_id) as s:
        s.add(Tenant(id=tenant_id, name="Demo Workspace", settings={"default_region": "US"}))
        s.flush()
        s.add(Membership(tenant_id=tenant_id, user_id=user_id, role="owner"))
    with system_session() as s:
        s.get_one(User, user_id).last_tenant_id = tenant_id
    return DemoLogin(DEMO_EMAIL, DEMO_PASSWORD, tenant_id, created=True)
