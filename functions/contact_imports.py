"""contact-imports: CSV imports of contacts, run as queued jobs."""

from __future__ import annotations

import uuid

from werkzeug.wrappers import Response

from shared.contacts import imports, schemas
from shared.http.function import HttpFunction, Request
from shared.http.pagination import PageQuery
from shared.http.problems import Problem

app = HttpFunction("contact-imports")


@app.operation
def list_imports(req: Request, query: PageQuery) -> schemas.ImportPage:
    return imports.list_jobs(req.require_principal(), query)


@app.operation
def create_import(req: Request) -> schemas.ImportOut:
    """Upload the CSV as multipart/form-data (`file`, and optional `default_region`,
    `on_duplicate`, `tags`, `mapping` as JSON), or send JSON with a gs:// `source_uri`.
    Answers 202 with the queued job; poll it for progress."""
    principal = req.require_principal()
    mimetype = req.raw.mimetype or ""
    if mimetype == "multipart/form-data":
        return imports.create_from_request(principal, req.raw, None)
    if mimetype == "application/json":
        return imports.create_from_request(principal, req.raw, req.read_body())
    raise Problem(
        415,
        "unsupported-media-type",
        "Unsupported media type",
        "Upload the CSV as multipart/form-data, or send JSON with a gs:// source_uri.",
    )


@app.operation
def get_import(req: Request, import_id: uuid.UUID) -> schemas.ImportOut:
    return imports.get_job(req.require_principal(), import_id)


@app.operation
def import_errors_csv(req: Request, import_id: uuid.UUID) -> Response:
    """CSV with one line per failed row: row (the header is row 1), column, reason."""
    return imports.errors_csv(req.require_principal(), import_id)


handler = app
