"""Access tokens (short-lived JWT) and opaque secrets (refresh, email, invitation, API keys)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import jwt

from shared.config import get_settings

ISSUER = "smsplatform"
ALGORITHM = "HS256"


@dataclass(frozen=True)
class AccessClaims:
    user_id: uuid.UUID
    tenant_id: uuid.UUID
    role: str
    session_id: uuid.UUID | None  # the refresh token family the token came with
    issued_at: float  # seconds, sub-second: a revocation compares with it


def issue_access_token(
    user_id: uuid.UUID, tenant_id: uuid.UUID, role: str, session_id: uuid.UUID | None = None
) -> str:
    settings = get_settings()
    now = datetime.now(UTC)
    claims = {
        "iss": ISSUER,
        "sub": str(user_id),
        "tid": str(tenant_id),
        "role": role,
        "iat": now.timestamp(),
        "exp": now.timestamp() + settings.access_token_ttl_seconds,
        "typ": "access",
    }
    if session_id is not None:
        claims["sid"] = str(session_id)
    return jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm=ALGORITHM)


def decode_access_token(token: str) -> AccessClaims:
    """Raises jwt.PyJWTError (expired, bad signature, malformed) or ValueError."""
    claims = jwt.decode(
        token,
        get_settings().jwt_secret.get_secret_value(),
        algorithms=[ALGORITHM],
        issuer=ISSUER,
        options={"require": ["exp", "iat", "sub", "tid", "role"]},
    )
    if claims.get("typ") != "access":
        raise ValueError("not an access token")
    sid = claims.get("sid")
    return AccessClaims(
        uuid.UUID(claims["sub"]),
        uuid.UUID(claims["tid"]),
        str(claims["role"]),
        uuid.UUID(sid) if sid else None,
        float(claims["iat"]),
    )


def new_secret(prefix: str, nbytes: int = 32) -> str:
    return prefix + secrets.token_urlsafe(nbytes)


def digest(secret: str) -> str:
    """SHA-256 of a high-entropy secret: enough for lookup, useless if the table leaks."""
    return hashlib.sha256(secret.encode()).hexdigest()


def same_digest(secret: str, stored: str) -> bool:
    return hmac.compare_digest(digest(secret), stored)
