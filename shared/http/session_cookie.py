"""Browser sessions: the refresh token in an HttpOnly cookie instead of the JSON body.

API clients keep the JSON contract (the refresh token in the body, sent back in the body).
The console asks for cookie sessions with `?session=cookie` on the routes that issue a
session (signup, login, refresh, workspace switch, invitation acceptance): the refresh
token is then set as an `HttpOnly`, `SameSite=Strict` cookie scoped to `/v1/auth` (and
`Secure` under https) and left out of the body, so page scripts never see it.

A request that authenticates with the cookie (refresh and logout without a body token)
must come from a trusted `Origin`: the console's own (APP_BASE_URL), the API's
(PUBLIC_BASE_URL), or outside prod any loopback origin (`make web` runs `next dev` on a
port of its own). SameSite=Strict already keeps the cookie off cross-site requests; the
Origin check is the second wall.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, Field
from werkzeug.http import dump_cookie
from werkzeug.wrappers import Response

from shared.config import get_settings
from shared.http.function import Request
from shared.http.problems import Problem, forbidden, unauthorized
from shared.tenancy.schemas import TokenPair

REFRESH_COOKIE = "smsplat_refresh"
COOKIE_PATH = "/v1/auth"
SessionMode = Literal["token", "cookie"]


class SessionQuery(BaseModel):
    session: SessionMode = Field(
        "token",
        description=(
            "`token` (API clients): the refresh token is in the body. `cookie` (browsers): "
            "it is set as an HttpOnly, SameSite=Strict cookie scoped to /v1/auth and the "
            "body's `refresh_token` is null."
        ),
    )


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _trusted(origin: str) -> bool:
    settings = get_settings()
    if origin in {_origin(settings.app_base_url), _origin(settings.public_base_url)}:
        return True
    if settings.environment != "prod":
        host = urlsplit(origin).hostname or ""
        return origin.startswith("http://") and host in {"127.0.0.1", "localhost", "::1"}
    return False


def check_origin(req: Request) -> None:
    """Refuse a cookie-authenticated request that does not come from the console."""
    origin = str(req.headers.get("Origin", "")).strip().lower()
    if not origin or not _trusted(origin):
        raise forbidden("Cookie sessions are only accepted from the console's origin.")


def _secure(req: Request) -> bool:
    settings = get_settings()
    forwarded = str(req.headers.get("X-Forwarded-Proto", "")).lower()
    return (
        req.raw.scheme == "https"
        or forwarded == "https"
        or settings.public_base_url.startswith("https://")
    )


def _cookie(req: Request, value: str, max_age: int) -> str:
    return dump_cookie(
        REFRESH_COOKIE,
        value,
        max_age=max_age,
        path=COOKIE_PATH,
        secure=_secure(req),
        httponly=True,
        samesite="Strict",
    )


def clearing_cookie(req: Request) -> str:
    """A Set-Cookie header value that removes the session cookie."""
    return _cookie(req, "", 0)


def refresh_token_of(req: Request, body_token: str | None) -> tuple[str, bool]:
    """The refresh token of this request and whether it came from the cookie.

    A token in the body wins (API clients); otherwise the cookie, from a trusted Origin.
    """
    if body_token:
        return body_token, False
    token = req.raw.cookies.get(REFRESH_COOKIE)
    if not token:
        raise unauthorized("Send `refresh_token` in the body, or the console's session cookie.")
    check_origin(req)
    return token, True


def without_cookie_on_failure(problem: Problem, req: Request, from_cookie: bool) -> Problem:
    """A refused cookie refresh also removes the cookie: the browser is logged out."""
    if from_cookie and problem.status == 401:
        problem.headers["Set-Cookie"] = clearing_cookie(req)
    return problem


def session_reply(req: Request, result: TokenPair, mode: SessionMode) -> Response:
    """The route's JSON answer; in cookie mode the refresh token moves into the cookie."""
    headers: list[tuple[str, str]] = []
    if mode == "cookie" and result.refresh_token:
        ttl = get_settings().refresh_token_ttl_seconds
        headers.append(("Set-Cookie", _cookie(req, result.refresh_token, ttl)))
        result = result.model_copy(update={"refresh_token": None})
    headers.append(("Cache-Control", "no-store"))
    return Response(
        result.model_dump_json(),
        status=req.route.status,
        headers=headers,
        mimetype="application/json",
    )


def logged_out_reply(req: Request) -> Response:
    """204, removing the cookie (harmless for API clients, who have none)."""
    return Response(status=204, headers=[("Set-Cookie", clearing_cookie(req))])
