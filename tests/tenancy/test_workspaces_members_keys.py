"""Workspaces, the switcher, members and roles, invitations, API keys."""

from __future__ import annotations

import uuid

import httpx

from tests.fakes.smtp import Mailbox
from tests.identity_helpers import Account, bearer, signup


def test_create_and_switch_workspaces(api: httpx.Client) -> None:
    account = signup(api)
    r = api.post("/v1/workspaces", json={"name": "Second"}, headers=account.headers)
    assert r.status_code == 201
    second = r.json()["workspace"]["id"]
    listed = api.get("/v1/workspaces", headers=account.headers).json()["data"]
    assert {w["workspace"]["id"] for w in listed} == {account.workspace_id, second}

    switched = api.post(f"/v1/workspaces/{second}/switch", headers=account.headers)
    assert switched.status_code == 200
    me = api.get("/v1/me", headers=bearer(switched.json()["access_token"])).json()
    assert me["workspace"]["id"] == second
    # The next login lands in the last-used workspace.
    login = api.post("/v1/auth/login", json={"email": account.email, "password": account.password})
    assert login.json()["workspace"]["id"] == second


def test_switching_to_a_foreign_workspace_is_404(api: httpx.Client) -> None:
    a, b = signup(api, "a"), signup(api, "b")
    assert api.post(f"/v1/workspaces/{a.workspace_id}/switch", headers=b.headers).status_code == 404
    assert api.post(f"/v1/workspaces/{uuid.uuid4()}/switch", headers=b.headers).status_code == 404


def _invite_and_join(api: httpx.Client, mailbox: Mailbox, owner: Account, role: str) -> Account:
    member = signup(api, "invitee")
    r = api.post(
        "/v1/members/invitations", json={"email": member.email, "role": role}, headers=owner.headers
    )
    assert r.status_code == 201, r.text
    token = mailbox.wait_for(member.email, "invited").link_token()
    joined = api.post("/v1/invitations/accept", json={"token": token}, headers=member.headers)
    assert joined.status_code == 200, joined.text
    assert joined.json()["workspace"]["id"] == owner.workspace_id
    assert joined.json()["role"] == role
    member.access_token = joined.json()["access_token"]
    member.refresh_token = joined.json()["refresh_token"]
    return member


def test_invitation_flow_and_roles(api: httpx.Client, mailbox: Mailbox) -> None:
    owner = signup(api, "owner")
    member = _invite_and_join(api, mailbox, owner, "member")
    members = api.get("/v1/members", headers=owner.headers).json()["data"]
    assert {m["email"]: m["role"] for m in members} == {
        owner.email: "owner",
        member.email: "member",
    }

    # A member cannot manage members.
    r = api.post(
        "/v1/members/invitations",
        json={"email": "x@example.com", "role": "member"},
        headers=member.headers,
    )
    assert r.status_code == 403
    r = api.patch(f"/v1/members/{owner.user_id}", json={"role": "member"}, headers=member.headers)
    assert r.status_code == 403

    # Owner promotes the member to admin.
    r = api.patch(f"/v1/members/{member.user_id}", json={"role": "admin"}, headers=owner.headers)
    assert r.status_code == 200
    assert r.json()["role"] == "admin"


def test_invitation_for_someone_else_is_refused(api: httpx.Client, mailbox: Mailbox) -> None:
    owner = signup(api, "owner")
    invited = f"invited-{uuid.uuid4().hex[:8]}@example.com"
    api.post(
        "/v1/members/invitations", json={"email": invited, "role": "admin"}, headers=owner.headers
    )
    token = mailbox.wait_for(invited, "invited").link_token()
    intruder = signup(api, "intruder")
    r = api.post("/v1/invitations/accept", json={"token": token}, headers=intruder.headers)
    assert r.status_code == 403


def test_the_last_owner_cannot_be_removed_or_demoted(api: httpx.Client, mailbox: Mailbox) -> None:
    owner = signup(api, "owner")
    r = api.patch(f"/v1/members/{owner.user_id}", json={"role": "admin"}, headers=owner.headers)
    assert r.status_code == 409
    assert r.json()["type"].endswith("/last-owner")
    assert api.delete(f"/v1/members/{owner.user_id}", headers=owner.headers).status_code == 409

    # With a second owner, the first may step down.
    second = _invite_and_join(api, mailbox, owner, "owner")
    r = api.patch(f"/v1/members/{owner.user_id}", json={"role": "admin"}, headers=second.headers)
    assert r.status_code == 200
    # Now `second` is the last owner again.
    assert api.delete(f"/v1/members/{second.user_id}", headers=second.headers).status_code == 409


def test_removed_member_loses_the_workspace(api: httpx.Client, mailbox: Mailbox) -> None:
    owner = signup(api, "owner")
    member = _invite_and_join(api, mailbox, owner, "member")
    assert api.delete(f"/v1/members/{member.user_id}", headers=owner.headers).status_code == 204
    r = api.post("/v1/auth/refresh", json={"refresh_token": member.refresh_token})
    assert r.status_code == 401
    # Their token for that workspace ended with the removal.
    assert api.get("/v1/me", headers=member.headers).status_code == 401
    # From another workspace of theirs, that one is simply not theirs any more.
    own = api.post(
        f"/v1/workspaces/{member.workspace_id}/switch", headers=bearer(member.access_token)
    )
    assert own.status_code == 401
    relogin = api.post("/v1/auth/login", json={"email": member.email, "password": member.password})
    assert relogin.json()["workspace"]["id"] == member.workspace_id
    token = relogin.json()["access_token"]
    r = api.post(f"/v1/workspaces/{owner.workspace_id}/switch", headers=bearer(token))
    assert r.status_code == 404


def test_api_keys_authenticate_as_the_workspace(api: httpx.Client) -> None:
    owner = signup(api, "owner")
    r = api.post("/v1/api-keys", json={"name": "CI", "role": "admin"}, headers=owner.headers)
    assert r.status_code == 201
    created = r.json()
    secret = created["secret"]
    assert secret.startswith("sk_live_")
    assert created["prefix"] == secret[: len(created["prefix"])]

    me = api.get("/v1/me", headers=bearer(secret))
    assert me.status_code == 200
    assert me.json()["user"] is None
    assert me.json()["workspace"]["id"] == owner.workspace_id
    assert me.json()["role"] == "admin"

    listed = api.get("/v1/api-keys", headers=owner.headers).json()["data"]
    assert [k["id"] for k in listed] == [created["id"]]
    assert "secret" not in listed[0]
    assert listed[0]["last_used_at"] is not None

    assert api.delete(f"/v1/api-keys/{created['id']}", headers=owner.headers).status_code == 204
    assert api.get("/v1/me", headers=bearer(secret)).status_code == 401
    assert api.get("/v1/me", headers=bearer(secret[:-1] + "x")).status_code == 401


def test_a_member_cannot_create_keys_and_nobody_exceeds_their_role(
    api: httpx.Client, mailbox: Mailbox
) -> None:
    owner = signup(api, "owner")
    member = _invite_and_join(api, mailbox, owner, "member")
    r = api.post("/v1/api-keys", json={"name": "x", "role": "member"}, headers=member.headers)
    assert r.status_code == 403
    admin_key = api.post(
        "/v1/api-keys", json={"name": "adm", "role": "admin"}, headers=owner.headers
    ).json()["secret"]
    r = api.post("/v1/api-keys", json={"name": "up", "role": "owner"}, headers=bearer(admin_key))
    assert r.status_code == 403
