"""Database errors that bad input can cause, as problems (one mapping for every route).

A route should check what it can first (and say more: which campaigns use a pool); this
is the net under all of them, so no constraint or data error reaches the caller as a 500.
"""

from __future__ import annotations

import re
from typing import Any

from shared.http.problems import Problem

# SQLSTATE -> (status, slug, title). Class 23 is integrity, class 22 is bad data.
_INTEGRITY: dict[str, tuple[int, str, str]] = {
    "23505": (409, "already-exists", "Already exists"),
    "23514": (422, "constraint-violated", "Constraint violated"),
    "23502": (422, "missing-value", "Missing value"),
    "23P01": (409, "conflict", "Conflict"),
}
_STILL_REFERENCED = re.compile(r'is still referenced from table "(?P<table>[^"]+)"')


def _fields(exc: BaseException) -> dict[str, Any]:
    """pg8000 puts PostgreSQL's error fields in a dict (C: SQLSTATE, D: detail, ...)."""
    orig = getattr(exc, "orig", None)
    args = getattr(orig, "args", None)
    if args and isinstance(args[0], dict):
        return args[0]
    return {}


def problem_for(exc: BaseException) -> Problem | None:
    """The problem a database error stands for, or None when it is our bug (a 500)."""
    from sqlalchemy.exc import DBAPIError

    if not isinstance(exc, DBAPIError):
        return None
    fields = _fields(exc)
    code = str(fields.get("C", ""))
    constraint = fields.get("n")
    detail = str(fields.get("D") or fields.get("M") or "")
    if code == "23503":
        referenced = _STILL_REFERENCED.search(detail)
        if referenced:
            table = referenced["table"].replace("_", " ")
            return Problem(
                409, "in-use", "In use", f"This is still used by {table}.", constraint=constraint
            )
        return Problem(
            422,
            "unknown-reference",
            "Unknown reference",
            "A referenced resource does not exist in this workspace.",
            constraint=constraint,
        )
    if code in _INTEGRITY:
        status, slug, title = _INTEGRITY[code]
        return Problem(status, slug, title, detail or title, constraint=constraint)
    if code.startswith("22"):
        return Problem(
            422,
            "invalid-value",
            "Invalid value",
            f"A value cannot be stored: {fields.get('M', 'invalid data')}.",
        )
    return None
