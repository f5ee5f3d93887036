"""api-keys: keys that authenticate as the workspace with a role."""

from __future__ import annotations

import uuid

from shared.http.function import HttpFunction, Request
from shared.tenancy import schemas, service

app = HttpFunction("api-keys")


@app.operation
def list_api_keys(req: Request) -> schemas.ApiKeyList:
    return service.list_api_keys(req.require_principal())


@app.operation
def create_api_key(req: Request, body: schemas.ApiKeyIn) -> schemas.ApiKeyCreated:
    """The secret is in this answer only; it is stored hashed."""
    return service.create_api_key(req.require_principal(), body)


@app.operation
def revoke_api_key(req: Request, key_id: uuid.UUID) -> None:
    service.revoke_api_key(req.require_principal(), key_id)


handler = app
