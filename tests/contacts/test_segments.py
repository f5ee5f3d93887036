"""Segments: CRUD and validation over the gateway, and the compiler against the evaluator."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.dialects import postgresql

from shared.contacts.models import LEAD_STAGES, Contact, ContactTag
from shared.contacts.segments import (
    CONVERSATION_STATUSES,
    compile_filter,
    evaluate,
    parse_filter,
)
from shared.conversations.models import Conversation
from shared.db.session import tenant_session
from shared.http.problems import Problem
from tests.contacts.helpers import create
from tests.identity_helpers import Account, signup


def _segment(api: httpx.Client, owner: Account, filter_: dict[str, Any]) -> httpx.Response:
    return api.post("/v1/segments", json={"name": "s", "filter": filter_}, headers=owner.headers)


def test_segment_crud_count_and_preview(api: httpx.Client) -> None:
    owner = signup(api, "segments")
    vip = [
        create(api, owner, first_name=f"V{i}", tags=["vip"], fields={"score": i}) for i in range(5)
    ]
    create(api, owner, first_name="Plain")
    r = _segment(
        api,
        owner,
        {
            "all": [
                {"field": "tag", "op": "has", "value": "VIP"},
                {
                    "any": [
                        {"field": "fields.score", "op": "gte", "value": 3},
                        {"field": "first_name", "op": "eq", "value": "V0"},
                    ]
                },
            ]
        },
    )
    assert r.status_code == 201, r.text
    seg = r.json()
    assert seg["filter"]["all"][0] == {"field": "tag", "op": "has", "value": "vip"}
    count = api.get(f"/v1/segments/{seg['id']}/count", headers=owner.headers)
    assert count.json() == {"count": 3}
    preview = api.get(
        f"/v1/segments/{seg['id']}/contacts", params={"limit": 2}, headers=owner.headers
    ).json()
    assert [c["id"] for c in preview["data"]] == [vip[4]["id"], vip[3]["id"]]
    rest = api.get(
        f"/v1/segments/{seg['id']}/contacts",
        params={"limit": 2, "cursor": preview["next_cursor"]},
        headers=owner.headers,
    ).json()
    assert [c["id"] for c in rest["data"]] == [vip[0]["id"]]
    assert rest["next_cursor"] is None

    r = api.patch(
        f"/v1/segments/{seg['id']}",
        json={"name": "Everyone", "filter": {"all": []}},
        headers=owner.headers,
    )
    assert r.status_code == 200
    assert r.json()["name"] == "Everyone"
    assert api.get(f"/v1/segments/{seg['id']}/count", headers=owner.headers).json()["count"] == 6
    listed = api.get("/v1/segments", headers=owner.headers).json()["data"]
    assert [s["id"] for s in listed] == [seg["id"]]
    assert api.delete(f"/v1/segments/{seg['id']}", headers=owner.headers).status_code == 204
    assert api.get(f"/v1/segments/{seg['id']}", headers=owner.headers).status_code == 404
    assert api.get(f"/v1/segments/{seg['id']}/count", headers=owner.headers).status_code == 404


@pytest.mark.parametrize(
    ("filter_", "field", "code"),
    [
        (
            {"all": [{"field": "shoe_size", "op": "eq", "value": 1}]},
            "body.filter.all[0].field",
            "unknown_field",
        ),
        (
            {"all": [{"field": "email", "op": "regex", "value": "x"}]},
            "body.filter.all[0].op",
            "unknown_operator",
        ),
        (
            {"any": [{"all": [{"field": "opted_out", "op": "eq", "value": "yes"}]}]},
            "body.filter.any[0].all[0].value",
            "invalid",
        ),
        (
            {"all": [{"field": "tag", "op": "has_any", "value": []}]},
            "body.filter.all[0].value",
            "invalid",
        ),
        (
            {"all": [{"field": "created_at", "op": "before", "value": "last tuesday"}]},
            "body.filter.all[0].value",
            "invalid",
        ),
        (
            {"all": [{"field": "lead_stage", "op": "eq", "value": "hot"}]},
            "body.filter.all[0].value",
            "invalid",
        ),
        (
            {"all": [{"field": "fields.a b", "op": "eq", "value": 1}]},
            "body.filter.all[0].field",
            "unknown_field",
        ),
        ({"none": []}, "body.filter", "invalid_group"),
        (
            {"all": [{"field": "email", "op": "eq", "value": "a", "extra": 1}]},
            "body.filter.all[0]",
            "extra_forbidden",
        ),
        (
            {"all": [{"all": [{"all": [{"all": [{"all": [{"all": [{"all": []}]}]}]}]}]}]},
            "body.filter.all[0].all[0].all[0].all[0].all[0].all[0]",
            "too_deep",
        ),
    ],
)
def test_bad_filters_are_422_with_their_path(
    api: httpx.Client, filter_: dict[str, Any], field: str, code: str
) -> None:
    owner = signup(api, "segments")
    r = _segment(api, owner, filter_)
    assert r.status_code == 422, r.text
    errors = r.json()["errors"]
    assert {"field": field, "code": code} in [
        {"field": e["field"], "code": e["code"]} for e in errors
    ], errors


def test_values_are_bound_never_interpolated() -> None:
    evil = "x'); DROP TABLE contacts; --"
    tree = parse_filter(
        {
            "any": [
                {"field": "first_name", "op": "eq", "value": evil},
                {"field": "email", "op": "contains", "value": evil},
                {"field": "fields.k", "op": "eq", "value": evil},
                {"field": "fields.k", "op": "gt", "value": evil},
                {"field": "tag", "op": "has", "value": evil},
            ]
        }
    )
    stmt = select(Contact.id).where(compile_filter(tree, datetime.now(UTC)))
    compiled = stmt.compile(dialect=postgresql.dialect())
    assert "DROP" not in str(compiled)
    assert any(evil in str(v) for v in compiled.params.values())


def test_erased_contacts_never_match(api: httpx.Client) -> None:
    owner = signup(api, "segments")
    gone = create(api, owner, tags=["t"])
    create(api, owner, tags=["t"])
    assert api.delete(f"/v1/contacts/{gone['id']}", headers=owner.headers).status_code == 204
    seg = _segment(api, owner, {"all": []}).json()
    assert api.get(f"/v1/segments/{seg['id']}/count", headers=owner.headers).json()["count"] == 1


# --- property: compiled SQL == Python evaluation ------------------------------------------

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
TEXTS = ["Ann", "ann", "Anna", "Bob", "b_b", "50%", "a\\b", ""]
FIELD_VALUES: list[Any] = ["a", "A", "ab", "", "10", "b%", 0, 1, -2, 10, 0.5, 1.0, 2.5, True, False]
TAGS = ["vip", "new", "x_y"]
KEYS = ["k1", "k2", "k3"]
moments = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC)
)

contact_st = st.fixed_dictionaries(
    {
        "first_name": st.none() | st.sampled_from(TEXTS),
        "last_name": st.none() | st.sampled_from(TEXTS),
        "email": st.none() | st.sampled_from(["ann@x.io", "bob@y.io", "a_b@x.io"]),
        "timezone": st.none() | st.sampled_from(["America/New_York", "Europe/London"]),
        "fields": st.dictionaries(st.sampled_from(KEYS), st.sampled_from(FIELD_VALUES), max_size=3),
        "tags": st.sets(st.sampled_from(TAGS)),
        "opted_out": st.booleans(),
        "created_at": moments,
        "last_message_at": st.none() | moments,
        "lead_stage": st.sampled_from(LEAD_STAGES),
        "conversation_status": st.none() | st.sampled_from(CONVERSATION_STATUSES),
    }
)


def _condition() -> st.SearchStrategy[dict[str, Any]]:
    text_needles = st.sampled_from(["a", "A", "n", "an", "b_", "%", "\\", "Ann", "x.io"])
    text_values = st.sampled_from(TEXTS[:-1])
    text_cond = st.builds(
        lambda f, op, v, vs: {"field": f, "op": op, "value": vs if op in ("in", "not_in") else v},
        st.sampled_from(["first_name", "last_name", "email", "timezone"]),
        st.sampled_from(
            [
                "eq",
                "neq",
                "in",
                "not_in",
                "contains",
                "starts_with",
                "ends_with",
                "is_set",
                "is_not_set",
            ]
        ),
        text_values,
        st.lists(text_values, min_size=1, max_size=3),
    ).map(
        lambda c: {**c, "value": "an"} if c["op"] in ("contains", "starts_with", "ends_with") else c
    )
    like_cond = st.builds(
        lambda f, op, v: {"field": f, "op": op, "value": v},
        st.sampled_from(["first_name", "email", "fields.k1"]),
        st.sampled_from(["contains", "starts_with", "ends_with"]),
        text_needles,
    )
    scalar = st.sampled_from([v for v in FIELD_VALUES if v != ""])
    custom_cond = st.builds(
        lambda k, op, v, vs: {
            "field": f"fields.{k}",
            "op": op,
            "value": vs if op in ("in", "not_in") else v,
        },
        st.sampled_from(KEYS),
        st.sampled_from(
            ["eq", "neq", "in", "not_in", "gt", "gte", "lt", "lte", "is_set", "is_not_set"]
        ),
        scalar,
        st.lists(scalar, min_size=1, max_size=3),
    ).filter(lambda c: not (c["op"] in ("gt", "gte", "lt", "lte") and isinstance(c["value"], bool)))
    tag_cond = st.one_of(
        st.builds(
            lambda op, t: {"field": "tag", "op": op, "value": t},
            st.sampled_from(["has", "has_not"]),
            st.sampled_from(TAGS),
        ),
        st.builds(
            lambda op, ts: {"field": "tag", "op": op, "value": ts},
            st.sampled_from(["has_any", "has_all", "has_none"]),
            st.lists(st.sampled_from(TAGS), min_size=1, max_size=3),
        ),
    )
    date_cond = st.one_of(
        st.builds(
            lambda f, op, at: {"field": f, "op": op, "value": at.isoformat()},
            st.sampled_from(["created_at", "last_message_at"]),
            st.sampled_from(["before", "after"]),
            moments,
        ),
        st.builds(
            lambda f, op, days: {"field": f, "op": op, "value": days},
            st.sampled_from(["created_at", "last_message_at"]),
            st.sampled_from(["within_last_days", "more_than_days_ago"]),
            st.integers(0, 900),
        ),
        st.builds(
            lambda f, op: {"field": f, "op": op},
            st.sampled_from(["created_at", "last_message_at"]),
            st.sampled_from(["is_set", "is_not_set"]),
        ),
    )
    enum_cond = st.one_of(
        st.builds(
            lambda op, v, vs: {
                "field": "lead_stage",
                "op": op,
                "value": vs if op in ("in", "not_in") else v,
            },
            st.sampled_from(["eq", "neq", "in", "not_in"]),
            st.sampled_from(LEAD_STAGES),
            st.lists(st.sampled_from(LEAD_STAGES), min_size=1, max_size=3),
        ),
        st.builds(
            lambda op, v, vs: {
                "field": "conversation_status",
                "op": op,
                "value": vs if op in ("in", "not_in") else v,
            },
            st.sampled_from(["eq", "neq", "in", "not_in", "is_set", "is_not_set"]),
            st.sampled_from(CONVERSATION_STATUSES),
            st.lists(st.sampled_from(CONVERSATION_STATUSES), min_size=1, max_size=3),
        ),
        st.builds(lambda v: {"field": "opted_out", "op": "eq", "value": v}, st.booleans()),
    )
    return st.one_of(text_cond, like_cond, custom_cond, tag_cond, date_cond, enum_cond)


trees = st.recursive(
    _condition(),
    lambda children: st.builds(
        lambda kind, items: {kind: items},
        st.sampled_from(["all", "any"]),
        st.lists(children, max_size=4),
    ),
    max_leaves=8,
).map(lambda node: node if "all" in node or "any" in node else {"all": [node]})


class _Rollback(Exception):
    pass


@pytest.fixture(scope="module")
def property_tenant(gateway_url: str) -> uuid.UUID:
    with httpx.Client(base_url=gateway_url, timeout=30) as api:
        return uuid.UUID(signup(api, "property").workspace_id)


def _matches_in_sql(
    tenant: uuid.UUID, contacts: list[dict[str, Any]], trees: list[Any]
) -> list[tuple[set[int], set[int]]]:
    """For each tree: (indexes the SQL selects, indexes the evaluator selects)."""
    out: list[tuple[set[int], set[int]]] = []
    try:
        with tenant_session(tenant) as s:
            ids: dict[uuid.UUID, int] = {}
            for i, data in enumerate(contacts):
                contact = Contact(
                    id=uuid.uuid4(),
                    tenant_id=tenant,
                    phone=f"+1415555{i:04d}",
                    **{k: v for k, v in data.items() if k not in ("tags", "conversation_status")},
                )
                ids[contact.id] = i
                s.add(contact)
                s.flush()
                for tag in data["tags"]:
                    s.add(ContactTag(tenant_id=tenant, contact_id=contact.id, tag=tag))
                if data["conversation_status"]:
                    s.add(
                        Conversation(
                            tenant_id=tenant,
                            contact_id=contact.id,
                            status=data["conversation_status"],
                        )
                    )
            s.flush()
            for tree in trees:
                got = s.scalars(
                    select(Contact.id).where(
                        Contact.tenant_id == tenant,
                        Contact.erased_at.is_(None),
                        compile_filter(tree, NOW),
                    )
                )
                expected = {i for i, c in enumerate(contacts) if evaluate(tree, c, NOW)}
                out.append(({ids[g] for g in got}, expected))
            raise _Rollback
    except _Rollback:
        pass
    return out


FIXED_CONTACTS: list[dict[str, Any]] = [
    {
        "first_name": first,
        "last_name": last,
        "email": email,
        "timezone": tz,
        "fields": fields,
        "tags": tags,
        "opted_out": i % 3 == 0,
        "created_at": NOW - timedelta(days=i * 40),
        "last_message_at": None if i % 2 else NOW - timedelta(days=i),
        "lead_stage": LEAD_STAGES[i % len(LEAD_STAGES)],
        "conversation_status": (None, *CONVERSATION_STATUSES)[i % 4],
    }
    for i, (first, last, email, tz, fields, tags) in enumerate(
        [
            ("Ann", None, "ann@x.io", None, {"k1": "a", "k2": 1}, {"vip"}),
            ("ann", "Bob", None, "Europe/London", {"k1": "A", "k2": 1.0}, set()),
            ("Anna", "", "bob@y.io", "America/New_York", {"k1": "", "k2": True}, {"new"}),
            (None, "b_b", "a_b@x.io", None, {"k1": "10", "k2": 2.5}, {"vip", "new"}),
            ("50%", "a\\b", None, None, {"k2": "b%", "k3": False}, {"x_y"}),
            ("", "Ann", "ann@x.io", "Europe/London", {}, {"vip", "x_y"}),
            ("Bob", None, None, None, {"k1": 0, "k3": -2}, set()),
            ("b_b", "Anna", "bob@y.io", None, {"k1": "ab", "k2": 10}, {"new", "x_y"}),
        ]
    )
]


def _every_condition() -> list[dict[str, Any]]:
    conds: list[dict[str, Any]] = []
    for field in ("first_name", "last_name", "email", "timezone", "fields.k1", "fields.k2"):
        for value in ("Ann", "a", "A", "10", "b%", 1, True, 2.5):
            if field.startswith("fields.") or isinstance(value, str):
                conds += [
                    {"field": field, "op": "eq", "value": value},
                    {"field": field, "op": "neq", "value": value},
                    {"field": field, "op": "in", "value": [value, "Bob"]},
                    {"field": field, "op": "not_in", "value": [value, "Bob"]},
                ]
        for needle in ("an", "A", "_", "%", "\\", "b"):
            for op in ("contains", "starts_with", "ends_with"):
                conds.append({"field": field, "op": op, "value": needle})
        conds += [{"field": field, "op": "is_set"}, {"field": field, "op": "is_not_set"}]
    for key in ("k1", "k2", "k3"):
        for value in (0, 1, 2.5, -3, "a", "A", "10"):
            for op in ("gt", "gte", "lt", "lte"):
                conds.append({"field": f"fields.{key}", "op": op, "value": value})
    for tag in TAGS:
        conds += [
            {"field": "tag", "op": "has", "value": tag},
            {"field": "tag", "op": "has_not", "value": tag},
        ]
    for op in ("has_any", "has_all", "has_none"):
        conds += [
            {"field": "tag", "op": op, "value": ["vip", "new"]},
            {"field": "tag", "op": op, "value": ["x_y"]},
        ]
    for field in ("created_at", "last_message_at"):
        for days in (0, 5, 100, 1000):
            conds += [
                {"field": field, "op": "within_last_days", "value": days},
                {"field": field, "op": "more_than_days_ago", "value": days},
            ]
        at = (NOW - timedelta(days=60)).isoformat()
        conds += [
            {"field": field, "op": "before", "value": at},
            {"field": field, "op": "after", "value": at},
            {"field": field, "op": "is_set"},
            {"field": field, "op": "is_not_set"},
        ]
    for stage in LEAD_STAGES:
        conds += [
            {"field": "lead_stage", "op": op, "value": stage if op in ("eq", "neq") else [stage]}
            for op in ("eq", "neq", "in", "not_in")
        ]
    for status in CONVERSATION_STATUSES:
        conds += [
            {
                "field": "conversation_status",
                "op": op,
                "value": status if op in ("eq", "neq") else [status],
            }
            for op in ("eq", "neq", "in", "not_in")
        ]
    conds += [
        {"field": "conversation_status", "op": "is_set"},
        {"field": "conversation_status", "op": "is_not_set"},
        {"field": "opted_out", "op": "eq", "value": True},
        {"field": "opted_out", "op": "eq", "value": False},
    ]
    return conds


def test_every_operator_agrees_on_a_fixed_dataset(property_tenant: uuid.UUID) -> None:
    conditions = _every_condition()
    trees = [parse_filter({"all": [c]}) for c in conditions]
    results = _matches_in_sql(property_tenant, FIXED_CONTACTS, trees)
    mismatches = [
        (c, got, want) for c, (got, want) in zip(conditions, results, strict=True) if got != want
    ]
    assert not mismatches, mismatches[:5]
    # The dataset is rich enough that most conditions split it.
    splitting = [r for r in results if r[1] and len(r[1]) < len(FIXED_CONTACTS)]
    assert len(splitting) > len(conditions) * 0.45


@settings(
    max_examples=300,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(contacts=st.lists(contact_st, min_size=1, max_size=12), raw_tree=trees)
def test_compiled_sql_agrees_with_the_python_evaluator(
    property_tenant: uuid.UUID, contacts: list[dict[str, Any]], raw_tree: dict[str, Any]
) -> None:
    try:
        tree = parse_filter(raw_tree)
    except Problem as problem:  # the generator only builds valid filters
        raise AssertionError(problem.errors) from problem
    [(got, expected)] = _matches_in_sql(property_tenant, contacts, [tree])
    assert got == expected, tree


def test_the_evaluator_on_edge_cases() -> None:
    contact = {
        "first_name": None,
        "fields": {"n": 1, "s": "1", "b": True, "e": ""},
        "tags": {"a"},
        "conversation_status": None,
        "last_message_at": None,
        "created_at": NOW - timedelta(days=3),
    }

    def match(raw: dict[str, Any]) -> bool:
        return evaluate(parse_filter({"all": [raw]}), contact, NOW)

    assert match({"field": "fields.n", "op": "eq", "value": 1.0})
    assert not match({"field": "fields.n", "op": "eq", "value": True})
    assert not match({"field": "fields.s", "op": "eq", "value": 1})
    assert match({"field": "fields.b", "op": "eq", "value": True})
    assert match({"field": "fields.e", "op": "is_not_set"})
    assert match({"field": "fields.missing", "op": "neq", "value": 1})
    assert not match({"field": "fields.n", "op": "gt", "value": "0"})
    assert match({"field": "first_name", "op": "neq", "value": "x"})
    assert not match({"field": "first_name", "op": "contains", "value": "x"})
    assert match({"field": "conversation_status", "op": "neq", "value": "open"})
    assert match({"field": "created_at", "op": "within_last_days", "value": 3})
    assert not match({"field": "last_message_at", "op": "before", "value": "2100-01-01"})
    assert evaluate(parse_filter({"any": []}), contact, NOW) is False
    assert evaluate(parse_filter({"all": []}), contact, NOW) is True


def test_count_of_an_unsaved_filter(api: httpx.Client) -> None:
    owner = signup(api, "segments")
    create(api, owner, tags=["vip"])
    create(api, owner, tags=["vip"], first_name="Ada")
    create(api, owner)
    stranger = signup(api, "segments")
    create(api, stranger, tags=["vip"])

    def count(filter_: Any) -> httpx.Response:
        return api.post("/v1/segments/count", json={"filter": filter_}, headers=owner.headers)

    assert count({"all": []}).json() == {"count": 3}
    assert count({"all": [{"field": "tag", "op": "has", "value": "VIP"}]}).json() == {"count": 2}
    r = count(
        {
            "any": [
                {"field": "first_name", "op": "eq", "value": "Ada"},
                {"field": "tag", "op": "has_not", "value": "vip"},
            ]
        }
    )
    assert r.json() == {"count": 2}
    bad = count({"all": [{"field": "tag", "op": "gt", "value": "x"}]})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"].startswith("body.filter.all[0]")
    # Nothing was saved.
    assert api.get("/v1/segments", headers=owner.headers).json()["data"] == []
