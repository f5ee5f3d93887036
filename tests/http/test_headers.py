"""Headers every answer carries: nosniff, no-store on secrets, HSTS over https, CSP on
HTML, no server banner, and CORS same-origin unless an origin is allowed."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from shared.config import get_settings
from tests.identity_helpers import PASSWORD, signup


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    yield monkeypatch
    monkeypatch.undo()
    get_settings.cache_clear()


def _set(monkeypatch: pytest.MonkeyPatch, **values: str) -> None:
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/health"), ("GET", "/docs"), ("GET", "/v1/me"), ("GET", "/nope"), ("PUT", "/health")],
)
def test_every_answer_is_nosniff_and_names_no_server(
    api: httpx.Client, method: str, path: str
) -> None:
    r = api.request(method, path)
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "server" not in r.headers
    assert "Werkzeug" not in str(r.headers)
    assert "Python/" not in str(r.headers)


def test_answers_with_tokens_or_secrets_are_not_stored(api: httpx.Client) -> None:
    account = signup(api, "hdr")
    login = api.post("/v1/auth/login", json={"email": account.email, "password": PASSWORD})
    assert login.headers["Cache-Control"] == "no-store"
    refreshed = api.post("/v1/auth/refresh", json={"refresh_token": account.refresh_token})
    assert refreshed.headers["Cache-Control"] == "no-store"
    key = api.post("/v1/api-keys", json={"name": "k"}, headers=account.headers)
    assert key.status_code == 201
    assert key.headers["Cache-Control"] == "no-store"
    assert "Cache-Control" not in api.get("/v1/me", headers=account.headers).headers


def test_hsts_only_over_https(api: httpx.Client, settings_env: pytest.MonkeyPatch) -> None:
    assert "Strict-Transport-Security" not in api.get("/health").headers
    _set(settings_env, FORWARDED_FOR_HOPS="1")
    r = api.get("/health", headers={"X-Forwarded-Proto": "https"})
    assert r.headers["Strict-Transport-Security"].startswith("max-age=")
    # Without a trusted proxy, a client's claim of https is not believed.
    _set(settings_env, FORWARDED_FOR_HOPS="0")
    r = api.get("/health", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in r.headers


def test_cors_is_same_origin_by_default(api: httpx.Client) -> None:
    origin = {"Origin": "https://evil.example"}
    r = api.get("/health", headers=origin)
    assert "Access-Control-Allow-Origin" not in r.headers
    pre = api.options(
        "/v1/contacts",
        headers={**origin, "Access-Control-Request-Method": "POST"},
    )
    assert pre.status_code == 204
    assert "Access-Control-Allow-Origin" not in pre.headers


def test_an_allowed_origin_gets_cors_and_its_preflight_answered(
    api: httpx.Client, settings_env: pytest.MonkeyPatch
) -> None:
    _set(settings_env, CORS_ALLOWED_ORIGINS="https://app.example.com, https://other.example")
    origin = {"Origin": "https://app.example.com"}
    pre = api.options(
        "/v1/contacts/bulk",
        headers={
            **origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert pre.status_code == 204, pre.text
    assert pre.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert pre.headers["Access-Control-Allow-Methods"] == "OPTIONS, POST"
    assert "authorization" in pre.headers["Access-Control-Allow-Headers"].lower()
    assert "Origin" in pre.headers["Vary"]
    r = api.get("/v1/me", headers=origin)
    assert r.status_code == 401
    assert r.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert "X-Request-Id" in r.headers["Access-Control-Expose-Headers"]
    other = api.get("/health", headers={"Origin": "https://app.example.com.evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


def test_options_on_an_unknown_path_is_404(api: httpx.Client) -> None:
    assert api.options("/v1/nothing-here").status_code == 404
