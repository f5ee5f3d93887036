"""The OpenAPI 3.1 document, derived from the registry and the handlers' type hints."""

from __future__ import annotations

import importlib
import typing
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import models_json_schema

from shared import registry
from shared.http.function import HttpFunction, Operation, _unwrap_optional
from shared.http.problems import PROBLEM_CONTENT_TYPE
from shared.platform.guides import GUIDES, guide_url

SECURITY: dict[registry.Auth, list[dict[str, list[str]]]] = {
    registry.Auth.USER: [{"bearerAuth": []}],
    registry.Auth.TWILIO_SIGNATURE: [{"twilioSignature": []}],
    registry.Auth.STRIPE_SIGNATURE: [{"stripeSignature": []}],
    registry.Auth.OIDC: [{"googleOidc": []}],
    registry.Auth.NONE: [],
}

SECURITY_SCHEMES = {
    "bearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "description": "An access token (JWT from /v1/auth/login) or an API key (sk_live_...).",
    },
    "twilioSignature": {"type": "apiKey", "in": "header", "name": "X-Twilio-Signature"},
    "stripeSignature": {"type": "apiKey", "in": "header", "name": "Stripe-Signature"},
    "googleOidc": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "Google-signed OIDC token of the Pub/Sub or Cloud Tasks invoker.",
    },
}

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "request_id": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string", "description": "e.g. body.phone"},
                    "message": {"type": "string"},
                    "code": {"type": "string"},
                },
            },
        },
    },
}

RAW_RESPONSES = {
    "openapi_document": ("application/json", {"type": "object"}),
    "guide_page": ("text/markdown", {"type": "string"}),
    "import_errors_csv": ("text/csv", {"type": "string"}),
    "export_consent_events": ("text/csv", {"type": "string"}),
}

# Request bodies of handlers that read the raw request (uploads, provider forms): media
# type -> a JSON schema, or a pydantic model whose schema it is.
_IMPORT_FORM: dict[str, Any] = {
    "type": "object",
    "required": ["file"],
    "properties": {
        "file": {"type": "string", "format": "binary", "description": "The CSV."},
        "default_region": {"type": "string", "minLength": 2, "maxLength": 2},
        "on_duplicate": {"type": "string", "enum": ["update", "skip"]},
        "tags": {"type": "string", "description": "Comma-separated tags."},
        "mapping": {"type": "string", "description": "JSON object: column -> target"},
    },
    "additionalProperties": False,
}


def _twilio_form(required: list[str], extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "description": "Twilio's form-encoded callback, signed with X-Twilio-Signature.",
        "required": required,
        "properties": {
            "MessageSid": {"type": "string", "minLength": 1},
            "AccountSid": {"type": "string"},
            "From": {"type": "string", "minLength": 1},
            "To": {"type": "string", "minLength": 1},
            **extra,
        },
    }


def _raw_requests() -> dict[str, dict[str, Any]]:
    from shared.contacts.schemas import ImportFromUri
    from shared.messaging.webhooks import STATUS_MAP

    form = "application/x-www-form-urlencoded"
    return {
        "stripe_webhook": {
            "application/json": {
                "type": "object",
                "description": "A Stripe event, signed in Stripe-Signature over the raw body.",
                "required": ["id", "type", "data"],
                "properties": {
                    "id": {"type": "string", "description": "evt_..."},
                    "type": {"type": "string", "description": "e.g. invoice.paid"},
                    "data": {"type": "object", "properties": {"object": {"type": "object"}}},
                },
            }
        },
        "create_import": {"multipart/form-data": _IMPORT_FORM, "application/json": ImportFromUri},
        "twilio_inbound": {
            form: _twilio_form(["MessageSid", "From", "To"], {"Body": {"type": "string"}})
        },
        "twilio_status": {
            form: _twilio_form(
                ["MessageSid", "MessageStatus"],
                {
                    "MessageStatus": {"type": "string", "enum": sorted(STATUS_MAP)},
                    "ErrorCode": {"type": "string"},
                },
            )
        },
    }


