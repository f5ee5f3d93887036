"""Both send routes refuse media URLs that are not public https."""

from __future__ import annotations

import httpx
import pytest

from tests.identity_helpers import signup


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "http://example.com/a.png", "https://169.254.169.254/x", "gopher://x/"],
)
def test_send_refuses_a_non_public_media_url(api: httpx.Client, url: str) -> None:
    owner = signup(api, "media")
    r = api.post(
        "/v1/messages",
        json={"to": "+14155550123", "body": "hi", "media_urls": [url]},
        headers=owner.headers,
    )
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "body.media_urls[0]"
    assert api.get("/v1/messages", headers=owner.headers).json()["data"] == []
