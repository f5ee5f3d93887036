"""Who is calling: a user (access token) or an API key, always within one workspace."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

ROLE_RANK = {"member": 1, "admin": 2, "owner": 3}


@dataclass(frozen=True)
class Principal:
    tenant_id: uuid.UUID
    role: str
    user_id: uuid.UUID | None = None
    api_key_id: uuid.UUID | None = None
    session_id: uuid.UUID | None = None  # the refresh token family of an access token

    def at_least(self, role: str) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]
