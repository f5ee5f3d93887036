"""Response headers every answer carries (security and CORS), set in one place.

Both the local gateway and each function's entry point call `secure`, so an answer made
anywhere (a handler, a 404 of the gateway, a static page) leaves with the same headers.
Setting them twice is harmless: the values are the same.
"""

from __future__ import annotations

import hashlib

from werkzeug.wrappers import Request, Response

from shared.config import get_settings

# Headers a cross-origin caller may send and read (when its origin is allowed).
CORS_REQUEST_HEADERS = "Authorization, Content-Type, Idempotency-Key, If-None-Match, X-Request-Id"
CORS_EXPOSED_HEADERS = "X-Request-Id, Retry-After, Location, ETag"
CORS_MAX_AGE_SECONDS = 600
HSTS = "max-age=31536000; includeSubDomains"
NO_STORE = "no-store"


def served_over_https(request: Request) -> bool:
    """HTTPS at the client's end: the request itself, a trusted proxy's
    X-Forwarded-Proto, or a deployment whose public URL is https."""
    settings = get_settings()
    if request.scheme == "https" or settings.public_base_url.startswith("https://"):
        return True
    forwarded = request.headers.get("X-Forwarded-Proto", "")
    return settings.forwarded_for_hops > 0 and forwarded.split(",")[-1].strip() == "https"


def allowed_origin(request: Request) -> str | None:
    """The request's Origin when the CORS_ALLOWED_ORIGINS allow-list names it."""
    origin = request.headers.get("Origin")
    if not origin:
        return None
    allowed = {o.strip().rstrip("/") for o in get_settings().cors_allowed_origins.split(",")}
    return origin if origin.rstrip("/") in allowed - {""} else None


def secure(request: Request, response: Response) -> Response:
    settings = get_settings()
    headers = response.headers
    headers["X-Content-Type-Options"] = "nosniff"
    headers.setdefault("Referrer-Policy", "no-referrer")
    if response.mimetype == "text/html":
        headers["Content-Security-Policy"] = settings.content_security_policy
        headers["X-Frame-Options"] = "DENY"
    if served_over_https(request):
        headers["Strict-Transport-Security"] = HSTS
    origin = allowed_origin(request)
    if origin:
        headers["Access-Control-Allow-Origin"] = origin
        headers["Access-Control-Expose-Headers"] = CORS_EXPOSED_HEADERS
    if request.headers.get("Origin") and "Origin" not in headers.get("Vary", ""):
        headers.add("Vary", "Origin")
    return response


def preflight(request: Request, allow: str) -> Response:
    """The answer to OPTIONS on a known resource: its methods, and the CORS grant when
    the origin is allowed (a browser refuses the call otherwise)."""
    response = Response(status=204, headers={"Allow": allow})
    if allowed_origin(request):
        response.headers["Access-Control-Allow-Methods"] = allow
        response.headers["Access-Control-Allow-Headers"] = CORS_REQUEST_HEADERS
        response.headers["Access-Control-Max-Age"] = str(CORS_MAX_AGE_SECONDS)
    return response


def conditional(request: Request, response: Response) -> Response:
    """Answer a conditional GET (RFC 9110): a strong `ETag` hashed from the body, and a
    bodiless 304 when `If-None-Match` names it (weak comparison, `*` included). The work of
    the answer is done either way; what a poller saves is the transfer, the parse and the
    re-render of an unchanged answer. `private, no-cache`: caches keep it but ask first."""
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return response
    tag = hashlib.sha256(response.get_data()).hexdigest()[:32]
    response.set_etag(tag)
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers.add("Vary", "Authorization")
    if request.if_none_match.contains_weak(tag):
        unchanged = Response(status=304)
        for name in ("ETag", "Cache-Control", "Vary"):
            for value in response.headers.getlist(name):
                unchanged.headers.add(name, value)
        return unchanged
    return response
