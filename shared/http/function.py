"""Turns a registry entry and its typed handlers into one Cloud Function entry point.

A function module declares `app = HttpFunction("contacts")` and decorates each handler
with `@app.operation`; the handler's name is the registry route's `operation`. Handler
parameters are filled by their annotations:

- `req: Request`: the request context (principal, headers, request id);
- a parameter named like a `{path}` placeholder: that path segment, validated;
- `body: SomeModel`: the JSON body, validated;
- `query: SomeModel`: the query string, validated.

A handler returns a pydantic model (sent as JSON with the route's status), `None` (204) or
a ready `Response`. Every error leaves as problem+json; an unexpected exception is a 500
problem and a logged stack trace, never an HTML page.
"""

from __future__ import annotations

import inspect
import json
import logging
import re
import time
import types
import typing
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request as WerkzeugRequest
from werkzeug.wrappers import Response

from shared import registry
from shared.config import get_settings
from shared.http.headers import NO_STORE, conditional, preflight, secure
from shared.http.logging import configure_logging, request_context, trace_field
from shared.http.problems import (
    PROBLEM_CONTENT_TYPE,
    Problem,
    bad_request,
    pydantic_errors,
    validation_failed,
)
from shared.http.routing import Router
from shared.schemas import SecretBearing
from shared.tenancy.principal import Principal

log = logging.getLogger("http")

Handler = Callable[..., Any]


@dataclass
class Request:
    """What a handler sees of the HTTP request."""

    raw: WerkzeugRequest
    request_id: str
    route: registry.Route
    spec: registry.FunctionSpec
    principal: Principal | None = None
    state: dict[str, Any] = field(default_factory=dict)

    @property
    def headers(self) -> Any:
        return self.raw.headers

    @property
    def client_ip(self) -> str:
        """The caller's address, trusting only the configured number of proxies."""
        hops = get_settings().forwarded_for_hops
        if hops > 0:
            chain = [p.strip() for p in self.raw.headers.get("X-Forwarded-For", "").split(",")]
            chain = [p for p in chain if p]
            if len(chain) >= hops:
                return chain[-hops]
        return self.raw.remote_addr or ""

    def require_principal(self) -> Principal:
        if self.principal is None:
            raise Problem(401, "unauthorized", "Unauthorized", "Authentication required.")
        return self.principal

    def read_body(self) -> bytes:
        """The body, refusing anything larger than MAX_BODY_BYTES with 413."""
        limit = get_settings().max_body_bytes
        length = self.raw.content_length
        if length is not None and length > limit:
            raise _too_large(limit)
        data = self.raw.stream.read(limit + 1)
        if len(data) > limit:
            raise _too_large(limit)
        return bytes(data)


def _too_large(limit: int) -> Problem:
    return Problem(
        413, "payload-too-large", "Payload too large", f"Bodies over {limit} bytes are refused."
    )


@dataclass
class _Param:
    name: str
    source: str  # request | path | body | query
    annotation: Any = None
    adapter: TypeAdapter[Any] | None = None
    optional: bool = False


@dataclass
class Operation:
    route: registry.Route
    handler: Handler
    params: list[_Param] = field(default_factory=list)
    response_model: Any = None

    def bind(self) -> None:
        hints = typing.get_type_hints(self.handler, include_extras=True)  # keep Annotated
        placeholders = _placeholders(self.route.path)
        for name, p in inspect.signature(self.handler).parameters.items():
            ann = hints.get(name)
            if ann is Request:
                self.params.append(_Param(name, "request"))
            elif name in placeholders:
                self.params.append(_Param(name, "path", ann, TypeAdapter(ann or str)))
            elif name in ("body", "query"):
                model, optional = _unwrap_optional(ann)
                if not (isinstance(model, type) and issubclass(model, BaseModel)):
                    raise TypeError(f"{self.handler.__name__}: `{name}` must be a pydantic model")
                self.params.append(_Param(name, name, model, optional=optional))
            else:
                raise TypeError(f"{self.handler.__name__}: cannot fill parameter `{name}`")
            del p
        missing = placeholders - {p.name for p in self.params if p.source == "path"}
        if missing:
            raise TypeError(f"{self.handler.__name__}: no parameter for path {sorted(missing)}")
        self.response_model = hints.get("return")


def _placeholders(path: str) -> set[str]:
    return {part[1:-1] for part in path.split("/") if part.startswith("{")}


def _unwrap_optional(ann: Any) -> tuple[Any, bool]:
    if typing.get_origin(ann) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(ann) if a is not type(None)]
        if len(args) == 1:
            return args[0], True
    return ann, False


