"""Settings routes: profile and password change, workspace settings, pending invitations."""

from __future__ import annotations

import time

import httpx

from tests.fakes.smtp import Mailbox
from tests.identity_helpers import PASSWORD, bearer, signup

NEW_PASSWORD = "a-brand-new-passphrase-7"


def test_profile_name_changes_and_is_validated(api: httpx.Client) -> None:
    account = signup(api, "profile")
    r = api.patch("/v1/me", json={"name": "  Ada Lovelace "}, headers=account.headers)
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "Ada Lovelace"
    assert api.get("/v1/me", headers=account.headers).json()["user"]["name"] == "Ada Lovelace"
    for bad in ("", "   ", "x" * 201):
        r = api.patch("/v1/me", json={"name": bad}, headers=account.headers)
        assert r.status_code == 422, bad
        assert r.json()["errors"][0]["field"] == "body.name"


def test_password_change_ends_the_other_sessions_only(api: httpx.Client) -> None:
    account = signup(api, "pw")
    other = api.post("/v1/auth/login", json={"email": account.email, "password": PASSWORD}).json()

    wrong = api.post(
        "/v1/me/password",
        json={"current_password": "not-it-at-all", "new_password": NEW_PASSWORD},
        headers=account.headers,
    )
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "body.current_password"
    weak = api.post(
        "/v1/me/password",
        json={"current_password": PASSWORD, "new_password": "short"},
        headers=account.headers,
    )
    assert weak.status_code == 422
    assert weak.json()["errors"][0]["field"] == "body.new_password"
    # Nothing changed so far: the other session still works.
    assert api.get("/v1/me", headers=bearer(other["access_token"])).status_code == 200

    time.sleep(0.01)  # "not before" compares issue times
    r = api.post(
        "/v1/me/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=account.headers,
    )
    assert r.status_code == 204, r.text
    # This session goes on; the other one is over, access and refresh tokens alike.
    assert api.get("/v1/me", headers=account.headers).status_code == 200
    assert (
        api.post("/v1/auth/refresh", json={"refresh_token": account.refresh_token}).status_code
        == 200
    )
    assert api.get("/v1/me", headers=bearer(other["access_token"])).status_code == 401
    refused = api.post("/v1/auth/refresh", json={"refresh_token": other["refresh_token"]})
    assert refused.status_code == 401
    # The new password logs in, the old one does not.
    ok = {"email": account.email, "password": NEW_PASSWORD}
    assert api.post("/v1/auth/login", json=ok).status_code == 200
    old = {"email": account.email, "password": PASSWORD}
    assert api.post("/v1/auth/login", json=old).status_code == 401


def test_workspace_settings_round_trip_and_limits(api: httpx.Client) -> None:
    account = signup(api, "ws")
    got = api.get("/v1/workspace/settings", headers=account.headers).json()
    assert got["timezone"] == "UTC"
    assert got["quiet_hours"] == {"start": "08:00", "end": "21:00"}
    assert got["help_reply"] is None
    assert "STOP" in got["default_help_reply"]

    body = {
        "name": "Acme Dental",
        "timezone": "America/Chicago",
        "quiet_hours": {"start": "09:30", "end": "20:00"},
        "help_reply": "{name}: call 555-0100. Reply STOP to opt out.",
    }
    r = api.patch("/v1/workspace/settings", json=body, headers=account.headers)
    assert r.status_code == 200, r.text
    assert {k: r.json()[k] for k in body} == body
    assert api.get("/v1/me", headers=account.headers).json()["workspace"]["name"] == "Acme Dental"
    # A campaign made without quiet hours starts with the workspace's window.
    campaign = api.post(
        "/v1/campaigns", json={"name": "c", "body": "Hi"}, headers=account.headers
    ).json()
    assert campaign["quiet_hours"] == {"start": "09:30", "end": "20:00"}
    explicit = api.post(
        "/v1/campaigns",
        json={"name": "c", "body": "Hi", "quiet_hours": None},
        headers=account.headers,
    ).json()
    assert explicit["quiet_hours"] is None

    # null puts the default HELP text back; other fields stay.
    r = api.patch("/v1/workspace/settings", json={"help_reply": None}, headers=account.headers)
    assert r.json()["help_reply"] is None
    assert r.json()["timezone"] == "America/Chicago"

    bad = {
        "timezone": "Mars/Olympus",
        "quiet_hours": {"start": "25:00", "end": "20:00"},
        "help_reply": "Hi {first_name}",
        "name": "",
    }
    for field, value in bad.items():
        r = api.patch("/v1/workspace/settings", json={field: value}, headers=account.headers)
        assert r.status_code == 422, (field, r.text)
        assert r.json()["errors"][0]["field"].startswith(f"body.{field}"), r.text
    r = api.patch("/v1/workspace/settings", json={"help_reply": "x" * 321}, headers=account.headers)
    assert r.status_code == 422
    r = api.patch("/v1/workspace/settings", json={"timezone": None}, headers=account.headers)
    assert r.status_code == 422


