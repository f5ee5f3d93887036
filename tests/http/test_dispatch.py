"""HTTP conventions: bad input is always a 4xx problem+json, never a 5xx."""

from __future__ import annotations

import json
import uuid

import pytest
from pydantic import BaseModel, Field
from werkzeug.test import Client

from shared.http.function import HttpFunction, Request
from shared.http.pagination import PageQuery
from shared.http.problems import Problem, conflict
from shared.registry import Auth, FunctionSpec, Kind, Route

SPEC = FunctionSpec(
    name="things",
    module="tests.http.test_dispatch",
    kind=Kind.HTTP,
    auth=Auth.NONE,
    description="A test function.",
    routes=(
        Route("POST", "/v1/things", "create_thing", "Create", status=201),
        Route("GET", "/v1/things", "list_things", "List"),
        Route("GET", "/v1/things/{thing_id}", "get_thing", "Get"),
        Route("DELETE", "/v1/things/{thing_id}", "delete_thing", "Delete", status=204),
        Route("POST", "/v1/boom", "boom", "Fails"),
    ),
)


class Address(BaseModel):
    city: str
    zip: str = Field(pattern=r"^\d{5}$")


class ThingIn(BaseModel):
    name: str = Field(min_length=1, max_length=20)
    count: int
    addresses: list[Address] = []


class ThingOut(BaseModel):
    id: uuid.UUID
    name: str
    count: int


class ThingQuery(PageQuery):
    tag: list[str] = []


app = HttpFunction(SPEC)
SEEN: dict[str, object] = {}


@app.operation
def create_thing(body: ThingIn) -> ThingOut:
    if body.name == "taken":
        raise conflict("A thing with this name exists.", existing_id="abc")
    return ThingOut(id=uuid.uuid4(), name=body.name, count=body.count)


@app.operation
def list_things(req: Request, query: ThingQuery) -> ThingOut:
    SEEN["query"] = query
    SEEN["request_id"] = req.request_id
    return ThingOut(id=uuid.uuid4(), name=",".join(query.tag), count=query.limit)


@app.operation
def get_thing(thing_id: uuid.UUID) -> ThingOut:
    raise Problem(404, "not-found", "Not found", f"Thing {thing_id} not found.")


@app.operation
def delete_thing(thing_id: uuid.UUID) -> None:
    return None


@app.operation
def boom() -> ThingOut:
    raise RuntimeError("a bug")


@pytest.fixture
def client() -> Client:
    return Client(app.wsgi)


def problem(response: object) -> dict[str, object]:
    assert response.headers["Content-Type"] == "application/problem+json"  # type: ignore[attr-defined]
    body = json.loads(response.get_data())  # type: ignore[attr-defined]
    assert body["type"].startswith("https://smsplatform.dev/problems/")
    assert body["status"] == response.status_code  # type: ignore[attr-defined]
    return body  # type: ignore[no-any-return]


def test_valid_body_is_created(client: Client) -> None:
    r = client.post("/v1/things", json={"name": "ok", "count": 3})
    assert r.status_code == 201
    assert r.json["name"] == "ok"  # type: ignore[index]
    assert r.headers["X-Request-Id"]


def test_malformed_json_is_400(client: Client) -> None:
    r = client.post("/v1/things", data="{not json", content_type="application/json")
    assert r.status_code == 400
    assert problem(r)["type"].endswith("/malformed-json")  # type: ignore[union-attr]


def test_wrong_types_name_the_field_path(client: Client) -> None:
    r = client.post(
        "/v1/things",
        json={"name": "", "count": "many", "addresses": [{"city": "x", "zip": "1"}]},
    )
    assert r.status_code == 422
    fields = {e["field"] for e in problem(r)["errors"]}  # type: ignore[attr-defined]
    assert fields == {"body.name", "body.count", "body.addresses[0].zip"}


def test_json_that_is_not_an_object_is_422(client: Client) -> None:
    r = client.post("/v1/things", data="[1, 2]", content_type="application/json")
    assert r.status_code == 422
    problem(r)


def test_oversize_body_is_413(client: Client) -> None:
    big = json.dumps({"name": "x", "count": 1, "pad": "a" * 2_000_000})
    r = client.post("/v1/things", data=big, content_type="application/json")
    assert r.status_code == 413
    problem(r)


def test_wrong_content_type_is_415(client: Client) -> None:
    r = client.post("/v1/things", data="name=x", content_type="application/x-www-form-urlencoded")
    assert r.status_code == 415
    problem(r)


def test_query_lists_and_bounds(client: Client) -> None:
    r = client.get("/v1/things?tag=a&tag=b&limit=5")
    assert r.status_code == 200
    assert r.json["name"] == "a,b"  # type: ignore[index]
    assert r.json["count"] == 5  # type: ignore[index]
    r = client.get("/v1/things?limit=100000")
    assert r.status_code == 422
    assert problem(r)["errors"][0]["field"] == "query.limit"  # type: ignore[index]


def test_malformed_path_parameter_is_422(client: Client) -> None:
    r = client.get("/v1/things/not-a-uuid")
    assert r.status_code == 422
    assert problem(r)["errors"][0]["field"] == "path.thing_id"  # type: ignore[index]


def test_problems_raised_by_handlers_keep_their_fields(client: Client) -> None:
    r = client.post("/v1/things", json={"name": "taken", "count": 1})
    assert r.status_code == 409
    assert problem(r)["existing_id"] == "abc"
    r = client.get(f"/v1/things/{uuid.uuid4()}")
    assert r.status_code == 404
    problem(r)


def test_no_content(client: Client) -> None:
    r = client.delete(f"/v1/things/{uuid.uuid4()}")
    assert r.status_code == 204
    assert r.get_data() == b""


def test_unknown_route_and_method(client: Client) -> None:
    assert problem(client.get("/v1/nothing"))["status"] == 404
    r = client.put("/v1/things")
    assert r.status_code == 405
    assert "GET" in r.headers["Allow"]
    problem(r)


def test_unexpected_exception_is_a_logged_500_problem(client: Client) -> None:
    r = client.post("/v1/boom", json={})
    assert r.status_code == 500
    body = problem(r)
    assert "a bug" not in json.dumps(body)  # internals are logged, not shown


def test_a_handler_that_is_not_in_the_registry_is_refused() -> None:
    with pytest.raises(LookupError):

        @app.operation
        def not_declared() -> None: ...


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        pytest.param('{"name": "a\\ud800b", "count": 1}', "body.name", id="high"),
        pytest.param(
            '{"name": "ok", "count": 1, "addresses": [{"city": "\\uDFFF", "zip": "12345"}]}',
            "body.addresses[0].city",
            id="low, nested, upper case",
        ),
        pytest.param('{"name": "ok", "count": 1, "\\ud83d": 1}', "body", id="a key"),
    ],
)
def test_a_lone_surrogate_in_any_string_is_422_naming_the_field(
    client: Client, payload: str, field: str
) -> None:
    r = client.post("/v1/things", data=payload, content_type="application/json")
    assert r.status_code == 422
    errors = problem(r)["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [(field, "invalid_text")]  # type: ignore[attr-defined]
    assert "lone surrogate" in errors[0]["message"]  # type: ignore[index]


def test_a_surrogate_pair_escape_is_text(client: Client) -> None:
    r = client.post(
        "/v1/things",
        data='{"name": "\\ud83d\\ude00 \\\\ud800", "count": 1}',
        content_type="application/json",
    )
    assert r.status_code == 201
    assert r.json["name"] == "\N{GRINNING FACE} \\ud800"  # type: ignore[index]
