"""The console's HTML pages, as the gateway serves them: a Content-Security-Policy (the
one setting, on top of each page's own hashed <meta> policy) and no framing."""

from __future__ import annotations

import httpx

from shared.config import get_settings


def test_console_pages_have_a_content_security_policy(api_client: httpx.Client) -> None:
    for path in ("/docs", "/login", "/dashboard"):
        r = api_client.get(path)
        assert r.status_code == 200, path
        assert r.headers["content-type"].startswith("text/html")
        policy = r.headers["Content-Security-Policy"]
        assert policy == get_settings().content_security_policy
        assert "frame-ancestors 'none'" in policy
        assert r.headers["X-Frame-Options"] == "DENY"
        assert 'http-equiv="Content-Security-Policy"' in r.text
    assert "Content-Security-Policy" not in api_client.get("/health").headers
    assert "Content-Security-Policy" not in api_client.get("/openapi.json").headers
