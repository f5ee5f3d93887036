"""numbers: the workspace's phone numbers (DIDs)."""

from __future__ import annotations

import uuid

from shared.http.function import HttpFunction, Request
from shared.messaging import numbers, schemas

app = HttpFunction("numbers")


@app.operation
def list_numbers(req: Request, query: schemas.NumberQuery) -> schemas.NumberList:
    return numbers.list_numbers(req.require_principal(), query)


@app.operation
def import_numbers(req: Request) -> schemas.ImportResult:
    """Idempotent: numbers already here are counted, not duplicated."""
    return numbers.import_numbers(req.require_principal())


@app.operation
def available_numbers(req: Request, query: schemas.AvailableQuery) -> schemas.AvailableList:
    return numbers.available(req.require_principal(), query)


@app.operation
def purchase_number(req: Request, body: schemas.PurchaseIn) -> schemas.NumberOut:
    return numbers.purchase(req.require_principal(), body.phone_number)


@app.operation
def get_number(req: Request, number_id: uuid.UUID) -> schemas.NumberOut:
    return numbers.get_number(req.require_principal(), number_id)


@app.operation
def update_number(
    req: Request, number_id: uuid.UUID, body: schemas.NumberPatch
) -> schemas.NumberOut:
    return numbers.patch_number(req.require_principal(), number_id, body)


@app.operation
def release_number(req: Request, number_id: uuid.UUID) -> None:
    numbers.release(req.require_principal(), number_id)


handler = app
