"""API keys: a cap per workspace, listed by admins only, and used only by allowed calls."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from shared.config import get_settings
from tests.identity_helpers import bearer, signup


@pytest.fixture
def cap_of_three(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("API_KEYS_PER_WORKSPACE", "3")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


def test_a_workspace_holds_a_bounded_number_of_keys(api: httpx.Client, cap_of_three: None) -> None:
    owner = signup(api, "keys")
    ids = []
    for i in range(3):
        r = api.post("/v1/api-keys", json={"name": f"k{i}"}, headers=owner.headers)
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    r = api.post("/v1/api-keys", json={"name": "one too many"}, headers=owner.headers)
    assert r.status_code == 409, r.text
    assert r.json()["type"].endswith("/api-key-limit")
    assert len(api.get("/v1/api-keys", headers=owner.headers).json()["data"]) == 3
    # Revoking one frees a place.
    assert api.delete(f"/v1/api-keys/{ids[0]}", headers=owner.headers).status_code == 204
    r = api.post("/v1/api-keys", json={"name": "replacement"}, headers=owner.headers)
    assert r.status_code == 201, r.text


def test_members_cannot_list_the_keys(api: httpx.Client) -> None:
    owner = signup(api, "keys")
    member_key = api.post(
        "/v1/api-keys", json={"name": "m", "role": "member"}, headers=owner.headers
    ).json()
    r = api.get("/v1/api-keys", headers=bearer(member_key["secret"]))
    assert r.status_code == 403, r.text
    assert api.get("/v1/api-keys", headers=owner.headers).status_code == 200


def test_a_refused_call_does_not_count_as_a_use(api: httpx.Client) -> None:
    owner = signup(api, "keys")
    key = api.post("/v1/api-keys", json={"name": "m", "role": "member"}, headers=owner.headers)
    secret, key_id = key.json()["secret"], key.json()["id"]

    def last_used() -> str | None:
        keys = api.get("/v1/api-keys", headers=owner.headers).json()["data"]
        return next(k["last_used_at"] for k in keys if k["id"] == key_id)

    assert api.post("/v1/api-keys", json={"name": "x"}, headers=bearer(secret)).status_code == 403
    assert api.get("/v1/api-keys", headers=bearer(secret)).status_code == 403
    assert last_used() is None
    assert api.get("/v1/contacts", headers=bearer(secret)).status_code == 200
    assert last_used() is not None
