"""Generated from the registry: workspace B can never reach workspace A's resources.

For every user-authenticated route with path parameters, B's token with A's ids gets 404;
every list route answered to B shows nothing of A. A new route joins automatically; one
with a new kind of path parameter or body fails here until the maps below name it.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest

from shared import registry
from shared.http.function import HttpFunction
from tests.identity_helpers import Account, signup

# One valid body per request model, so validation passes and the ownership check is reached.
SAMPLE_BODIES: dict[str, dict[str, Any]] = {
    "RoleIn": {"role": "member"},
    "WorkspaceIn": {"name": "x"},
    "NumberPatch": {"status": "paused"},
    "PoolPatch": {"name": "x"},
    "PoolNumbersIn": {"number_ids": []},
    "CampaignPatch": {"name": "x"},
    "PreviewIn": {},
    "ContactPatch": {"first_name": "x"},
    "ConsentIn": {"reason": "x"},
    "TagsIn": {"tags": ["x"]},
    "SegmentPatch": {"name": "x"},
    "DraftSendIn": {},
    "ConversationPatch": {"status": "closed"},
    "ReplyIn": {"body": "x"},
    "TemplatePatch": {"name": "x"},
    "TemplatePreviewIn": {},
    "WebhookEndpointPatch": {"description": "x"},
    "LeadIn": {"stage": "engaged"},
}

USER_ROUTES = [
    (spec, route)
    for spec in registry.http_functions()
    for route in spec.routes
    if spec.route_auth(route) is registry.Auth.USER
]


def _placeholders(path: str) -> list[str]:
    return re.findall(r"{(\w+)}", path)


def _body_model(spec: registry.FunctionSpec, operation: str) -> str | None:
    import importlib

    app: HttpFunction = importlib.import_module(spec.module).app
    app.bind()
    for p in app.operations[operation].params:
        if p.source == "body":
            return str(p.annotation.__name__)
    return None


@pytest.fixture(scope="module")
def world(gateway_url: str) -> dict[str, Any]:
    """Workspace A with one resource of every kind, and B, a stranger with full rights."""
    with httpx.Client(base_url=gateway_url, timeout=30) as api:
        a, b = signup(api, "tenant-a"), signup(api, "tenant-b")
        key = api.post("/v1/api-keys", json={"name": "a-key", "role": "admin"}, headers=a.headers)
        assert key.status_code == 201
        phone = api.get("/v1/numbers/available?area_code=555", headers=a.headers).json()["data"][0]
        number = api.post(
            "/v1/numbers/purchase", json={"phone_number": phone["phone_number"]}, headers=a.headers
        )
        assert number.status_code == 201, number.text
        pool = api.post("/v1/number-pools", json={"name": "a-pool"}, headers=a.headers)
        message = api.post(
            "/v1/messages", json={"to": "+14155550123", "body": "a secret"}, headers=a.headers
        )
        assert message.status_code == 201, message.text
        campaign = api.post(
            "/v1/campaigns",
            json={"name": "a-campaign", "body": "hi", "pool_id": pool.json()["id"]},
            headers=a.headers,
        )
        assert campaign.status_code == 201, campaign.text
        tag = f"tag-a-{uuid.uuid4().hex[:8]}"
        contact = api.post(
            "/v1/contacts", json={"phone": "+13125550177", "tags": [tag]}, headers=a.headers
        )
        assert contact.status_code == 201, contact.text
        segment = api.post(
            "/v1/segments",
            json={
                "name": "a-seg",
                "filter": {"all": [{"field": "tag", "op": "has", "value": tag}]},
            },
            headers=a.headers,
        )
        assert segment.status_code == 201, segment.text
        template = api.post(
            "/v1/templates", json={"name": "a-template", "body": "hi"}, headers=a.headers
        )
        assert template.status_code == 201, template.text
        contact_import = api.post(
            "/v1/contacts/imports",
            files={"file": ("a.csv", b"phone\n+13125550178\n", "text/csv")},
            headers=a.headers,
        )
        assert contact_import.status_code == 202, contact_import.text
        hook_url = "https://hooks.tenant-a.example.com/in"
        endpoint = api.post("/v1/webhook-endpoints", json={"url": hook_url}, headers=a.headers)
        assert endpoint.status_code == 201, endpoint.text
        ping = api.post(f"/v1/webhook-endpoints/{endpoint.json()['id']}/test", headers=a.headers)
        assert ping.status_code == 202, ping.text
        invitation = api.post(
            "/v1/members/invitations",
            json={"email": f"invitee-{uuid.uuid4().hex[:8]}@example.com"},
            headers=a.headers,
        )
        assert invitation.status_code == 201, invitation.text
        # A mail of workspace A (its outbox rows: what GET /v1/emails lists).
        from shared.db.session import system_session
        from shared.notifications.outbox import queue_email

        with system_session() as s:
            email_id = queue_email(
                s, a.email, "A's mail", "body", tenant_id=uuid.UUID(a.workspace_id)
            )
        ids = {
            "invitation_id": invitation.json()["id"],
            "email_id": str(email_id),
            "endpoint_id": endpoint.json()["id"],
            "delivery_id": ping.json()["id"],
            "contact_id": contact.json()["id"],
            "segment_id": segment.json()["id"],
            "import_id": contact_import.json()["id"],
            "tag": tag,
            "campaign_id": campaign.json()["id"],
            "workspace_id": a.workspace_id,
            "user_id": a.user_id,
            "key_id": key.json()["id"],
            "number_id": number.json()["id"],
            "pool_id": pool.json()["id"],
            "message_id": message.json()["id"],
            "conversation_id": message.json()["conversation_id"],
            "template_id": template.json()["id"],
        }
    secrets = [a.email, phone["phone_number"], "+14155550123", "+1312555017", *ids.values()]
    secrets += [hook_url, endpoint.json()["secret"]]
    return {"a": a, "b": b, "ids": ids, "secrets": secrets}


@pytest.mark.parametrize(
    ("spec", "route"),
    [(s, r) for s, r in USER_ROUTES if _placeholders(r.path)],
    ids=lambda v: getattr(v, "operation", getattr(v, "name", "")),
)
def test_foreign_ids_are_404(
    api: httpx.Client, world: dict[str, Any], spec: registry.FunctionSpec, route: registry.Route
) -> None:
    b: Account = world["b"]
    path = route.path
    for name in _placeholders(route.path):
        assert name in world["ids"], f"add a resource of workspace A for `{{{name}}}`"
        path = path.replace(f"{{{name}}}", world["ids"][name])
    body_model = _body_model(spec, route.operation)
    kwargs: dict[str, Any] = {}
    if body_model:
        assert body_model in SAMPLE_BODIES, f"add a sample body for {body_model}"
        kwargs["json"] = SAMPLE_BODIES[body_model]
    r = api.request(route.method, path, headers=b.headers, **kwargs)
    assert r.status_code == 404, f"{route.method} {path}: {r.status_code} {r.text}"


@pytest.mark.parametrize(
    ("spec", "route"),
    [(s, r) for s, r in USER_ROUTES if r.method == "GET" and not _placeholders(r.path)],
    ids=lambda v: getattr(v, "operation", getattr(v, "name", "")),
)
def test_lists_never_show_the_other_workspace(
    api: httpx.Client, world: dict[str, Any], spec: registry.FunctionSpec, route: registry.Route
) -> None:
    b: Account = world["b"]
    r = api.get(route.path, headers=b.headers)
    # Lists answer 200; a per-workspace singleton B has not set up answers 404.
    assert r.status_code in (200, 404), r.text
    for secret in world["secrets"]:
        assert secret not in r.text, f"{route.path} shows {secret} of workspace A"