class HttpFunction:
    """One Cloud Function serving the routes its registry entry declares."""

    def __init__(self, spec: str | registry.FunctionSpec) -> None:
        self.spec = registry.by_name(spec) if isinstance(spec, str) else spec
        self.operations: dict[str, Operation] = {}
        self._routes = {r.operation: r for r in self.spec.routes}
        self._router: Router[str] | None = None
        self._bound = False

    def operation(self, handler: Handler) -> Handler:
        route = self._routes.get(handler.__name__)
        if route is None:
            raise LookupError(
                f"{handler.__name__} is not a route of function {self.spec.name} in the registry"
            )
        self.operations[handler.__name__] = Operation(route, handler)
        return handler

    def bind(self) -> None:
        """Resolve every handler's parameters (once; also called by tests and OpenAPI)."""
        if self._bound:
            return
        missing = set(self._routes) - set(self.operations)
        if missing:
            raise LookupError(f"function {self.spec.name} has no handler for {sorted(missing)}")
        for op in self.operations.values():
            op.bind()
        self._router = Router((r.method, r.path, r.operation) for r in self.spec.routes)
        self._bound = True

    def wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        """This function alone as a WSGI app (unit tests, single-function serving)."""
        return self(WerkzeugRequest(environ))(environ, start_response)

    # The Cloud Functions entry point (functions-framework passes a flask.Request).
    def __call__(self, raw: WerkzeugRequest) -> Response:
        self.bind()
        configure_logging(get_settings().log_level)
        started = time.perf_counter()
        request_id = raw.headers.get("X-Request-Id") or uuid.uuid4().hex
        ctx: dict[str, Any] = {"request_id": request_id, "function": self.spec.name}
        ctx.update(
            trace_field(raw.headers.get("X-Cloud-Trace-Context"), get_settings().gcp_project)
        )
        token = request_context.set(ctx)
        try:
            response = self._dispatch(raw, request_id, ctx)
        finally:
            request_context.reset(token)
        if "api_key_id" in ctx and response.status_code not in (401, 403):
            # A key is "used" by calls it was allowed to make, not by refused ones.
            from shared.tenancy.service import record_api_key_use

            record_api_key_use(uuid.UUID(ctx["api_key_id"]))
        response.headers["X-Request-Id"] = request_id
        secure(raw, response)
        elapsed_ms = round((time.perf_counter() - started) * 1000, 2)
        log.info(
            "%s %s %s",
            raw.method,
            raw.path,
            response.status_code,
            extra={
                "fields": {
                    **ctx,
                    "httpRequest": {
                        "requestMethod": raw.method,
                        "requestUrl": raw.path,
                        "status": response.status_code,
                        "latency": f"{elapsed_ms / 1000:.4f}s",
                    },
                }
            },
        )
        return response

    def _dispatch(self, raw: WerkzeugRequest, request_id: str, ctx: dict[str, Any]) -> Response:
        try:
            assert self._router is not None
            if raw.method == "OPTIONS":
                return preflight(raw, self._router.resource(raw.path)[0].allow)
            op_name, path_values = self._router.match(raw.method, raw.path)
            op = self.operations[op_name]
            req = Request(raw, request_id, op.route, self.spec)
            auth = self.spec.route_auth(op.route)
            # Users and API keys are authenticated here; provider signatures need the
            # workspace's secret, found from the payload, so their handlers verify them.
            if auth is registry.Auth.USER:
                from shared.http.auth import authenticate  # only functions that need it

                req.principal = authenticate(auth, req)
                if req.principal is not None:
                    ctx["tenant_id"] = str(req.principal.tenant_id)
                    if req.principal.api_key_id is not None:
                        ctx["api_key_id"] = str(req.principal.api_key_id)
            kwargs = _arguments(op, req, dict(path_values))
            response = _to_response(op.handler(**kwargs), op.route.status)
            return conditional(raw, response) if op.route.etag else response
        except Problem as problem:
            return problem_response(problem, raw.path, request_id)
        except HTTPException as exc:
            http_problem = Problem(exc.code or 400, "http-error", exc.name, exc.description)
            return problem_response(http_problem, raw.path, request_id)
        except Exception as exc:
            from shared.db.errors import problem_for  # only on the error path

            mapped = problem_for(exc)
            if mapped is not None:
                log.warning("database refused the input: %s", exc.__class__.__name__)
                return problem_response(mapped, raw.path, request_id)
            log.exception("unhandled error in %s", self.spec.name)
            internal = Problem(
                500,
                "internal-error",
                "Internal error",
                "Something went wrong on our side; it has been logged.",
            )
            return problem_response(internal, raw.path, request_id)