def test_workspace_settings_need_an_admin(api: httpx.Client, mailbox: Mailbox) -> None:
    owner = signup(api, "own")
    member = signup(api, "mem")
    api.post(
        "/v1/members/invitations", json={"email": member.email}, headers=owner.headers
    ).raise_for_status()
    token = mailbox.wait_for(member.email, "invited").link_token()
    joined = api.post("/v1/invitations/accept", json={"token": token}, headers=member.headers)
    headers = bearer(joined.json()["access_token"])
    assert api.get("/v1/workspace/settings", headers=headers).status_code == 200
    r = api.patch("/v1/workspace/settings", json={"name": "Mine"}, headers=headers)
    assert r.status_code == 403
    assert api.get("/v1/members/invitations", headers=headers).status_code == 403


def test_pending_invitations_list_revoke_and_resend(api: httpx.Client, mailbox: Mailbox) -> None:
    owner = signup(api, "inv")
    first, second = signup(api, "first"), signup(api, "second")
    for person in (first, second):
        r = api.post(
            "/v1/members/invitations",
            json={"email": person.email, "role": "admin"},
            headers=owner.headers,
        )
        assert r.status_code == 201
    pending = api.get("/v1/members/invitations", headers=owner.headers).json()["data"]
    by_email = {i["email"]: i for i in pending}
    assert set(by_email) == {first.email, second.email}
    assert by_email[first.email]["role"] == "admin"

    # Revoked: gone from the list, and its link no longer works.
    old_first = mailbox.wait_for(first.email, "invited").link_token()
    revoke = api.delete(
        f"/v1/members/invitations/{by_email[first.email]['id']}", headers=owner.headers
    )
    assert revoke.status_code == 204
    again = api.delete(
        f"/v1/members/invitations/{by_email[first.email]['id']}", headers=owner.headers
    )
    assert again.status_code == 404
    r = api.post("/v1/invitations/accept", json={"token": old_first}, headers=first.headers)
    assert r.status_code == 400

    # Resent: a new mail whose link works; the old link does not.
    old_second = mailbox.wait_for(second.email, "invited").link_token()
    count = mailbox.count(second.email)
    r = api.post(
        f"/v1/members/invitations/{by_email[second.email]['id']}/resend", headers=owner.headers
    )
    assert r.status_code == 200, r.text
    deadline = time.monotonic() + 15
    while mailbox.count(second.email) == count and time.monotonic() < deadline:
        time.sleep(0.05)
    new_second = mailbox.wait_for(second.email, "invited").link_token()
    assert new_second != old_second
    stale = api.post("/v1/invitations/accept", json={"token": old_second}, headers=second.headers)
    assert stale.status_code == 400
    ok = api.post("/v1/invitations/accept", json={"token": new_second}, headers=second.headers)
    assert ok.status_code == 200
    assert ok.json()["role"] == "admin"
    assert api.get("/v1/members/invitations", headers=owner.headers).json()["data"] == []
