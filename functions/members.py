"""members: who is in the workspace, with which role; invitations."""

from __future__ import annotations

import uuid

from werkzeug.wrappers import Response

from shared.http import session_cookie as cookie
from shared.http.function import HttpFunction, Request
from shared.tenancy import schemas, service

app = HttpFunction("members")


@app.operation
def list_members(req: Request) -> schemas.MemberList:
    return service.list_members(req.require_principal())


@app.operation
def invite_member(req: Request, body: schemas.InvitationIn) -> schemas.InvitationOut:
    """Emails an invitation link; only an owner can invite an owner."""
    return service.invite(req.require_principal(), body)


@app.operation
def list_invitations(req: Request) -> schemas.InvitationList:
    return service.list_invitations(req.require_principal())


@app.operation
def revoke_invitation(req: Request, invitation_id: uuid.UUID) -> None:
    service.revoke_invitation(req.require_principal(), invitation_id)


@app.operation
def resend_invitation(req: Request, invitation_id: uuid.UUID) -> schemas.InvitationOut:
    """A new link by email; the previous link stops working."""
    return service.resend_invitation(req.require_principal(), invitation_id)


@app.operation
def accept_invitation(
    req: Request, body: schemas.TokenIn, query: cookie.SessionQuery
) -> schemas.SessionOut | Response:
    """Joins the invitation's workspace (its email must be the caller's) and switches to it."""
    session = service.accept_invitation(
        req.require_principal(), body.token, req.client_ip, req.headers.get("User-Agent")
    )
    return cookie.session_reply(req, session, query.session)


@app.operation
def change_member_role(req: Request, user_id: uuid.UUID, body: schemas.RoleIn) -> schemas.MemberOut:
    """The last owner cannot be demoted (409)."""
    return service.change_role(req.require_principal(), user_id, body.role)


@app.operation
def remove_member(req: Request, user_id: uuid.UUID) -> None:
    """Admins remove others; anyone may leave. The last owner cannot be removed (409)."""
    service.remove_member(req.require_principal(), user_id)


handler = app
