"""Password hashing with bcrypt (cost 12 in production; lower only in tests)."""

from __future__ import annotations

import os

import bcrypt

_ROUNDS = int(os.environ.get("BCRYPT_ROUNDS", "12"))


def hash_password(password: str) -> str:
    # bcrypt reads at most 72 bytes; longer passwords are refused at validation.
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(_ROUNDS)).decode()


def verify_password(password: str, hashed: str) -> bool:
    try:
        return bcrypt.checkpw(password.encode(), hashed.encode())
    except ValueError:
        return False
