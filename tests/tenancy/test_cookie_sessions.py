"""Browser sessions: the refresh token in an HttpOnly cookie (`?session=cookie`)."""

from __future__ import annotations

import httpx
import pytest

from tests.identity_helpers import PASSWORD, bearer, signup

COOKIE = "smsplat_refresh"


def _set_cookie(r: httpx.Response) -> str:
    headers = r.headers.get_list("set-cookie")
    assert len(headers) == 1, headers
    return headers[0]


def _cookie_value(r: httpx.Response) -> str:
    return _set_cookie(r).split(";", 1)[0].split("=", 1)[1]


@pytest.fixture
def origin(gateway_url: str) -> dict[str, str]:
    return {"Origin": gateway_url}


def _login(api: httpx.Client, email: str) -> httpx.Response:
    r = api.post("/v1/auth/login?session=cookie", json={"email": email, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return r


def _with_cookie(api: httpx.Client, token: str, headers: dict[str, str]) -> dict[str, str]:
    """Exactly this cookie: the client's jar (which keeps Set-Cookie) is emptied first."""
    api.cookies.clear()
    return {**headers, "Cookie": f"{COOKIE}={token}"}


def _refresh(api: httpx.Client, token: str, headers: dict[str, str]) -> httpx.Response:
    return api.post(
        "/v1/auth/refresh?session=cookie", headers=_with_cookie(api, token, headers), json={}
    )


def test_login_sets_an_httponly_strict_cookie_scoped_to_auth(api: httpx.Client) -> None:
    account = signup(api)
    r = _login(api, account.email)
    body = r.json()
    assert body["refresh_token"] is None
    assert body["access_token"]
    assert body["user"]["email"] == account.email
    cookie = _set_cookie(r)
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert cookie.startswith(f"{COOKIE}=rt_")
    assert {"httponly", "path", "max-age", "samesite"} <= attributes
    assert "Path=/v1/auth" in cookie
    assert "SameSite=Strict" in cookie
    assert "secure" not in attributes  # plain http locally
    assert r.headers["cache-control"] == "no-store"


def test_cookie_is_secure_under_https(api: httpx.Client) -> None:
    account = signup(api)
    r = api.post(
        "/v1/auth/login?session=cookie",
        json={"email": account.email, "password": PASSWORD},
        headers={"X-Forwarded-Proto": "https"},
    )
    assert "; Secure" in _set_cookie(r)


def test_login_and_workspace_switch_set_the_cookie(api: httpx.Client) -> None:
    account = signup(api)  # signup answers 202 and starts no session (no enumeration)
    r = _login(api, account.email)
    assert r.status_code == 200, r.text
    assert r.json()["refresh_token"] is None
    assert _cookie_value(r).startswith("rt_")
    token = r.json()["access_token"]
    other = api.post("/v1/workspaces", json={"name": "Second"}, headers=bearer(token)).json()
    r = api.post(
        f"/v1/workspaces/{other['workspace']['id']}/switch?session=cookie", headers=bearer(token)
    )
    assert r.status_code == 200, r.text
    assert r.json()["workspace"]["name"] == "Second"
    assert r.json()["refresh_token"] is None
    assert _cookie_value(r).startswith("rt_")


def test_refresh_with_the_cookie_rotates_it(api: httpx.Client, origin: dict[str, str]) -> None:
    account = signup(api)
    first = _cookie_value(_login(api, account.email))
    r = _refresh(api, first, origin)
    assert r.status_code == 200, r.text
    assert r.json()["refresh_token"] is None
    second = _cookie_value(r)
    assert second != first
    me = api.get("/v1/me", headers=bearer(r.json()["access_token"]))
    assert me.json()["user"]["email"] == account.email
    assert _refresh(api, second, origin).status_code == 200


@pytest.mark.parametrize(
    "headers",
    [{}, {"Origin": "https://evil.example"}, {"Origin": "null"}],
    ids=["no-origin", "foreign", "null"],
)
def test_cookie_refresh_needs_the_consoles_origin(
    api: httpx.Client, headers: dict[str, str]
) -> None:
    account = signup(api)
    token = _cookie_value(_login(api, account.email))
    r = _refresh(api, token, headers)
    assert r.status_code == 403
    assert r.headers["content-type"] == "application/problem+json"


def test_reusing_a_spent_cookie_logs_the_browser_out(
    api: httpx.Client, origin: dict[str, str]
) -> None:
    account = signup(api)
    spent = _cookie_value(_login(api, account.email))
    current = _cookie_value(_refresh(api, spent, origin))
    stolen = _refresh(api, spent, origin)
    assert stolen.status_code == 401
    assert "already used" in stolen.json()["detail"]
    cleared = _set_cookie(stolen)
    assert cleared.startswith(f"{COOKIE}=;")
    assert "Max-Age=0" in cleared
    # The whole session is revoked: the legitimate browser's newer cookie is refused too.
    assert _refresh(api, current, origin).status_code == 401


def test_logout_revokes_the_cookie_session_and_clears_it(
    api: httpx.Client, origin: dict[str, str]
) -> None:
    account = signup(api)
    r = _login(api, account.email)
    token, access = _cookie_value(r), r.json()["access_token"]
    out = api.post(
        "/v1/auth/logout", headers=_with_cookie(api, token, {**origin, **bearer(access)})
    )
    assert out.status_code == 204
    assert "Max-Age=0" in _set_cookie(out)
    assert _refresh(api, token, origin).status_code == 401


def test_logout_with_a_cookie_from_elsewhere_is_refused(api: httpx.Client) -> None:
    account = signup(api)
    r = _login(api, account.email)
    headers = {"Origin": "https://evil.example", **bearer(r.json()["access_token"])}
    out = api.post("/v1/auth/logout", headers=_with_cookie(api, _cookie_value(r), headers))
    assert out.status_code == 403


def test_json_tokens_are_unchanged_for_api_clients(api: httpx.Client) -> None:
    account = signup(api)
    r = api.post("/v1/auth/login", json={"email": account.email, "password": PASSWORD})
    assert r.headers.get("set-cookie") is None
    refresh_token = r.json()["refresh_token"]
    assert refresh_token.startswith("rt_")
    renewed = api.post("/v1/auth/refresh", json={"refresh_token": refresh_token})
    assert renewed.status_code == 200
    assert renewed.json()["refresh_token"].startswith("rt_")
    assert renewed.headers.get("set-cookie") is None


def test_refresh_without_any_token_is_401(api: httpx.Client, origin: dict[str, str]) -> None:
    api.cookies.clear()
    r = api.post("/v1/auth/refresh", headers=origin)
    assert r.status_code == 401
    assert "refresh_token" in r.json()["detail"]


def test_session_mode_is_validated(api: httpx.Client) -> None:
    r = api.post("/v1/auth/login?session=jar", json={"email": "a@b.c", "password": "x"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "query.session"
