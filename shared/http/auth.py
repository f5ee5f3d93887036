"""Authentication of user routes: an access token (JWT) or an API key, as a Bearer token.

The workspace of a request comes only from here, never from the body or the path.
Webhook signatures (Twilio, Stripe) are checked by their own functions.
"""

from __future__ import annotations

import jwt

from shared import registry
from shared.http.function import Request
from shared.http.problems import Problem, forbidden, unauthorized
from shared.tenancy.principal import Principal


def bearer_token(req: Request) -> str:
    header = str(req.headers.get("Authorization", ""))
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorized("Send `Authorization: Bearer <access token or API key>`.")
    return token.strip()


def authenticate(mode: registry.Auth, req: Request) -> Principal | None:
    if mode is not registry.Auth.USER:
        raise Problem(500, "misconfigured", "Misconfigured", f"No authenticator for {mode}.")
    token = bearer_token(req)
    if token.startswith("sk_"):
        from shared.tenancy.service import authenticate_api_key

        principal = authenticate_api_key(token)
        if principal is None:
            raise unauthorized("This API key is not valid.")
    else:
        from shared.tenancy.tokens import decode_access_token

        try:
            claims = decode_access_token(token)
        except jwt.ExpiredSignatureError as exc:
            raise unauthorized("The access token has expired; refresh it.") from exc
        except (jwt.PyJWTError, ValueError) as exc:
            raise unauthorized("The access token is not valid.") from exc
        from shared.tenancy.revocation import is_revoked

        if is_revoked(claims.user_id, claims.tenant_id, claims.session_id, claims.issued_at):
            raise unauthorized("This session has ended; log in again or refresh.")
        principal = Principal(
            tenant_id=claims.tenant_id,
            role=claims.role,
            user_id=claims.user_id,
            session_id=claims.session_id,
        )
    if not principal.at_least(req.route.min_role):
        raise forbidden(f"This needs the {req.route.min_role} role or higher.")
    return principal
