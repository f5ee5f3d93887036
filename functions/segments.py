"""segments: saved audiences, filter trees over contacts compiled to one SQL query."""

from __future__ import annotations

import uuid

from shared.contacts import schemas, service
from shared.http.function import HttpFunction, Request
from shared.http.pagination import PageQuery

app = HttpFunction("segments")


@app.operation
def list_segments(req: Request, query: PageQuery) -> schemas.SegmentPage:
    return service.list_segments(req.require_principal(), query)


@app.operation
def create_segment(req: Request, body: schemas.SegmentIn) -> schemas.SegmentOut:
    """An unknown field, operator or a bad value is 422 with its path in the filter."""
    return service.create_segment(req.require_principal(), body)


@app.operation
def count_filter(req: Request, body: schemas.FilterCountIn) -> schemas.SegmentCount:
    """The same filter grammar as a segment's; a bad filter is 422 with its path."""
    return service.filter_count(req.require_principal(), body)


@app.operation
def get_segment(req: Request, segment_id: uuid.UUID) -> schemas.SegmentOut:
    return service.get_segment(req.require_principal(), segment_id)


@app.operation
def update_segment(
    req: Request, segment_id: uuid.UUID, body: schemas.SegmentPatch
) -> schemas.SegmentOut:
    return service.update_segment(req.require_principal(), segment_id, body)


@app.operation
def delete_segment(req: Request, segment_id: uuid.UUID) -> None:
    service.delete_segment(req.require_principal(), segment_id)


@app.operation
def segment_contacts(req: Request, segment_id: uuid.UUID, query: PageQuery) -> schemas.ContactPage:
    return service.segment_contacts(req.require_principal(), segment_id, query)


@app.operation
def segment_count(req: Request, segment_id: uuid.UUID) -> schemas.SegmentCount:
    return service.segment_count(req.require_principal(), segment_id)


handler = app