API_DESCRIPTION = (
    "Multi-tenant SMS campaigns, inbox, AI replies and billing. Text anywhere in a request "
    "(body, query or path) may not contain NUL characters or lone surrogates: such a "
    "request is refused with 422 naming the field. A body must be sent as "
    "`application/json` (415 otherwise) unless the operation lists another type. Guides: "
    + "; ".join(f"{guide_url(name)} ({title})" for name, title in GUIDES.items())
    + "."
)


def _models_of(annotation: Any) -> list[type[BaseModel]]:
    ann, _ = _unwrap_optional(annotation)
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return [ann]
    if typing.get_origin(ann) in (typing.Union, __import__("types").UnionType):
        return [a for a in typing.get_args(ann) if isinstance(a, type) and issubclass(a, BaseModel)]
    return []


def load_operations() -> list[tuple[registry.FunctionSpec, Operation]]:
    out: list[tuple[registry.FunctionSpec, Operation]] = []
    for spec in registry.http_functions():
        app = importlib.import_module(spec.module).app
        assert isinstance(app, HttpFunction), f"{spec.module}.app is not an HttpFunction"
        app.bind()
        out += [(spec, app.operations[route.operation]) for route in spec.routes]
    return out


@lru_cache(maxsize=1)
def openapi_document() -> dict[str, Any]:
    from shared.config import get_settings

    operations = load_operations()
    raw_requests = _raw_requests()
    wanted: list[tuple[type[BaseModel], Any]] = []
    for _, op in operations:
        for p in op.params:
            if p.source in ("body", "query"):
                wanted.append((p.annotation, "validation"))
        for body in raw_requests.get(op.route.operation, {}).values():
            if isinstance(body, type) and issubclass(body, BaseModel):
                wanted.append((body, "validation"))
        for model in _models_of(op.response_model):
            wanted.append((model, "serialization"))
    from shared.webhooks.catalogue import CATALOGUE, openapi_webhooks

    wanted += [(event.payload_model, "serialization") for event in CATALOGUE.values()]
    seen: set[tuple[type[BaseModel], str]] = set()
    unique = [w for w in wanted if not (w in seen or seen.add(w))]  # type: ignore[func-returns-value]
    keys, defs = models_json_schema(unique, ref_template="#/components/schemas/{model}")
    schemas: dict[str, Any] = dict(defs.get("$defs", {}))
    for schema in schemas.values():
        _drop_null_defaults(schema)
    schemas["Problem"] = PROBLEM_SCHEMA

    paths: dict[str, dict[str, Any]] = {}
    for spec, op in operations:
        route = op.route
        auth = spec.route_auth(route)
        item: dict[str, Any] = {
            "operationId": route.operation,
            "summary": route.summary,
            "tags": [spec.tag or spec.name],
            "security": SECURITY[auth],
            "x-function": spec.name,
            "parameters": [],
            "responses": {},
        }
        if op.handler.__doc__:
            item["description"] = op.handler.__doc__.strip()
        for p in op.params:
            if p.source == "path":
                assert p.adapter is not None
                item["parameters"].append(
                    {
                        "name": p.name,
                        "in": "path",
                        "required": True,
                        "schema": p.adapter.json_schema(),
                    }
                )
            elif p.source == "query":
                ref = keys[(p.annotation, "validation")]["$ref"].rsplit("/", 1)[-1]
                model_schema = schemas[ref]
                required = set(model_schema.get("required", []))
                for name, prop in model_schema.get("properties", {}).items():
                    param: dict[str, Any] = {
                        "name": name,
                        "in": "query",
                        "required": name in required,
                        "schema": {k: v for k, v in prop.items() if k != "description"},
                    }
                    if "description" in prop:
                        param["description"] = prop["description"]
                    item["parameters"].append(param)
            elif p.source == "body":
                item["requestBody"] = {
                    "required": not p.optional,
                    "content": {"application/json": {"schema": keys[(p.annotation, "validation")]}},
                }
        if route.operation in raw_requests:
            item["requestBody"] = {
                "required": True,
                "content": {
                    mime: {"schema": keys[(body, "validation")] if isinstance(body, type) else body}
                    for mime, body in raw_requests[route.operation].items()
                },
            }
        if route.operation in RAW_RESPONSES:
            mime, schema = RAW_RESPONSES[route.operation]
            item["responses"][str(route.status)] = {
                "description": route.summary,
                "content": {mime: {"schema": schema}},
            }
        elif route.status == 204 or op.response_model is type(None):
            item["responses"]["204"] = {"description": "Done; no content."}
        else:
            models = _models_of(op.response_model)
            content: dict[str, Any] = {}
            if models:
                refs = [keys[(m, "serialization")] for m in models]
                content = {
                    "application/json": {"schema": refs[0] if len(refs) == 1 else {"oneOf": refs}}
                }
            item["responses"][str(route.status)] = {
                "description": route.summary,
                "content": content,
            }
        problem = {
            "content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
        }
        if any(p.source in ("body", "query", "path") for p in op.params):
            item["responses"]["422"] = {"description": "Validation failed.", **problem}
        if auth is not registry.Auth.NONE:
            item["responses"]["401"] = {"description": "Not authenticated.", **problem}
        item["responses"]["4XX"] = {"description": "Client error.", **problem}
        if route.provider:
            name = route.provider.title()
            item["responses"]["502"] = {
                "description": f"{name} answered an error or could not be reached.",
                **problem,
            }
            item["responses"]["503"] = {
                "description": f"{name} is unavailable for now; retry after `Retry-After`.",
                **problem,
            }
        if route.operation == "health":
            health_model = _models_of(op.response_model)[0]
            item["responses"]["503"] = {
                "description": "A dependency is down (named in `down`).",
                "content": {"application/json": {"schema": keys[(health_model, "serialization")]}},
            }
        if route.etag:
            _conditional(item, str(route.status))
        if not item["parameters"]:
            del item["parameters"]
        paths.setdefault(route.path, {})[route.method.lower()] = item

    return {
        "openapi": "3.1.0",
        "info": {
            "title": "SMS Platform API",
            "version": "1.0.0",
            "description": API_DESCRIPTION,
        },
        "servers": [{"url": get_settings().public_base_url}],
        "paths": dict(sorted(paths.items())),
        "webhooks": openapi_webhooks(lambda model: keys[(model, "serialization")]),
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "securitySchemes": SECURITY_SCHEMES,
        },
        "tags": _tags(),
    }


