"""Classes of bad input the fuzzer found, each refused once in the shared HTTP layer.

Every test goes through the real gateway and a real route, and checks that nothing was
written: a refused request changes nothing.
"""

from __future__ import annotations

import json
import uuid

import httpx
import pytest

from shared.platform.openapi import openapi_document
from tests.identity_helpers import Account, signup


@pytest.fixture(scope="module")
def owner(gateway_url: str) -> Account:
    with httpx.Client(base_url=gateway_url, timeout=30) as api:
        return signup(api, "badinput")


def _errors(r: httpx.Response) -> dict[str, str]:
    assert r.headers["content-type"].startswith("application/problem+json"), r.text
    return {e["field"]: e["code"] for e in r.json().get("errors", [])}


def _pool_names(api: httpx.Client, owner: Account) -> list[str]:
    r = api.get("/v1/number-pools", headers=owner.headers)
    assert r.status_code == 200, r.text
    return [p["name"] for p in r.json()["data"]]


# --- JSON null and missing bodies --------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/v1/auth/login", "/v1/auth/signup", "/v1/auth/refresh", "/v1/auth/verify-email"]
)
def test_json_null_body_is_422_on_unauthenticated_routes(api: httpx.Client, path: str) -> None:
    r = api.post(path, content=b"null", headers={"Content-Type": "application/json"})
    assert r.status_code == 422, r.text
    assert "body" in _errors(r)


def test_json_null_body_is_422_and_creates_nothing(api: httpx.Client, owner: Account) -> None:
    before = _pool_names(api, owner)
    r = api.post(
        "/v1/number-pools",
        content=b"null",
        headers={**owner.headers, "Content-Type": "application/json"},
    )
    assert r.status_code == 422, r.text
    assert _pool_names(api, owner) == before


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PUT", "/v1/ai/config"),
        ("PATCH", "/v1/contacts/{id}"),
        ("PATCH", "/v1/number-pools/{id}"),
    ],
)
def test_a_required_body_must_be_sent(
    api: httpx.Client, owner: Account, method: str, path: str
) -> None:
    r = api.request(method, path.replace("{id}", str(uuid.uuid4())), headers=owner.headers)
    assert r.status_code == 422, r.text
    assert _errors(r) == {"body": "missing"}


def test_the_document_says_which_bodies_are_required(api: httpx.Client, owner: Account) -> None:
    doc = openapi_document()
    for path, method in [
        ("/v1/ai/config", "put"),
        ("/v1/contacts/{contact_id}", "patch"),
        ("/v1/number-pools/{pool_id}", "patch"),
    ]:
        assert doc["paths"][path][method]["requestBody"]["required"] is True
    # A preview's body is optional, in the document and in fact.
    preview = doc["paths"]["/v1/templates/{template_id}/preview"]["post"]
    assert preview["requestBody"]["required"] is False
    t = api.post("/v1/templates", json={"name": "p", "body": "Hi"}, headers=owner.headers)
    r = api.post(f"/v1/templates/{t.json()['id']}/preview", headers=owner.headers)
    assert r.status_code == 200, r.text


def test_a_body_without_content_type_is_415(api: httpx.Client, owner: Account) -> None:
    r = api.post(
        "/v1/number-pools",
        content=json.dumps({"name": "no type"}).encode(),
        headers={**owner.headers, "Content-Type": ""},
    )
    assert r.status_code == 415, r.text
    assert "no type" not in _pool_names(api, owner)


# --- text PostgreSQL cannot store --------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "a\u0000b"}, "body.name"),
        ({"name": "ok", "description": "x\u0000"}, "body.description"),
    ],
)
def test_nul_and_lone_surrogates_in_a_body_are_422_naming_the_field(
    api: httpx.Client, owner: Account, body: dict[str, str], field: str
) -> None:
    r = api.post("/v1/number-pools", json=body, headers=owner.headers)
    assert r.status_code == 422, r.text
    assert field in _errors(r)
    assert body["name"] not in _pool_names(api, owner)


