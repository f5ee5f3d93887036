"""contacts: contacts with custom fields and tags, opt-out state, bulk actions."""

from __future__ import annotations

import uuid

from werkzeug.wrappers import Response

from shared.contacts import consent, schemas, service
from shared.http.function import HttpFunction, Request
from shared.http.pagination import PageQuery

app = HttpFunction("contacts")


@app.operation
def list_contacts(req: Request, query: schemas.ContactQuery) -> schemas.ContactPage:
    """Newest first; `q` searches name, email and phone; filters combine with AND."""
    return service.list_contacts(req.require_principal(), query)


@app.operation
def create_contact(req: Request, body: schemas.ContactIn) -> schemas.ContactOut:
    """The phone is stored as E.164; a number already in the workspace is 409 with
    `existing_id`. The number of a deleted contact revives it (its opt-out state stays)."""
    return service.create_contact(req.require_principal(), body)


@app.operation
def get_contact(req: Request, contact_id: uuid.UUID) -> schemas.ContactOut:
    return service.get_contact(req.require_principal(), contact_id)


@app.operation
def update_contact(
    req: Request, contact_id: uuid.UUID, body: schemas.ContactPatch
) -> schemas.ContactOut:
    """Only the fields sent change; `fields` merges and a null value removes a field."""
    return service.update_contact(req.require_principal(), contact_id, body)


@app.operation
def delete_contact(req: Request, contact_id: uuid.UUID) -> None:
    """Erases names, email, custom fields, tags and message bodies; the number and its
    opt-out state are kept so an opted-out number is never texted again."""
    service.delete_contact(req.require_principal(), contact_id)


@app.operation
def opt_out_contact(
    req: Request, contact_id: uuid.UUID, body: schemas.ConsentIn | None
) -> schemas.ContactOut:
    reason = body.reason if body else None
    return service.set_opt_out(req.require_principal(), contact_id, True, reason)


@app.operation
def opt_in_contact(
    req: Request, contact_id: uuid.UUID, body: schemas.ConsentIn | None
) -> schemas.ContactOut:
    reason = body.reason if body else None
    return service.set_opt_out(req.require_principal(), contact_id, False, reason)


@app.operation
def contact_consent_events(
    req: Request, contact_id: uuid.UUID, query: PageQuery
) -> schemas.ConsentEventPage:
    return service.consent_events(req.require_principal(), contact_id, query)


@app.operation
def add_contact_tags(
    req: Request, contact_id: uuid.UUID, body: schemas.TagsIn
) -> schemas.ContactOut:
    return service.add_tags(req.require_principal(), contact_id, body.tags)


@app.operation
def remove_contact_tag(req: Request, contact_id: uuid.UUID, tag: schemas.Tag) -> None:
    service.remove_tag(req.require_principal(), contact_id, tag)


@app.operation
def bulk_contacts(req: Request, body: schemas.BulkIn) -> schemas.BulkOut:
    """One set-based statement per action; `delete` erases as DELETE /v1/contacts/{id}."""
    return service.bulk(req.require_principal(), body)


@app.operation
def list_tags(req: Request) -> schemas.TagList:
    return service.list_tags(req.require_principal())


@app.operation
def list_consent_events(req: Request, query: consent.ConsentQuery) -> schemas.ConsentEventPage:
    """Opt-outs and opt-ins of the workspace, newest first, with their source."""
    return consent.list_events(req.require_principal(), query)


@app.operation
def export_consent_events(req: Request, query: consent.ConsentFilter) -> Response:
    """The whole consent log as CSV: occurred_at, kind, source, phone, keyword, reason,
    contact_id."""
    return consent.export_csv(req.require_principal(), query)


@app.operation
def opt_out_keywords(req: Request) -> consent.KeywordsOut:
    req.require_principal()
    return consent.keywords()


handler = app
