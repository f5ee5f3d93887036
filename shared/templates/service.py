"""Templates: CRUD with immutable versions, and previews with segment counts.

Each body a template has had is a `TemplateVersion` that never changes: a PATCH with a new
body adds version N+1 and moves `current_version`; campaigns pin (template_id, version) and
read that version's body at send time. DELETE is soft (`deleted_at`): the template leaves
lists and lookups, but the versions that campaigns pinned stay readable.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from shared.contacts.models import Contact, Recipient
from shared.db.session import tenant_session
from shared.http.pagination import keyset_page, page_of
from shared.http.problems import field_error, not_found
from shared.templates import schemas
from shared.templates.models import Template, TemplateVersion
from shared.templates.render import CONTACT_FIELDS, compile_template, validate
from shared.templates.segments import SMART_SUBSTITUTES, analyze, smart_encode
from shared.tenancy.models import Tenant
from shared.tenancy.principal import Principal


def _session(principal: Principal) -> Any:
    return tenant_session(principal.tenant_id, user_id=principal.user_id)


def contact_context(contact: Recipient, tenant: Tenant) -> dict[str, Any]:
    """What a template sees of a contact and its workspace (one-off sends and previews)."""
    return {
        "contact": {
            "first_name": contact.first_name,
            "last_name": contact.last_name,
            "email": contact.email,
            "phone": contact.phone,
            "fields": contact.fields or {},
        },
        "workspace": {"name": tenant.name},
    }


def sample_context(values: Mapping[str, Any], tenant: Tenant) -> dict[str, Any]:
    """A render context from preview sample values: bare `first_name` etc. go under
    `contact`, nested objects are taken as given, the workspace name defaults to ours."""
    context: dict[str, Any] = {"workspace": {"name": tenant.name}}
    for key, value in values.items():
        if key in CONTACT_FIELDS:
            continue
        if isinstance(value, Mapping) and isinstance(context.get(key), Mapping):
            context[key] = {**context[key], **value}
        else:
            context[key] = value
    bare = {key: values[key] for key in CONTACT_FIELDS if key in values}
    if bare:
        nested = context.get("contact")
        context["contact"] = {**(nested if isinstance(nested, Mapping) else {}), **bare}
    return context


def _variables(body: str) -> dict[str, Any]:
    compiled = compile_template(body)
    return {"names": list(compiled.variables), "unknown": list(compiled.unknown_variables)}


def _live(s: Session, template_id: uuid.UUID, *, lock: bool = False) -> Template:
    template = s.get(Template, template_id, with_for_update=lock)
    if template is None or template.deleted_at is not None:
        raise not_found("Template")
    return template


def _version(s: Session, template_id: uuid.UUID, version: int) -> TemplateVersion | None:
    return s.scalar(
        select(TemplateVersion).where(
            TemplateVersion.template_id == template_id, TemplateVersion.version == version
        )
    )


def version_body(
    s: Session, template_id: uuid.UUID, version: int | None, field: str = "body"
) -> tuple[int, str]:
    """(version, body) of a live template, for a send or a preview; 422 on `field.*`."""
    template = s.get(Template, template_id)
    if template is None or template.deleted_at is not None:
        raise field_error(f"{field}.template_id", "Unknown template.")
    number = version or template.current_version
    found = _version(s, template_id, number)
    if found is None:
        raise field_error(f"{field}.template_version", "This template has no such version.")
    return number, found.body


def _out(template: Template, body: str) -> schemas.TemplateOut:
    compiled = compile_template(body)
    return schemas.TemplateOut(
        id=template.id,
        name=template.name,
        current_version=template.current_version,
        body=body,
        variables=list(compiled.variables),
        unknown_variables=list(compiled.unknown_variables),
        warnings=validate(body),
        created_at=template.created_at,
        updated_at=template.updated_at,
    )


def _current_out(s: Session, template: Template) -> schemas.TemplateOut:
    s.flush()
    s.refresh(template)
    version = _version(s, template.id, template.current_version)
    assert version is not None  # written with the template, never deleted
    return _out(template, version.body)


def create(principal: Principal, data: schemas.TemplateIn) -> schemas.TemplateOut:
    with _session(principal) as s:
        template = Template(
            id=uuid.uuid4(), tenant_id=principal.tenant_id, name=data.name, current_version=1
        )
        s.add(template)
        s.add(
            TemplateVersion(
                tenant_id=principal.tenant_id,
                template_id=template.id,
                version=1,
                body=data.body,
                variables=_variables(data.body),
                created_by=principal.user_id,
            )
        )
        return _current_out(s, template)


def get(principal: Principal, template_id: uuid.UUID) -> schemas.TemplateOut:
    with _session(principal) as s:
        return _current_out(s, _live(s, template_id))


def list_templates(principal: Principal, query: schemas.TemplateQuery) -> schemas.TemplateList:
    with _session(principal) as s:
        stmt = select(Template).where(Template.deleted_at.is_(None))
        rows = list(s.scalars(keyset_page(stmt, Template.created_at, Template.id, query)))
        page, cursor = page_of(rows, query, "created_at")
        current = select(TemplateVersion.template_id, TemplateVersion.body).join(
            Template,
            and_(
                Template.id == TemplateVersion.template_id,
                Template.current_version == TemplateVersion.version,
            ),
        )
        ids = [t.id for t in page]
        bodies: dict[uuid.UUID, str] = {}
        if ids:
            bodies = {row[0]: row[1] for row in s.execute(current.where(Template.id.in_(ids)))}
        return schemas.TemplateList(
            data=[_out(t, bodies.get(t.id, "")) for t in page], next_cursor=cursor
        )


def update(
    principal: Principal, template_id: uuid.UUID, patch: schemas.TemplatePatch
) -> schemas.TemplateOut:
    """The row lock serializes concurrent edits, so version numbers never collide."""
    with _session(principal) as s:
        template = _live(s, template_id, lock=True)
        if patch.name is not None and patch.name != template.name:
            template.name = patch.name
        current = _version(s, template.id, template.current_version)
        if patch.body is not None and (current is None or patch.body != current.body):
            template.current_version += 1
            s.add(
                TemplateVersion(
                    tenant_id=principal.tenant_id,
                    template_id=template.id,
                    version=template.current_version,
                    body=patch.body,
                    variables=_variables(patch.body),
                    created_by=principal.user_id,
                )
            )
        return _current_out(s, template)


def delete(principal: Principal, template_id: uuid.UUID) -> None:
    with _session(principal) as s:
        _live(s, template_id, lock=True).deleted_at = datetime.now(UTC)


def versions(principal: Principal, template_id: uuid.UUID) -> schemas.TemplateVersionList:
    with _session(principal) as s:
        _live(s, template_id)
        rows = s.scalars(
            select(TemplateVersion)
            .where(TemplateVersion.template_id == template_id)
            .order_by(TemplateVersion.version)
        )
        return schemas.TemplateVersionList(
            data=[
                schemas.TemplateVersionOut(
                    version=v.version,
                    body=v.body,
                    variables=list(compile_template(v.body).variables),
                    unknown_variables=list(compile_template(v.body).unknown_variables),
                    created_by=v.created_by,
                    created_at=v.created_at,
                )
                for v in rows
            ]
        )


def _context(
    s: Session, tenant: Tenant, contact_id: uuid.UUID | None, values: Mapping[str, Any] | None
) -> dict[str, Any]:
    if contact_id is not None:
        contact = s.get(Contact, contact_id)
        if contact is None or contact.erased_at is not None:
            raise not_found("Contact")
        return contact_context(contact, tenant)
    return sample_context(values or {}, tenant)


_SMART = str.maketrans(SMART_SUBSTITUTES)


def _rendered(body: str, context: Mapping[str, Any], smart: bool) -> schemas.DraftPreviewOut:
    compiled = compile_template(body)
    rendered = compiled.render(context)
    text = smart_encode(rendered) if smart else rendered
    info = analyze(text)
    return schemas.DraftPreviewOut(
        text=text,
        rendered=rendered if rendered != text else None,
        characters=len(text),
        encoding=info.encoding,
        segments=info.segments,
        unicode_chars=list(info.unicode_chars),
        gsm_suggestion=info.gsm_suggestion,
        body_gsm_suggestion=body.translate(_SMART) if info.gsm_suggestion else None,
        unknown_variables=list(compiled.unknown_variables),
        warnings=validate(body),
    )


def preview(
    principal: Principal, template_id: uuid.UUID, data: schemas.TemplatePreviewIn
) -> schemas.TemplatePreviewOut:
    with _session(principal) as s:
        template = _live(s, template_id)
        number = data.version or template.current_version
        version = _version(s, template.id, number)
        if version is None:
            raise field_error("body.version", "This template has no such version.")
        tenant = s.get_one(Tenant, principal.tenant_id)
        smart = tenant.smart_encoding if data.smart_encoding is None else data.smart_encoding
        context = _context(s, tenant, data.contact_id, data.values)
        body = version.body
    out = _rendered(body, context, smart)
    return schemas.TemplatePreviewOut(version=number, **out.model_dump())


def preview_draft(principal: Principal, data: schemas.DraftPreviewIn) -> schemas.DraftPreviewOut:
    """What `data.body` would send, before it is saved: the editor's live count."""
    with _session(principal) as s:
        tenant = s.get_one(Tenant, principal.tenant_id)
        smart = tenant.smart_encoding if data.smart_encoding is None else data.smart_encoding
        context = _context(s, tenant, data.contact_id, data.values)
    return _rendered(data.body, context, smart)
