"""emails: the workspace's outgoing mail, dead letters included, and their resend."""

from __future__ import annotations

import uuid

from shared.http.function import HttpFunction, Request
from shared.notifications import schemas, service

app = HttpFunction("emails")


@app.operation
def list_emails(req: Request, query: schemas.EmailQuery) -> schemas.EmailList:
    return service.list_emails(req.require_principal(), query)


@app.operation
def resend_email(req: Request, email_id: uuid.UUID) -> schemas.EmailOut:
    """Only a failed email; its attempts start over."""
    return service.resend_email(req.require_principal(), email_id)


handler = app