def test_a_lone_surrogate_is_refused_as_text(api: httpx.Client, owner: Account) -> None:
    """JSON's escapes can carry half a surrogate pair: valid JSON, but no text at all. It
    is refused like NUL, 422 naming the field, however the value reaches a handler."""
    from shared.http.function import text_errors

    r = api.post(
        "/v1/number-pools",
        content=b'{"name": "\\ud800 lone"}',
        headers={**owner.headers, "Content-Type": "application/json"},
    )
    assert r.status_code == 422, r.text
    assert "body.name" in _errors(r)
    assert "\ud800 lone" not in _pool_names(api, owner)
    assert text_errors({"a": ["ok", "\udc00"]}, "body") == [
        {
            "field": "body.a[1]",
            "message": "Not valid Unicode text (a lone surrogate).",
            "code": "invalid_text",
        }
    ]


def test_nul_in_nested_values_and_keys_names_the_path(api: httpx.Client, owner: Account) -> None:
    r = api.post(
        "/v1/contacts",
        json={"phone": "+14155550188", "fields": {"color": "bl\u0000ue"}},
        headers=owner.headers,
    )
    assert r.status_code == 422, r.text
    assert "body.fields" in _errors(r)  # the custom-field validator names the field set
    r = api.post(
        "/v1/contacts",
        json={"phone": "+14155550188", "fields": {"co\u0000lor": "blue"}},
        headers=owner.headers,
    )
    assert r.status_code == 422, r.text
    assert list(_errors(r)) == ["body.fields"]
    assert api.get("/v1/contacts", headers=owner.headers).json()["data"] == []


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/v1/contacts?q=%00", "query.q"),
        ("/v1/messages?status=%00", "query.status"),
        ("/v1/conversations?q=a%00", "query.q"),
    ],
)
def test_nul_in_a_query_is_4xx_never_500(
    api: httpx.Client, owner: Account, path: str, field: str
) -> None:
    r = api.get(path, headers=owner.headers)
    assert r.status_code == 422, r.text
    assert field in _errors(r)


def test_nul_in_the_login_email_is_422(api: httpx.Client) -> None:
    r = api.post("/v1/auth/login", json={"email": "a\u0000@x.com", "password": "whatever-123"})
    assert r.status_code == 422, r.text
    assert _errors(r) == {"body.email": "nul_character"}


# --- strict types: the document's type only ------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "p", "sticky": 1}, "body.sticky"),
        ({"name": "p", "sticky": "true"}, "body.sticky"),
        ({"name": 5}, "body.name"),
    ],
)
def test_values_of_another_type_are_refused(
    api: httpx.Client, owner: Account, body: dict[str, object], field: str
) -> None:
    r = api.post("/v1/number-pools", json=body, headers=owner.headers)
    assert r.status_code == 422, r.text
    assert field in _errors(r)


def test_an_integral_float_is_an_integer_as_json_schema_says(
    api: httpx.Client, owner: Account
) -> None:
    r = api.get("/v1/ai/config", headers=owner.headers)
    config = r.json()
    config["max_consecutive_replies"] = 7.0
    body = {k: config[k] for k in ("enabled", "mode", "max_consecutive_replies") if k in config}
    r = api.put("/v1/ai/config", json=body, headers=owner.headers)
    assert r.status_code == 200, r.text
    assert r.json()["max_consecutive_replies"] == 7
    body["max_consecutive_replies"] = 7.5
    r = api.put("/v1/ai/config", json=body, headers=owner.headers)
    assert r.status_code == 422, r.text


@pytest.mark.parametrize("value", ["0.5", "1700000000", "1e9"])
def test_a_number_is_not_a_date_time(api: httpx.Client, owner: Account, value: str) -> None:
    r = api.get(f"/v1/messages?created_before={value}", headers=owner.headers)
    assert r.status_code == 422, r.text
    assert "query.created_before" in _errors(r)
    r = api.post("/v1/campaigns", json={"name": "c", "send_at": 0.5}, headers=owner.headers)
    assert r.status_code == 422, r.text
    assert "body.send_at" in _errors(r)


# --- integers within their column ---------------------------------------------------------


