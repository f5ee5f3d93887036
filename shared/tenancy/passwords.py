"""Password hashing (bcrypt) and the strength rule for new passwords."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import bcrypt

from shared.tenancy.schemas import PASSWORD_MAX_BYTES as MAX_BYTES
from shared.tenancy.schemas import PASSWORD_MIN_LENGTH as MIN_LENGTH

_ROUNDS = int(os.environ.get("BCRYPT_ROUNDS", "12"))  # lower only in tests


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(_ROUNDS)).decode()


def verify_password(password: str, hashed: str) -> bool:
    try:
        return bcrypt.checkpw(password.encode(), hashed.encode())
    except ValueError:
        return False


# A valid hash to compare against when the email is unknown, so that a wrong email and a
# wrong password take the same time.
_DUMMY_HASH: str | None = None


def burn_time(password: str) -> None:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password("not-a-real-password-0")
    verify_password(password, _DUMMY_HASH)


@lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    path = Path(__file__).with_name("common_passwords.txt")
    return frozenset(
        line.strip().lower()
        for line in path.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    )


def password_problem(password: str, email: str | None = None) -> str | None:
    """Why this password is refused, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password.encode()) > MAX_BYTES:
        return f"Use at most {MAX_BYTES} bytes."
    lowered = password.lower()
    if lowered in _common() or len(set(lowered)) <= 2:
        return "This password is too common; choose another."
    if email and lowered == email.lower().split("@")[0]:
        return "Do not use your email address as a password."
    return None