def _conditional(item: dict[str, Any], status: str) -> None:
    """A route answering conditional GETs: `ETag` out, `If-None-Match` in, 304 unchanged."""
    item["parameters"].append(
        {
            "name": "If-None-Match",
            "in": "header",
            "required": False,
            "description": "The `ETag` of the answer you hold: 304 without a body while it "
            "is still the answer.",
            "schema": {"type": "string"},
        }
    )
    item["responses"][status]["headers"] = {
        "ETag": {
            "description": "Strong validator of this answer; send it back as `If-None-Match`.",
            "schema": {"type": "string"},
        }
    }
    item["responses"]["304"] = {
        "description": "Not modified: the answer is still the one of `If-None-Match`.",
        "headers": {"ETag": {"schema": {"type": "string"}}},
    }


def _drop_null_defaults(schema: Any) -> None:
    """A field a request may leave out but not send as null shows no `default: null`
    (pydantic writes the Python default even where the type admits no null)."""
    if isinstance(schema, dict):
        props = schema.get("properties", {})
        for prop in props.values():
            nulled = isinstance(prop, dict) and "default" in prop and prop["default"] is None
            if nulled and not _admits_null(prop):
                del prop["default"]
        for value in schema.values():
            _drop_null_defaults(value)
    elif isinstance(schema, list):
        for value in schema:
            _drop_null_defaults(value)


def _admits_null(schema: dict[str, Any]) -> bool:
    if schema.get("type") == "null" or ("$ref" in schema and len(schema) == 1):
        return schema.get("type") == "null"
    branches = schema.get("anyOf", []) + schema.get("oneOf", [])
    return any(b.get("type") == "null" for b in branches if isinstance(b, dict))


def _tags() -> list[dict[str, str]]:
    """One tag per OpenAPI group; functions sharing a tag share its entry."""
    tags: dict[str, list[str]] = {}
    for spec in registry.http_functions():
        tags.setdefault(spec.tag or spec.name, []).append(spec.description)
    return [{"name": name, "description": " ".join(texts)} for name, texts in tags.items()]


__all__ = ["TypeAdapter", "openapi_document"]
