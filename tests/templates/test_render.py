"""Template rendering: variables, fallbacks, safety, unbalanced braces and caching."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.templates.render import compile_template, render, validate

CONTEXT: dict[str, Any] = {
    "contact": {
        "first_name": "Anna",
        "last_name": "Berg",
        "email": "anna@example.com",
        "phone": "+4712345678",
        "fields": {
            "city": "Oslo",
            "vip": True,
            "trial": False,
            "visits": 3,
            "spent": 42.0,
            "rating": 4.5,
            "balance": Decimal("19.90"),
            "address": {"zip": "0150", "street": {"name": "Storgata"}},
            "tags": ["a", "b"],
            "nickname": "",
            "missing": None,
            "nan": float("nan"),
        },
    },
    "workspace": {"name": "Acme Bikes"},
    "campaign": {"name": "Spring sale"},
}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param("Hi {{first_name}}!", "Hi Anna!", id="shorthand"),
        pytest.param("Hi {{contact.first_name}}!", "Hi Anna!", id="full path"),
        pytest.param(
            "{{last_name}} {{email}} {{phone}}",
            "Berg anna@example.com +4712345678",
            id="all shorthands",
        ),
        pytest.param(
            "{{workspace.name}}: {{campaign.name}}",
            "Acme Bikes: Spring sale",
            id="workspace and campaign",
        ),
        pytest.param("From {{contact.fields.city}}", "From Oslo", id="custom field"),
        pytest.param(
            "{{contact.fields.address.zip}} {{contact.fields.address.street.name}}",
            "0150 Storgata",
            id="nested custom fields",
        ),
        pytest.param("{{ first_name }}", "Anna", id="whitespace around the name"),
        pytest.param("{{first_name|there}}", "Anna", id="fallback unused when set"),
        pytest.param("Hi {{contact.fields.nickname|there}}", "Hi there", id="empty string"),
        pytest.param("Hi {{contact.fields.missing|there}}", "Hi there", id="None"),
        pytest.param("Hi {{contact.fields.nope|there}}", "Hi there", id="missing key"),
        pytest.param(
            "Hi {{ contact.fields.nope | my friend }}!",
            "Hi my friend!",
            id="whitespace around the fallback, spaces inside it",
        ),
        pytest.param("Hi {{contact.fields.nope|a|b}}", "Hi a|b", id="fallback after first bar"),
        pytest.param("Hi {{contact.fields.nope|}}!", "Hi !", id="empty fallback"),
        pytest.param("Hi {{contact.fields.nope}}!", "Hi !", id="no fallback renders nothing"),
        pytest.param(
            "{{contact.fields.vip}}/{{contact.fields.trial}}", "true/false", id="bools as JSON"
        ),
        pytest.param(
            "{{contact.fields.visits}} {{contact.fields.spent}}", "3 42", id="ints, integral floats"
        ),
        pytest.param(
            "{{contact.fields.rating}} {{contact.fields.balance}}",
            "4.5 19.90",
            id="floats, decimals",
        ),
        pytest.param(
            "[{{contact.fields.address|x}}] [{{contact.fields.tags|y}}]",
            "[x] [y]",
            id="dicts and lists render the fallback",
        ),
        pytest.param("{{contact.fields.nan|?}}", "?", id="NaN renders the fallback"),
        pytest.param("{{{first_name}}}", "{Anna}", id="single braces around a tag"),
        pytest.param("no tags at all", "no tags at all", id="literal"),
        pytest.param("", "", id="empty body"),
    ],
)
def test_render(body: str, expected: str) -> None:
    assert compile_template(body).render(CONTEXT) == expected
    assert render(body, CONTEXT) == expected


def test_missing_roots_render_fallbacks() -> None:
    body = "Hi {{first_name|there}} from {{workspace.name|us}} ({{contact.fields.city}})"
    assert render(body, {}) == "Hi there from us ()"
    assert render(body, {"contact": None, "workspace": "Acme"}) == "Hi there from us ()"
    assert render(body, {"contact": {"fields": "not a dict"}}) == "Hi there from us ()"


def test_values_are_not_parsed_again() -> None:
    context = {"contact": {"first_name": "{{email}}", "email": "secret@example.com"}}
    assert render("Hi {{first_name}}", context) == "Hi {{email}}"


@pytest.mark.parametrize(
    "body",
    [
        "{{contact.__class__|x}}",
        "{{__import__|x}}",
        "{{first_name.__class__|x}}",
        "{{contact.first_name.__len__|x}}",
        "{{contact.__dict__|x}}",
        "{{__builtins__|x}}",
        "{{contact.fields.__class__|x}}",
        "{{contact.fields.city.upper|x}}",
        "{{ ().__class__.__bases__[0].__subclasses__() |x}}",
        "{{ open('/etc/passwd').read() |x}}",
    ],
)
def test_unsafe_names_render_the_fallback(body: str) -> None:
    assert render(body, CONTEXT) == "x"


def test_resolution_never_uses_attributes() -> None:
    class Person:
        first_name = "attribute"
        fields = {"city": "attribute"}

    context: dict[str, Any] = {"contact": Person(), "workspace": Person()}
    assert render("{{first_name|key}} {{contact.fields.city|key}}", context) == "key key"


@pytest.mark.parametrize(
    ("body", "variables", "unknown"),
    [
        pytest.param("Hi {{first_name}}", ("first_name",), (), id="known"),
        pytest.param(
            "{{ b }}{{a}}{{b|x}}{{contact.fields.city}}{{a}}",
            ("b", "a", "contact.fields.city"),
            ("b", "a"),
            id="ordered and unique",
        ),
        pytest.param(
            "{{contact.timezone}}",
            ("contact.timezone",),
            ("contact.timezone",),
            id="contact attribute that is not a variable",
        ),
        pytest.param(
            "{{contact.fields}}",
            ("contact.fields",),
            ("contact.fields",),
            id="custom fields need a key",
        ),
        pytest.param(
            "{{contact.fields.}}", ("contact.fields.",), ("contact.fields.",), id="empty key"
        ),
        pytest.param("{{First_Name}}", ("First_Name",), ("First_Name",), id="case-sensitive"),
        pytest.param(
            "{{workspace.id}}", ("workspace.id",), ("workspace.id",), id="only workspace.name"
        ),
        pytest.param("{{name}}", ("name",), ("name",), id="bare name is not a shorthand"),
        pytest.param("{{fields}}", ("fields",), ("fields",), id="fields need a key"),
        pytest.param("{{fields.}}", ("fields.",), ("fields.",), id="fields need a non-empty key"),
        pytest.param("{{first_name", (), (), id="unclosed is no variable"),
        pytest.param("{{}} {{ | x }}", (), (), id="empty tags are no variables"),
    ],
)
def test_variables_and_unknown_variables(
    body: str, variables: tuple[str, ...], unknown: tuple[str, ...]
) -> None:
    template = compile_template(body)
    assert template.variables == variables
    assert template.unknown_variables == unknown


def test_custom_fields_are_named_as_segments_name_them() -> None:
    """`fields.city` (the segments' name) and `contact.fields.city` are one variable."""
    for body in (
        "{{fields.city}} {{fields.address.zip}}",
        "{{contact.fields.city}} {{contact.fields.address.zip}}",
    ):
        template = compile_template(body)
        assert template.unknown_variables == ()
        assert template.render(CONTEXT) == "Oslo 0150"
    assert render("{{fields.nope|far away}}", CONTEXT) == "far away"


def test_unknown_variables_without_a_fallback_are_told_apart() -> None:
    template = compile_template("{{a}} {{b|x}} {{c|}} {{a|y}} {{d}} {{fields.nope}}")
    assert template.unknown_variables == ("a", "b", "c", "d")
    # `a` is written once without a fallback: that use would send nothing.
    assert template.unknown_without_fallback == ("a", "d")


@pytest.mark.parametrize(
    ("body", "rendered", "warnings"),
    [
        pytest.param("Hi {{first_name}}", "Hi Anna", [], id="clean"),
        pytest.param(
            "Hi {{first_name",
            "Hi {{first_name",
            ["'{{' at character 4 is never closed by '}}'"],
            id="unclosed",
        ),
        pytest.param(
            "Hi }} there",
            "Hi }} there",
            ["'}}' at character 4 has no opening '{{'"],
            id="stray closing",
        ),
        pytest.param(
            "}} {{first_name}} {{",
            "}} Anna {{",
            [
                "'}}' at character 1 has no opening '{{'",
                "'{{' at character 19 is never closed by '}}'",
            ],
            id="around a tag",
        ),
        pytest.param(
            "{{a {{first_name}}",
            "{{a Anna",
            ["'{{' at character 1 is never closed by '}}'"],
            id="nested opening",
        ),
        pytest.param(
            "{{first_name\n}}",
            "{{first_name\n}}",
            [
                "'{{' at character 1 is never closed by '}}'",
                "'}}' at character 14 has no opening '{{'",
            ],
            id="tags do not span lines",
        ),
        pytest.param(
            "{{}}",
            "{{}}",
            ["Empty variable '{{}}' at character 1 is sent as typed"],
            id="empty tag",
        ),
        pytest.param(
            "{{nope|x}}",
            "x",
            ["Unknown variable 'nope' always renders its fallback (or nothing)"],
            id="unknown variable",
        ),
    ],
)
def test_unbalanced_braces_are_literal_and_warned(
    body: str, rendered: str, warnings: list[str]
) -> None:
    assert render(body, CONTEXT) == rendered
    assert validate(body) == warnings


def test_compiled_templates_are_cached() -> None:
    body = "Cached {{first_name}} " + "x" * 50
    first = compile_template(body)
    hits = compile_template.cache_info().hits
    assert compile_template(body) is first
    assert compile_template.cache_info().hits == hits + 1
    assert compile_template.cache_info().maxsize == 1024


KEYS = st.sampled_from(
    [
        "contact",
        "workspace",
        "campaign",
        "fields",
        "first_name",
        "last_name",
        "email",
        "phone",
        "name",
        "city",
        "__class__",
    ]
) | st.text(max_size=8)
VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.decimals()
    | st.text()
    | st.binary()
    | st.dates(),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(KEYS, children, max_size=4),
    max_leaves=12,
)
CONTEXTS = st.dictionaries(KEYS, VALUES, max_size=4)
FRAGMENTS = st.sampled_from(
    [
        "{{",
        "}}",
        "{",
        "}",
        "|",
        " ",
        "\n",
        ".",
        "first_name",
        "contact",
        "fields",
        "city",
        "{{first_name|there}}",
        "{{ contact.fields.city | x }}",
        "{{workspace.name}}",
        "{{}}",
        "{{__class__}}",
        "\\",
        "%s",
        "{0}",
    ]
)
BODIES = st.lists(FRAGMENTS | st.text(max_size=6), max_size=12).map("".join) | st.text()


@settings(max_examples=500)
@given(BODIES, CONTEXTS)
def test_rendering_never_raises(body: str, context: dict[Any, Any]) -> None:
    template = compile_template(body)
    assert isinstance(template.render(context), str)
    assert set(template.unknown_variables) <= set(template.variables)
    assert all(isinstance(warning, str) for warning in validate(body))


@given(st.text().filter(lambda text: "{{" not in text and "}}" not in text), CONTEXTS)
def test_text_without_tags_renders_as_is(body: str, context: dict[Any, Any]) -> None:
    assert render(body, context) == body
    assert validate(body) == []


def test_int_too_long_to_print_renders_the_fallback() -> None:
    context = {"contact": {"fields": {"big": 10**5000, "small": -(10**20)}}}
    body = "{{contact.fields.big|many}} {{contact.fields.small}}"
    assert render(body, context) == "many -100000000000000000000"
