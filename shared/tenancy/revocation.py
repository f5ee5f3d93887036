"""Access tokens that end before they expire: logout, a revoked session, a password reset,
a role change or a removal from the workspace take effect on the next request.

Each event writes a "not before" time in Redis, per session (refresh token family), per
user, or per user in one workspace; a token issued at or before it is refused. Checking a
token is one MGET of three keys. The keys live as long as an access token can, since an
older token has expired by itself.
"""

from __future__ import annotations

import time
import uuid

from shared.cache import get_redis
from shared.config import get_settings


def _family(family_id: uuid.UUID) -> str:
    return f"nbf:f:{family_id}"


def _user(user_id: uuid.UUID, tenant_id: uuid.UUID | None = None) -> str:
    return f"nbf:u:{user_id}" + (f":{tenant_id}" if tenant_id else "")


def _mark(key: str) -> None:
    ttl = get_settings().access_token_ttl_seconds + 60
    get_redis().set(key, repr(time.time()), ex=ttl)


def end_session(family_id: uuid.UUID) -> None:
    """Every access token of this session (logout, reuse detected)."""
    _mark(_family(family_id))


def end_user_tokens(user_id: uuid.UUID, tenant_id: uuid.UUID | None = None) -> None:
    """Every access token of a user (password reset), or of a user in one workspace
    (role change, removal)."""
    _mark(_user(user_id, tenant_id))


def is_revoked(
    user_id: uuid.UUID, tenant_id: uuid.UUID, family_id: uuid.UUID | None, issued_at: float
) -> bool:
    keys = [_user(user_id), _user(user_id, tenant_id)]
    if family_id is not None:
        keys.append(_family(family_id))
    return any(value is not None and issued_at <= float(value) for value in get_redis().mget(keys))
