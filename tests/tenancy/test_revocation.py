"""Access tokens end at once, not at their expiry: logout, a revoked session, a password
reset, a role change, a removal from the workspace."""

from __future__ import annotations

import httpx

from tests.fakes.smtp import Mailbox
from tests.identity_helpers import PASSWORD, Account, bearer, signup


def _login(api: httpx.Client, account: Account) -> dict[str, str]:
    r = api.post("/v1/auth/login", json={"email": account.email, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return dict(r.json())


def _me(api: httpx.Client, token: str) -> int:
    return api.get("/v1/me", headers=bearer(token)).status_code


def test_logout_ends_that_sessions_access_token_only(api: httpx.Client) -> None:
    account = signup(api, "rv")
    other = _login(api, account)
    assert _me(api, account.access_token) == 200
    r = api.post(
        "/v1/auth/logout", json={"refresh_token": account.refresh_token}, headers=account.headers
    )
    assert r.status_code == 204
    assert _me(api, account.access_token) == 401
    assert _me(api, other["access_token"]) == 200  # another session (device) goes on


def test_a_reused_refresh_token_ends_the_access_tokens_of_its_session(api: httpx.Client) -> None:
    account = signup(api, "rv")
    rotated = api.post("/v1/auth/refresh", json={"refresh_token": account.refresh_token}).json()
    assert _me(api, rotated["access_token"]) == 200
    reuse = api.post("/v1/auth/refresh", json={"refresh_token": account.refresh_token})
    assert reuse.status_code == 401
    assert _me(api, rotated["access_token"]) == 401
    assert _me(api, account.access_token) == 401


def test_a_password_reset_ends_every_access_token(api: httpx.Client, mailbox: Mailbox) -> None:
    account = signup(api, "rv")
    second = _login(api, account)
    api.post("/v1/auth/password/forgot", json={"email": account.email})
    token = mailbox.wait_for(account.email, "Reset your password").link_token()
    new_password = "a-new-passphrase-for-rv-9"
    r = api.post("/v1/auth/password/reset", json={"token": token, "password": new_password})
    assert r.status_code == 200, r.text
    assert _me(api, account.access_token) == 401
    assert _me(api, second["access_token"]) == 401
    fresh = api.post("/v1/auth/login", json={"email": account.email, "password": new_password})
    assert _me(api, fresh.json()["access_token"]) == 200


def _add_member(api: httpx.Client, owner: Account, mailbox: Mailbox, role: str) -> Account:
    member = signup(api, "rvmember")
    r = api.post(
        "/v1/members/invitations", json={"email": member.email, "role": role}, headers=owner.headers
    )
    assert r.status_code == 201, r.text
    invite = mailbox.wait_for(member.email, "invited").link_token()
    r = api.post("/v1/invitations/accept", json={"token": invite}, headers=member.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    member.access_token, member.refresh_token = body["access_token"], body["refresh_token"]
    return member


def test_a_role_change_ends_the_tokens_that_carry_the_old_role(
    api: httpx.Client, mailbox: Mailbox
) -> None:
    owner = signup(api, "rvowner")
    member = _add_member(api, owner, mailbox, "admin")
    own = api.post(f"/v1/workspaces/{member.workspace_id}/switch", headers=member.headers)
    own_workspace_token = own.json()["access_token"]  # their own workspace
    assert api.get("/v1/api-keys", headers=member.headers).status_code == 200
    r = api.patch(f"/v1/members/{member.user_id}", json={"role": "member"}, headers=owner.headers)
    assert r.status_code == 200, r.text
    assert _me(api, member.access_token) == 401
    assert _me(api, own.json()["access_token"]) == 200  # other workspaces: untouched
    # A refresh gets a token with the new role.
    refreshed = api.post("/v1/auth/refresh", json={"refresh_token": member.refresh_token})
    assert refreshed.status_code == 200, refreshed.text
    token = refreshed.json()["access_token"]
    assert api.get("/v1/me", headers=bearer(token)).json()["role"] == "member"
    assert _me(api, own_workspace_token) == 200


def test_a_removal_ends_the_members_access_at_once(api: httpx.Client, mailbox: Mailbox) -> None:
    owner = signup(api, "rvowner")
    member = _add_member(api, owner, mailbox, "member")
    assert api.get("/v1/contacts", headers=member.headers).status_code == 200
    r = api.delete(f"/v1/members/{member.user_id}", headers=owner.headers)
    assert r.status_code == 204, r.text
    assert api.get("/v1/contacts", headers=member.headers).status_code == 401
