"""The gateway serves the console's static export as the bucket does; the API keeps its paths."""

from __future__ import annotations

from pathlib import Path

import pytest
from werkzeug.test import Client

from shared.platform.gateway import Gateway


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    files = {
        "index.html": "<!doctype html><title>home</title>",
        "404.html": "<!doctype html><title>not found</title>",
        "login/index.html": "<!doctype html><title>login</title>",
        "login/index.txt": "rsc payload",
        "_next/static/chunks/app-0a1b2c.js": "console.log(1)",
        "icon.svg": "<svg/>",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    (tmp_path.parent / "secret.txt").write_text("outside the bundle")
    return tmp_path


@pytest.fixture
def client(bundle: Path) -> Client:
    return Client(Gateway(console_dir=bundle))


@pytest.mark.parametrize("path", ["/login", "/login/", "/login/index.html"])
def test_a_page_is_one_folder(client: Client, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 200
    assert r.mimetype == "text/html"
    assert "<title>login</title>" in r.get_data(as_text=True)
    assert r.headers["Cache-Control"] == "no-cache"
    assert r.headers["X-Frame-Options"] == "DENY"


def test_the_root_and_query_strings(client: Client) -> None:
    assert "home" in client.get("/").get_data(as_text=True)
    assert "login" in client.get("/login/?next=/dashboard").get_data(as_text=True)


def test_hashed_assets_are_immutable_and_revalidate(client: Client) -> None:
    r = client.get("/_next/static/chunks/app-0a1b2c.js")
    assert r.status_code == 200
    assert r.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert r.mimetype in ("application/javascript", "text/javascript")
    again = client.get(
        "/_next/static/chunks/app-0a1b2c.js", headers={"If-None-Match": r.headers["ETag"]}
    )
    assert again.status_code == 304


def test_unknown_pages_get_the_consoles_404(client: Client) -> None:
    r = client.get("/nope/deeper")
    assert r.status_code == 404
    assert "not found" in r.get_data(as_text=True)


@pytest.mark.parametrize(
    "path", ["/../secret.txt", "/%2e%2e/secret.txt", "/login/../../secret.txt"]
)
def test_nothing_outside_the_bundle(client: Client, path: str) -> None:
    r = client.get(path)
    assert "outside the bundle" not in r.get_data(as_text=True)


def test_api_paths_stay_problems(client: Client) -> None:
    for path in ("/v1/nope", "/webhooks/nope", "/_functions/nope"):
        r = client.get(path)
        assert r.status_code == 404, path
        assert r.headers["Content-Type"] == "application/problem+json"
    assert client.post("/login").status_code == 404  # pages are GET only


def test_without_a_bundle_the_gateway_is_the_api_only(tmp_path: Path) -> None:
    r = Client(Gateway(console_dir=tmp_path / "missing")).get("/login")
    assert r.status_code == 404
    assert r.headers["Content-Type"] == "application/problem+json"