def _arguments(op: Operation, req: Request, path_values: dict[str, Any]) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    errors: list[dict[str, Any]] = []
    for p in op.params:
        if p.source == "request":
            kwargs[p.name] = req
        elif p.source == "path":
            assert p.adapter is not None
            value = path_values[p.name]
            errors += text_errors(value, f"path.{p.name}")
            try:
                kwargs[p.name] = p.adapter.validate_python(value)
            except ValidationError as exc:
                errors += pydantic_errors(exc, f"path.{p.name}")
        elif p.source == "query":
            try:
                query = p.annotation.model_validate(_query_dict(req.raw, p.annotation))
            except ValidationError as exc:
                errors += pydantic_errors(exc, "query")
            else:
                kwargs[p.name] = query
                errors += text_errors(query.model_dump(by_alias=True), "query")
        elif p.source == "body":
            raw_body = _json_body(req, optional=p.optional)
            if raw_body is None:
                kwargs[p.name] = None
                continue
            try:
                # Strict JSON: a value is taken only in the type the document gives it
                # (no "5" for an integer, no 0.5 for a date-time, no 1 for a boolean).
                body = p.annotation.model_validate_json(_integral_floats(raw_body), strict=True)
            except ValidationError as exc:
                if exc.errors()[0]["type"] == "json_invalid":
                    # pydantic's parser refuses a lone surrogate as bad JSON; it is valid
                    # JSON holding invalid text, which is a 422 naming the field.
                    errors += _text_errors_in_raw_json(raw_body)
                    if errors:
                        continue
                    detail = exc.errors()[0]["msg"]
                    raise bad_request(
                        f"The body is not valid JSON: {detail}", "malformed-json"
                    ) from exc
                errors += pydantic_errors(exc, "body")
            else:
                kwargs[p.name] = body
                errors += text_errors(body.model_dump(by_alias=True), "body")
    if errors:
        raise validation_failed(errors)
    return kwargs


def _query_dict(raw: WerkzeugRequest, model: type[BaseModel]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        key = info.alias or name
        if key not in raw.args:
            continue
        ann, _ = _unwrap_optional(info.annotation)
        if typing.get_origin(ann) in (list, set, tuple):
            out[key] = raw.args.getlist(key)
        else:
            out[key] = raw.args.get(key)
    return out


def _json_body(req: Request, *, optional: bool) -> bytes | None:
    """The JSON body, or None for an optional body that was not sent. A body must say it
    is JSON (415), and a required one must be there (422). Its text is checked once
    validated (`text_errors`), on the fields the handler will see."""
    data = req.read_body()
    if not data.strip():
        if optional:
            return None
        raise validation_failed(
            [{"field": "body", "message": "A JSON request body is required.", "code": "missing"}]
        )
    mimetype = req.raw.mimetype or ""
    if mimetype != "application/json" and not mimetype.endswith("+json"):
        raise Problem(
            415,
            "unsupported-media-type",
            "Unsupported media type",
            f"Send the body as application/json, not {mimetype or 'without a Content-Type'}.",
        )
    return data


_FRACTION_OR_EXPONENT = re.compile(rb"\d(\.\d|[eE])")


def _integral_floats(raw: bytes) -> bytes:
    """JSON Schema counts 19.0 as an integer; strict pydantic does not. Write such
    numbers as integers (a float field takes an integer just as well)."""
    if not _FRACTION_OR_EXPONENT.search(raw):
        return raw
    try:
        data = json.loads(raw, parse_float=_integral_or_float)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return raw  # pydantic names the syntax error
    return json.dumps(data).encode()


def _text_errors_in_raw_json(raw: bytes) -> list[dict[str, Any]]:
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return []
    return text_errors(data, "body")


def _integral_or_float(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() else value


def text_errors(value: Any, path: str) -> list[dict[str, Any]]:
    """Text PostgreSQL cannot store (NUL) or that is not Unicode text (a lone surrogate,
    which JSON's \\u escapes can carry), anywhere in a validated body, query or path
    value (keys of free-form objects included): one error per field, named by its path."""
    errors: list[dict[str, Any]] = []
    if isinstance(value, str):
        if "\x00" in value:
            errors.append(
                {
                    "field": path,
                    "message": "NUL characters are not allowed.",
                    "code": "nul_character",
                }
            )
        elif _has_lone_surrogate(value):
            errors.append(
                {
                    "field": path,
                    "message": "Not valid Unicode text (a lone surrogate).",
                    "code": "invalid_text",
                }
            )
    elif isinstance(value, dict):
        for key, item in value.items():
            key_errors = text_errors(key, path) if isinstance(key, str) else []
            errors += key_errors or text_errors(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            errors += text_errors(item, f"{path}[{index}]")
    return errors


def _has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _to_response(result: Any, status: int) -> Response:
    if isinstance(result, Response):
        return result
    if result is None:
        return Response(status=204)
    if isinstance(result, BaseModel):
        response = Response(result.model_dump_json(), status=status, mimetype="application/json")
        if isinstance(result, SecretBearing):
            response.headers["Cache-Control"] = NO_STORE
        return response
    return Response(json.dumps(result, default=str), status=status, mimetype="application/json")


def json_response(
    payload: Any, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return Response(
        json.dumps(payload, default=str),
        status=status,
        headers=headers,
        mimetype="application/json",
    )


def problem_response(problem: Problem, instance: str | None, request_id: str | None) -> Response:
    return Response(
        json.dumps(problem.body(instance, request_id), default=str),
        status=problem.status,
        headers=problem.headers,
        content_type=PROBLEM_CONTENT_TYPE,
    )
