"""auth: accounts and sessions (signup, login, refresh, logout, email links, passwords)."""

from __future__ import annotations

from werkzeug.wrappers import Response

from shared.http import session_cookie as cookie
from shared.http.function import HttpFunction, Request
from shared.http.problems import Problem
from shared.tenancy import schemas, service

app = HttpFunction("auth")


def _ua(req: Request) -> str | None:
    return req.headers.get("User-Agent")


@app.operation
def signup(req: Request, body: schemas.SignupIn) -> schemas.Accepted:
    """Creates the user and a workspace they own and sends an email verification link;
    then log in. The answer is the same when the email already has an account (its owner
    is told by email), so signup does not reveal which addresses have one."""
    return service.signup(body, req.client_ip)


@app.operation
def login(
    req: Request, body: schemas.LoginIn, query: cookie.SessionQuery
) -> schemas.SessionOut | Response:
    """Only failed attempts count. Past a number of failures of one email from one
    address, or of one address over any emails, each attempt waits a delay that doubles
    (429 with Retry-After), up to the window; the account itself is never locked.
    `?session=cookie` (the console): the refresh token goes into an HttpOnly cookie."""
    session = service.login(body, req.client_ip, _ua(req))
    return cookie.session_reply(req, session, query.session)


@app.operation
def refresh(
    req: Request, body: schemas.RefreshIn | None, query: cookie.SessionQuery
) -> schemas.TokenPair | Response:
    """The presented token is spent; presenting it again revokes the whole session.

    Without a body token the console's cookie is used (its Origin must be the console's);
    a refused cookie is removed, which logs the browser out."""
    token, from_cookie = cookie.refresh_token_of(req, body.refresh_token if body else None)
    try:
        pair = service.refresh(token, req.client_ip, _ua(req))
    except Problem as problem:
        raise cookie.without_cookie_on_failure(problem, req, from_cookie) from None
    return cookie.session_reply(req, pair, "cookie" if from_cookie else query.session)


@app.operation
def logout(req: Request, body: schemas.RefreshIn | None) -> Response:
    """Revokes the session of the body's token, or of the console's cookie (and removes it)."""
    token, _ = cookie.refresh_token_of(req, body.refresh_token if body else None)
    service.logout(req.require_principal(), token)
    return cookie.logged_out_reply(req)


@app.operation
def request_email_verification(req: Request) -> schemas.Accepted:
    service.request_email_verification(req.require_principal())
    return schemas.Accepted(detail="A verification link is on its way.")


@app.operation
def verify_email(body: schemas.TokenIn) -> schemas.Accepted:
    service.verify_email(body.token)
    return schemas.Accepted(detail="Your email address is verified.")


@app.operation
def forgot_password(req: Request, body: schemas.EmailIn) -> schemas.Accepted:
    service.forgot_password(body.email, req.client_ip)
    return schemas.Accepted(detail="If an account has this email, a reset link is on its way.")


@app.operation
def reset_password(body: schemas.PasswordResetIn) -> schemas.Accepted:
    service.reset_password(body.token, body.password)
    return schemas.Accepted(detail="Your password has been changed; log in again.")


handler = app