@pytest.mark.parametrize("version", [9223372036854775808, 10**30, 2**31, 0])
def test_integers_beyond_their_column_are_422(
    api: httpx.Client, owner: Account, version: int
) -> None:
    t = api.post("/v1/templates", json={"name": "t", "body": "Hi"}, headers=owner.headers)
    assert t.status_code == 201, t.text
    r = api.post(
        f"/v1/templates/{t.json()['id']}/preview", json={"version": version}, headers=owner.headers
    )
    assert r.status_code == 422, r.text
    assert "body.version" in _errors(r)
    r = api.post(
        "/v1/campaigns",
        json={"name": "c", "template_id": t.json()["id"], "template_version": version},
        headers=owner.headers,
    )
    assert r.status_code == 422, r.text
    assert "body.template_version" in _errors(r)


def _request_schemas(doc: dict[str, object]) -> list[tuple[str, dict[str, object]]]:
    """(where, schema) of every parameter and request body of the document."""
    out: list[tuple[str, dict[str, object]]] = []
    for path, item in doc["paths"].items():  # type: ignore[attr-defined]
        for method, op in item.items():
            where = f"{method.upper()} {path}"
            out += [(f"{where} {p['name']}", p["schema"]) for p in op.get("parameters", [])]
            for media in op.get("requestBody", {}).get("content", {}).values():
                out.append((f"{where} body", media["schema"]))
    return out


def test_every_request_integer_and_number_shows_its_bounds() -> None:
    doc = openapi_document()
    components = doc["components"]["schemas"]
    unbounded: list[str] = []

    def walk(where: str, schema: object, seen: frozenset[str]) -> None:
        if isinstance(schema, list):
            for item in schema:
                walk(where, item, seen)
            return
        if not isinstance(schema, dict):
            return
        ref = schema.get("$ref")
        if isinstance(ref, str):
            name = ref.rsplit("/", 1)[-1]
            if name not in seen:
                walk(f"{where} > {name}", components[name], seen | {name})
            return
        if schema.get("type") in ("integer", "number"):
            has_min = "minimum" in schema or "exclusiveMinimum" in schema
            has_max = "maximum" in schema or "exclusiveMaximum" in schema
            if not (has_min and has_max):
                unbounded.append(where)
        for key, value in schema.items():
            if key == "properties" and isinstance(value, dict):
                for name, prop in value.items():
                    walk(f"{where}.{name}", prop, seen)
            elif key in ("items", "anyOf", "oneOf", "allOf", "additionalProperties"):
                walk(where, value, seen)

    for where, schema in _request_schemas(doc):
        walk(where, schema, frozenset())
    assert unbounded == []


# --- integrity errors ------------------------------------------------------------------------


def test_deleting_a_pool_a_campaign_uses_is_409_naming_the_campaigns(
    api: httpx.Client, owner: Account
) -> None:
    pool = api.post("/v1/number-pools", json={"name": "used"}, headers=owner.headers).json()
    campaign = api.post(
        "/v1/campaigns",
        json={"name": "uses the pool", "body": "Hi", "pool_id": pool["id"]},
        headers=owner.headers,
    )
    assert campaign.status_code == 201, campaign.text
    r = api.delete(f"/v1/number-pools/{pool['id']}", headers=owner.headers)
    assert r.status_code == 409, r.text
    problem = r.json()
    assert problem["type"].endswith("/pool-in-use")
    assert [c["id"] for c in problem["campaigns"]] == [campaign.json()["id"]]
    assert "used" in _pool_names(api, owner)


