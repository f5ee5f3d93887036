"""number-pools: pools of numbers campaigns rotate over."""

from __future__ import annotations

import uuid

from shared.http.function import HttpFunction, Request
from shared.messaging import numbers, schemas

app = HttpFunction("number-pools")


@app.operation
def list_pools(req: Request) -> schemas.PoolList:
    return numbers.list_pools(req.require_principal())


@app.operation
def create_pool(req: Request, body: schemas.PoolIn) -> schemas.PoolOut:
    return numbers.create_pool(req.require_principal(), body)


@app.operation
def get_pool(req: Request, pool_id: uuid.UUID) -> schemas.PoolOut:
    return numbers.get_pool(req.require_principal(), pool_id)


@app.operation
def update_pool(req: Request, pool_id: uuid.UUID, body: schemas.PoolPatch) -> schemas.PoolOut:
    return numbers.patch_pool(req.require_principal(), pool_id, body)


@app.operation
def delete_pool(req: Request, pool_id: uuid.UUID) -> None:
    numbers.delete_pool(req.require_principal(), pool_id)


@app.operation
def set_pool_numbers(
    req: Request, pool_id: uuid.UUID, body: schemas.PoolNumbersIn
) -> schemas.PoolOut:
    """Replaces the pool's numbers with exactly these."""
    return numbers.set_pool_numbers(req.require_principal(), pool_id, body.number_ids)


handler = app
