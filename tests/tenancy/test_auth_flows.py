"""Accounts and sessions end to end through the local gateway."""

from __future__ import annotations

import uuid

import httpx
import jwt
import pytest

from shared.cache import get_redis
from shared.config import get_settings
from tests.fakes.smtp import Mailbox
from tests.identity_helpers import PASSWORD, bearer, signup


def test_signup_returns_user_workspace_and_tokens(api: httpx.Client) -> None:
    account = signup(api)
    r = api.get("/v1/me", headers=account.headers)
    assert r.status_code == 200
    me = r.json()
    assert me["user"]["email"] == account.email
    assert me["role"] == "owner"
    assert me["workspace"]["id"] == account.workspace_id
    assert [m["role"] for m in me["memberships"]] == ["owner"]
    claims = jwt.decode(account.access_token, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == get_settings().access_token_ttl_seconds


def test_signup_answers_the_same_for_a_taken_email_and_tells_its_owner(
    api: httpx.Client, mailbox: Mailbox
) -> None:
    account = signup(api)
    fresh = api.post(
        "/v1/auth/signup",
        json={
            "email": f"new-{uuid.uuid4().hex[:8]}@example.com",
            "password": PASSWORD,
            "name": "X",
            "workspace_name": "Y",
        },
    )
    taken = api.post(
        "/v1/auth/signup",
        json={
            "email": account.email.upper(),
            "password": "another-password-42",
            "name": "X",
            "workspace_name": "Y",
        },
    )
    assert fresh.status_code == taken.status_code == 202
    assert fresh.json() == taken.json()
    assert set(fresh.headers) - {"date", "x-request-id", "content-length"} == set(taken.headers) - {
        "date",
        "x-request-id",
        "content-length",
    }
    mail = mailbox.wait_for(account.email, "tried to sign up")
    assert "Nothing was changed" in mail.body
    # The account is untouched: the old password still works, the attempted one does not.
    ok = api.post("/v1/auth/login", json={"email": account.email, "password": PASSWORD})
    assert ok.status_code == 200
    bad = api.post(
        "/v1/auth/login", json={"email": account.email, "password": "another-password-42"}
    )
    assert bad.status_code == 401


@pytest.mark.parametrize("password", ["short-1", "password123", "1234567890", "aaaaaaaaaaaa"])
def test_weak_passwords_are_422(api: httpx.Client, password: str) -> None:
    r = api.post(
        "/v1/auth/signup",
        json={
            "email": f"w-{uuid.uuid4().hex[:8]}@example.com",
            "password": password,
            "name": "W",
            "workspace_name": "W",
        },
    )
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "body.password"


def test_invalid_email_is_422(api: httpx.Client) -> None:
    r = api.post(
        "/v1/auth/signup",
        json={"email": "not-an-email", "password": PASSWORD, "name": "W", "workspace_name": "W"},
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "body.email"


def test_login_wrong_password_and_unknown_email_answer_the_same(api: httpx.Client) -> None:
    account = signup(api)
    wrong = api.post("/v1/auth/login", json={"email": account.email, "password": "nope-nope-nope"})
    unknown = api.post(
        "/v1/auth/login", json={"email": f"ghost-{uuid.uuid4().hex}@example.com", "password": "x"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"]
    ok = api.post("/v1/auth/login", json={"email": account.email.upper(), "password": PASSWORD})
    assert ok.status_code == 200
    assert ok.json()["workspace"]["id"] == account.workspace_id


def test_refresh_rotates_and_reuse_revokes_the_family(api: httpx.Client) -> None:
    account = signup(api)
    first = api.post("/v1/auth/refresh", json={"refresh_token": account.refresh_token})
    assert first.status_code == 200
    second_token = first.json()["refresh_token"]
    assert second_token != account.refresh_token
    assert api.get("/v1/me", headers=bearer(first.json()["access_token"])).status_code == 200

    # The spent token again: refused, and the family (including the new token) is revoked.
    reuse = api.post("/v1/auth/refresh", json={"refresh_token": account.refresh_token})
    assert reuse.status_code == 401
    after = api.post("/v1/auth/refresh", json={"refresh_token": second_token})
    assert after.status_code == 401

    # Another login is a new family and still works.
    login = api.post("/v1/auth/login", json={"email": account.email, "password": PASSWORD})
    again = api.post("/v1/auth/refresh", json={"refresh_token": login.json()["refresh_token"]})
    assert again.status_code == 200


def test_logout_revokes_the_family(api: httpx.Client) -> None:
    account = signup(api)
    r = api.post(
        "/v1/auth/logout", json={"refresh_token": account.refresh_token}, headers=account.headers
    )
    assert r.status_code == 204
    r = api.post("/v1/auth/refresh", json={"refresh_token": account.refresh_token})
    assert r.status_code == 401


def test_protected_routes_need_a_valid_token(api: httpx.Client) -> None:
    assert api.get("/v1/me").status_code == 401
    assert api.get("/v1/me", headers=bearer("garbage")).status_code == 401
    forged = jwt.encode(
        {
            "sub": str(uuid.uuid4()),
            "tid": str(uuid.uuid4()),
            "role": "owner",
            "typ": "access",
            "iss": "smsplatform",
            "iat": 1,
            "exp": 9999999999,
        },
        "another-secret",
        algorithm="HS256",
    )
    r = api.get("/v1/me", headers=bearer(forged))
    assert r.status_code == 401
    assert r.headers["content-type"] == "application/problem+json"


def test_email_verification_through_the_real_smtp_server(
    api: httpx.Client, mailbox: Mailbox
) -> None:
    account = signup(api)
    mail = mailbox.wait_for(account.email, "Confirm your email")
    token = mail.link_token()
    assert api.get("/v1/me", headers=account.headers).json()["user"]["email_verified"] is False
    assert api.post("/v1/auth/verify-email", json={"token": token}).status_code == 200
    assert api.get("/v1/me", headers=account.headers).json()["user"]["email_verified"] is True
    # Single use.
    assert api.post("/v1/auth/verify-email", json={"token": token}).status_code == 400
    # Already verified: asking again is a conflict.
    r = api.post("/v1/auth/verify-email/request", headers=account.headers)
    assert r.status_code == 409


def test_password_reset_flow_revokes_all_sessions(api: httpx.Client, mailbox: Mailbox) -> None:
    account = signup(api)
    assert api.post("/v1/auth/password/forgot", json={"email": account.email}).status_code == 202
    # Unknown emails get the same answer and no mail.
    ghost = f"ghost-{uuid.uuid4().hex}@example.com"
    assert api.post("/v1/auth/password/forgot", json={"email": ghost}).status_code == 202
    token = mailbox.wait_for(account.email, "Reset your password").link_token()

    weak = api.post("/v1/auth/password/reset", json={"token": token, "password": "short"})
    assert weak.status_code == 422
    new_password = "a-much-better-passphrase-7"
    r = api.post("/v1/auth/password/reset", json={"token": token, "password": new_password})
    assert r.status_code == 200, r.text
    assert (
        api.post(
            "/v1/auth/password/reset", json={"token": token, "password": new_password}
        ).status_code
        == 400
    )
    assert (
        api.post("/v1/auth/refresh", json={"refresh_token": account.refresh_token}).status_code
        == 401
    )
    assert (
        api.post("/v1/auth/login", json={"email": account.email, "password": PASSWORD}).status_code
        == 401
    )
    assert (
        api.post(
            "/v1/auth/login", json={"email": account.email, "password": new_password}
        ).status_code
        == 200
    )
    assert mailbox.count(ghost) == 0


def test_login_and_forgot_are_rate_limited_per_ip(
    api: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key in get_redis().scan_iter("rl:forgot:ip:*"):
        get_redis().delete(key)
    monkeypatch.setenv("LOGIN_LIMIT_PER_IP", "3")
    get_settings.cache_clear()
    try:
        statuses = [
            api.post(
                "/v1/auth/password/forgot", json={"email": f"ip-{i}-{uuid.uuid4().hex}@example.com"}
            ).status_code
            for i in range(4)
        ]
        assert statuses == [202, 202, 202, 429]
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
        for key in get_redis().scan_iter("rl:forgot:ip:*"):
            get_redis().delete(key)