@pytest.mark.parametrize(
    ("sql", "status", "slug"),
    [
        ("INSERT INTO t (x, y) VALUES (1, 1), (1, 2)", 409, "already-exists"),
        ("INSERT INTO t (x, y) VALUES (2, NULL)", 422, "missing-value"),
        ("INSERT INTO t (x, y) VALUES (3, -1)", 422, "constraint-violated"),
        ("INSERT INTO c (p) VALUES (5)", 422, "unknown-reference"),
        ("INSERT INTO p VALUES (7); INSERT INTO c VALUES (7); DELETE FROM p", 409, "in-use"),
        ("SELECT 9223372036854775807::bigint + 1", 422, "invalid-value"),
        ("SELECT 'abc'::int", 422, "invalid-value"),
    ],
)
def test_any_integrity_or_data_error_is_a_problem_not_a_500(
    sql: str, status: int, slug: str
) -> None:
    """The net under every route: a constraint or a value the code did not check first."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from shared.db.errors import problem_for
    from shared.db.session import system_session

    def run() -> None:
        with system_session() as s:
            s.execute(text("CREATE TEMP TABLE t (x int UNIQUE, y int NOT NULL CHECK (y > 0))"))
            s.execute(text("CREATE TEMP TABLE p (id int PRIMARY KEY)"))
            s.execute(text("CREATE TEMP TABLE c (p int REFERENCES p)"))
            for statement in sql.split("; "):
                s.execute(text(statement))

    with pytest.raises(DBAPIError) as caught:
        run()
    problem = problem_for(caught.value)
    assert problem is not None
    assert (problem.status, problem.slug) == (status, slug)


# --- method matching ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PATCH", "/v1/contacts/bulk", "OPTIONS, POST"),
        ("PATCH", "/v1/contacts/imports", "GET, HEAD, OPTIONS, POST"),
        ("DELETE", "/v1/conversations/counts", "GET, HEAD, OPTIONS"),
        ("PATCH", "/v1/numbers/available", "GET, HEAD, OPTIONS"),
        ("PATCH", "/v1/numbers/import", "OPTIONS, POST"),
        ("DELETE", "/v1/numbers/purchase", "OPTIONS, POST"),
        ("PATCH", "/v1/members/invitations", "GET, HEAD, OPTIONS, POST"),
    ],
)
def test_a_fixed_path_is_not_shadowed_by_an_id_route(
    api: httpx.Client, owner: Account, method: str, path: str, allow: str
) -> None:
    r = api.request(method, path, headers=owner.headers, json={})
    assert r.status_code == 405, r.text
    assert r.headers["Allow"] == allow


def test_an_id_route_still_serves_its_methods(api: httpx.Client, owner: Account) -> None:
    r = api.patch(f"/v1/contacts/{uuid.uuid4()}", json={"first_name": "x"}, headers=owner.headers)
    assert r.status_code == 404, r.text
    r = api.put(f"/v1/contacts/{uuid.uuid4()}", json={}, headers=owner.headers)
    assert r.status_code == 405
    assert r.headers["Allow"] == "DELETE, GET, HEAD, OPTIONS, PATCH"


# --- Twilio credentials ------------------------------------------------------------------


@pytest.mark.parametrize("token", ["é" * 32, "ü" + "a" * 31, "中" * 32, "0" * 31])
def test_a_twilio_token_of_the_wrong_form_is_422(
    api: httpx.Client, owner: Account, token: str
) -> None:
    r = api.put(
        "/v1/twilio/config",
        json={"account_sid": "AC" + "0" * 32, "auth_token": token},
        headers=owner.headers,
    )
    assert r.status_code == 422, r.text
    assert "body.auth_token" in _errors(r)


def test_routes_that_call_a_provider_document_502() -> None:
    from shared import registry

    doc = openapi_document()
    calling = [
        (route.method, route.path)
        for spec in registry.http_functions()
        for route in spec.routes
        if route.provider
    ]
    assert ("PUT", "/v1/twilio/config") in calling
    for method, path in calling:
        assert "502" in doc["paths"][path][method.lower()]["responses"], (method, path)


def test_patterns_mean_the_same_in_json_schema_and_pydantic() -> None:
    r"""\d, \s and \w are Unicode-wide in pydantic's regex engine and not in JSON
    Schema's (ECMA-262): a pattern using them lets one side take what the other refuses."""
    patterns: list[str] = []

    def collect(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("pattern"), str):
                patterns.append(node["pattern"])
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(openapi_document())
    assert patterns, "the document has patterns"
    classes = ("\\d", "\\s", "\\S", "\\w", "\\W", "\\b")
    assert [p for p in patterns if any(c in p for c in classes)] == []
