"""The fan-out's cached view of a workspace's enabled endpoints follows every change."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import event

from shared.cache import get_redis
from shared.db.engine import get_engine
from shared.webhooks.endpoints import Target, enabled_targets
from tests.identity_helpers import Account
from tests.webhooks.conftest import create_endpoint

pytestmark = pytest.mark.usefixtures("local")


def _version(tenant_id: uuid.UUID) -> bytes | None:
    value = get_redis().get(f"webhooks:endpoints:v:{tenant_id}")
    return value if value is None else bytes(value)


def test_the_cached_endpoints_follow_create_disable_resubscribe_and_delete(
    api: httpx.Client, account: Account
) -> None:
    tenant_id = uuid.UUID(account.workspace_id)
    assert enabled_targets(tenant_id) == ()  # and now cached as "none"

    made = create_endpoint(
        api, account, "http://127.0.0.1:9/hook", event_types=["message.delivered"]
    )
    endpoint_id = uuid.UUID(made["id"])
    assert enabled_targets(tenant_id) == (Target(endpoint_id, ("message.delivered",)),)

    url = f"/v1/webhook-endpoints/{endpoint_id}"
    version = _version(tenant_id)
    r = api.patch(url, json={"description": "renamed"}, headers=account.headers)
    assert r.status_code == 200, r.text
    assert _version(tenant_id) == version  # nothing the fan-out reads changed

    r = api.patch(url, json={"event_types": ["*"]}, headers=account.headers)
    assert r.status_code == 200, r.text
    (target,) = enabled_targets(tenant_id)
    assert target.wants("message.failed")
    assert target.wants("lead.qualified")

    r = api.patch(url, json={"enabled": False}, headers=account.headers)
    assert r.status_code == 200, r.text
    assert enabled_targets(tenant_id) == ()

    r = api.patch(url, json={"enabled": True}, headers=account.headers)
    assert r.status_code == 200, r.text
    assert [t.id for t in enabled_targets(tenant_id)] == [endpoint_id]

    assert api.delete(url, headers=account.headers).status_code == 204
    assert enabled_targets(tenant_id) == ()


def test_a_workspace_without_endpoints_is_answered_from_memory(
    api: httpx.Client, account: Account
) -> None:
    tenant_id = uuid.UUID(account.workspace_id)
    enabled_targets(tenant_id)
    checkouts: list[object] = []

    def counted(*_: object) -> None:
        checkouts.append(1)

    event.listen(get_engine(), "checkout", counted)
    try:
        for _ in range(20):
            assert enabled_targets(tenant_id) == ()
    finally:
        event.remove(get_engine(), "checkout", counted)
    assert checkouts == []
