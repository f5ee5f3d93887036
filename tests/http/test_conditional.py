"""Conditional GETs at the HTTP layer: routes marked `etag` in the registry answer with a
strong ETag and a bodiless 304 while `If-None-Match` still names the answer."""

from __future__ import annotations

import httpx
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request, Response

from shared import registry
from shared.http.headers import conditional
from tests.campaigns.helpers import add_contacts, create_campaign, wait_status, workspace_with_pool
from tests.fakes.twilio import FakeTwilio


def _request(method: str = "GET", **headers: str) -> Request:
    return Request(EnvironBuilder(method=method, path="/x", headers=headers).get_environ())


def test_same_body_same_tag_and_a_match_is_304_without_body() -> None:
    first = conditional(_request(), Response(b'{"sent": 1}', mimetype="application/json"))
    tag = first.headers["ETag"]
    assert tag.startswith('"')
    assert tag.endswith('"')
    assert len(tag) == 34
    assert first.headers["Cache-Control"] == "private, no-cache"
    assert "Authorization" in first.headers["Vary"]
    again = conditional(_request(), Response(b'{"sent": 1}', mimetype="application/json"))
    assert again.headers["ETag"] == tag
    for sent in (tag, f"W/{tag}", f'"other", {tag}', "*"):
        same = conditional(
            _request(**{"If-None-Match": sent}),
            Response(b'{"sent": 1}', mimetype="application/json"),
        )
        assert same.status_code == 304, sent
        assert same.get_data() == b""
        assert same.headers["ETag"] == tag
    changed = conditional(
        _request(**{"If-None-Match": tag}), Response(b'{"sent": 2}', mimetype="application/json")
    )
    assert changed.status_code == 200
    assert changed.headers["ETag"] != tag
    assert changed.get_data() == b'{"sent": 2}'


def test_errors_and_writes_are_never_tagged() -> None:
    refused = conditional(_request(**{"If-None-Match": "*"}), Response(b"{}", status=404))
    assert refused.status_code == 404
    assert "ETag" not in refused.headers
    posted = conditional(_request("POST", **{"If-None-Match": "*"}), Response(b"{}"))
    assert posted.status_code == 200
    assert "ETag" not in posted.headers


def test_registry_marks_the_polled_campaign_routes() -> None:
    tagged = {r.operation for spec in registry.FUNCTIONS for r in spec.routes if r.etag}
    assert {"campaign_stats", "get_campaign"} <= tagged
    assert all(r.method == "GET" for spec in registry.FUNCTIONS for r in spec.routes if r.etag)


def test_campaign_stats_poll_is_304_until_the_numbers_move(
    api: httpx.Client, fake_twilio: FakeTwilio
) -> None:
    setup = workspace_with_pool(api, fake_twilio, dids=1)
    add_contacts(api, setup, 3, ["vip"])
    campaign = create_campaign(api, setup)
    url = f"/v1/campaigns/{campaign['id']}/stats"
    first = api.get(url, headers=setup.headers)
    assert first.status_code == 200, first.text
    tag = first.headers["ETag"]
    unchanged = api.get(url, headers={**setup.headers, "If-None-Match": tag})
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert unchanged.headers["ETag"] == tag
    # Another workspace's tag guess still gets its 404, never a 304 that leaks existence.
    other = workspace_with_pool(api, fake_twilio, dids=1)
    assert api.get(url, headers={**other.headers, "If-None-Match": "*"}).status_code == 404

    r = api.post(f"/v1/campaigns/{campaign['id']}/launch", headers=setup.headers)
    assert r.status_code == 200, r.text
    wait_status(api, setup, campaign["id"], "completed")
    moved = api.get(url, headers={**setup.headers, "If-None-Match": tag})
    assert moved.status_code == 200
    assert moved.headers["ETag"] != tag
    assert moved.json()["audience"] == 3
