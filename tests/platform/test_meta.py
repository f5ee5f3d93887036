"""/health and /openapi.json through the local gateway (/docs is a console page)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from shared.cache import reset_redis


def test_health_is_200_when_everything_is_up(api: httpx.Client) -> None:
    r = api.get("/health")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "ok"
    assert {k: v["status"] for k, v in body["checks"].items()} == {
        "database": "up",
        "redis": "up",
        "queue": "up",
    }


@pytest.fixture
def redis_down(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from shared.config import get_settings

    # A real client pointed at a port where nothing listens.
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    get_settings.cache_clear()
    reset_redis()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()
    reset_redis()


def test_health_is_503_naming_what_is_down(api: httpx.Client, redis_down: None) -> None:
    r = api.get("/health")
    assert r.status_code == 503
    body = r.json()
    assert body["down"] == ["redis"]
    assert body["checks"]["database"]["status"] == "up"


def test_openapi_json_is_served(api: httpx.Client) -> None:
    r = api.get("/openapi.json")
    assert r.status_code == 200
    assert "/health" in r.json()["paths"]


def test_unknown_paths_are_problems(api: httpx.Client) -> None:
    r = api.get("/v1/does-not-exist")
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
    r = api.get("/_functions/nope")
    assert r.status_code == 404
