"""RFC 9457 problem details: every error the API returns is one of these."""

from __future__ import annotations

from typing import Any

PROBLEM_BASE = "https://smsplatform.dev/problems/"
PROBLEM_CONTENT_TYPE = "application/problem+json"


class Problem(Exception):
    """An error answered as problem+json. `slug` names a stable `type`."""

    def __init__(
        self,
        status: int,
        slug: str,
        title: str,
        detail: str | None = None,
        *,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail or title)
        self.status = status
        self.slug = slug
        self.title = title
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}
        self.extra = extra

    def body(self, instance: str | None = None, request_id: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"type": PROBLEM_BASE + self.slug, "title": self.title}
        body["status"] = self.status
        if self.detail:
            body["detail"] = self.detail
        if instance:
            body["instance"] = instance
        if request_id:
            body["request_id"] = request_id
        if self.errors is not None:
            body["errors"] = self.errors
        body.update(self.extra)
        return body


def bad_request(detail: str, slug: str = "bad-request") -> Problem:
    return Problem(400, slug, "Bad request", detail)


def unauthorized(detail: str = "Authentication required.") -> Problem:
    return Problem(
        401, "unauthorized", "Unauthorized", detail, headers={"WWW-Authenticate": "Bearer"}
    )


def forbidden(detail: str = "You are not allowed to do this.") -> Problem:
    return Problem(403, "forbidden", "Forbidden", detail)


def not_found(what: str = "Resource") -> Problem:
    return Problem(404, "not-found", "Not found", f"{what} not found.")


def conflict(detail: str, slug: str = "conflict", **extra: Any) -> Problem:
    return Problem(409, slug, "Conflict", detail, **extra)


def validation_failed(errors: list[dict[str, Any]], detail: str | None = None) -> Problem:
    return Problem(
        422,
        "validation-error",
        "Validation failed",
        detail or "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5]),
        errors=errors,
    )


def field_error(field: str, message: str, code: str = "invalid") -> Problem:
    return validation_failed([{"field": field, "message": message, "code": code}])


def too_many_requests(retry_after: int, detail: str = "Too many attempts.") -> Problem:
    return Problem(
        429, "rate-limited", "Too many requests", detail, headers={"Retry-After": str(retry_after)}
    )


def pydantic_errors(exc: Any, prefix: str) -> list[dict[str, Any]]:
    """Field paths like `body.contacts[2].phone` from a pydantic ValidationError."""
    out: list[dict[str, Any]] = []
    for err in exc.errors(include_url=False, include_context=False, include_input=False):
        path = prefix
        for part in err["loc"]:
            path += f"[{part}]" if isinstance(part, int) else f".{part}"
        out.append({"field": path, "message": err["msg"], "code": err["type"]})
    return out
