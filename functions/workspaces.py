"""workspaces: the signed-in user, their workspaces, and the switcher."""

from __future__ import annotations

import uuid

from werkzeug.wrappers import Response

from shared.http import session_cookie as cookie
from shared.http.function import HttpFunction, Request
from shared.tenancy import schemas, service

app = HttpFunction("workspaces")


@app.operation
def get_me(req: Request) -> schemas.MeOut:
    return service.me(req.require_principal())


@app.operation
def update_me(req: Request, body: schemas.ProfilePatch) -> schemas.UserOut:
    return service.update_profile(req.require_principal(), body)


@app.operation
def change_password(req: Request, body: schemas.PasswordChangeIn) -> None:
    """422 on `current_password` when it is wrong; the user's other sessions end, this one
    stays signed in."""
    service.change_password(req.require_principal(), body)


@app.operation
def list_workspaces(req: Request) -> schemas.WorkspaceList:
    return service.list_workspaces(req.require_principal())


@app.operation
def create_workspace(req: Request, body: schemas.WorkspaceIn) -> schemas.MembershipOut:
    return service.create_workspace(req.require_principal(), body.name)


@app.operation
def switch_workspace(
    req: Request, workspace_id: uuid.UUID, query: cookie.SessionQuery
) -> schemas.SessionOut | Response:
    """404 when the caller is not a member of that workspace."""
    session = service.switch_workspace(
        req.require_principal(), workspace_id, req.client_ip, req.headers.get("User-Agent")
    )
    return cookie.session_reply(req, session, query.session)


@app.operation
def get_workspace_settings(req: Request) -> schemas.WorkspaceSettingsOut:
    return service.workspace_settings(req.require_principal())


@app.operation
def update_workspace_settings(
    req: Request, body: schemas.WorkspaceSettingsPatch
) -> schemas.WorkspaceSettingsOut:
    """Admins and owners."""
    return service.update_workspace_settings(req.require_principal(), body)


handler = app
