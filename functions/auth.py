"""auth: accounts and sessions (signup, login, refresh, logout, email links, passwords)."""

from __future__ import annotations

from shared.http.function import HttpFunction, Request
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
def login(req: Request, body: schemas.LoginIn) -> schemas.SessionOut:
    """Only failed attempts count. Past a number of failures of one email from one
    address, or of one address over any emails, each attempt waits a delay that doubles
    (429 with Retry-After), up to the window; the account itself is never locked."""
    return service.login(body, req.client_ip, _ua(req))


@app.operation
def refresh(req: Request, body: schemas.RefreshIn) -> schemas.TokenPair:
    """The presented token is spent; presenting it again revokes the whole session."""
    return service.refresh(body.refresh_token, req.client_ip, _ua(req))


@app.operation
def logout(req: Request, body: schemas.RefreshIn) -> None:
    service.logout(req.require_principal(), body.refresh_token)


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
