"""Generated from the registry: workspace B can never reach workspace A's resources.

For every user-authenticated route with path parameters, B's token with A's ids gets 404;
every list route answered to B shows nothing of A. A new route joins automatically; one
with a new kind of path parameter or body fails here until the maps below name it.
"""

from __future__ import annotations

import re
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
        ids = {
            "workspace_id": a.workspace_id,
            "user_id": a.user_id,
            "key_id": key.json()["id"],
        }
    return {"a": a, "b": b, "ids": ids, "secrets": [a.email, *ids.values()]}


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
    assert r.status_code == 200, r.text
    for secret in world["secrets"]:
        assert secret not in r.text, f"{route.path} shows {secret} of workspace A"
