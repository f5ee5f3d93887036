"""templates: message templates with immutable versions, and rendering previews."""

from __future__ import annotations

import uuid

from shared.http.function import HttpFunction, Request
from shared.templates import schemas, service

app = HttpFunction("templates")


@app.operation
def list_templates(req: Request, query: schemas.TemplateQuery) -> schemas.TemplateList:
    return service.list_templates(req.require_principal(), query)


@app.operation
def create_template(req: Request, body: schemas.TemplateIn) -> schemas.TemplateOut:
    """Version 1. `warnings` lists unknown variables and unbalanced braces (saved anyway)."""
    return service.create(req.require_principal(), body)


@app.operation
def preview_template_draft(req: Request, body: schemas.DraftPreviewIn) -> schemas.DraftPreviewOut:
    """Nothing is saved: the console calls it as the user types (debounced)."""
    return service.preview_draft(req.require_principal(), body)


@app.operation
def get_template(req: Request, template_id: uuid.UUID) -> schemas.TemplateOut:
    return service.get(req.require_principal(), template_id)


@app.operation
def update_template(
    req: Request, template_id: uuid.UUID, body: schemas.TemplatePatch
) -> schemas.TemplateOut:
    """A changed body adds a version (versions never change); a rename alone does not."""
    return service.update(req.require_principal(), template_id, body)


@app.operation
def delete_template(req: Request, template_id: uuid.UUID) -> None:
    """Soft delete: campaigns that pinned a version keep sending it."""
    service.delete(req.require_principal(), template_id)


@app.operation
def template_versions(req: Request, template_id: uuid.UUID) -> schemas.TemplateVersionList:
    return service.versions(req.require_principal(), template_id)


@app.operation
def preview_template(
    req: Request, template_id: uuid.UUID, body: schemas.TemplatePreviewIn | None
) -> schemas.TemplatePreviewOut:
    return service.preview(
        req.require_principal(), template_id, body or schemas.TemplatePreviewIn()
    )


handler = app
