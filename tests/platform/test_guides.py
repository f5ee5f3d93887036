"""The guides (docs/*.md): served at /docs/<name>, linked from the OpenAPI document, and
naming everything the code accepts (a field or operator added without its docs fails)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx

from shared.contacts import segments
from shared.platform.guides import GUIDES, read_guide
from shared.templates.render import CONTACT_FIELDS, ROOT_FIELDS

LINK = re.compile(r"/docs/([a-z0-9-]+)")
ROOT = Path(__file__).resolve().parents[2]


def test_each_guide_is_served_as_markdown(api: httpx.Client) -> None:
    for name in GUIDES:
        for path in (f"/docs/{name}", f"/docs/{name}.md"):
            r = api.get(path)
            assert r.status_code == 200, (path, r.text)
            assert r.headers["content-type"].startswith("text/markdown")
            assert r.text.startswith("# ")
    r = api.get("/docs/nothing-here")
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"


def test_the_api_document_links_to_guides_that_exist(api: httpx.Client) -> None:
    document = api.get("/openapi.json").json()
    text = json.dumps(document)
    linked = set(LINK.findall(text))
    assert linked >= {"segments", "template-variables"}
    assert linked <= set(GUIDES)
    assert "segments documentation" not in text
    schemas = document["components"]["schemas"]
    assert "/docs/segments" in schemas["SegmentIn"]["properties"]["filter"]["description"]
    for name in ("CampaignIn", "TemplateIn"):
        assert "/docs/template-variables" in json.dumps(schemas[name]["properties"]["body"])
    for name in GUIDES:
        page = api.get(f"/docs/{name}")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/markdown")


def test_the_consoles_api_reference_links_every_guide() -> None:
    view = (ROOT / "web/src/app/docs/docs-view.tsx").read_text()
    assert all(f'href="/docs/{name}"' in view for name in GUIDES)


def test_the_guides_link_to_each_other_by_file_name() -> None:
    for name in GUIDES:
        text = read_guide(name)
        assert text is not None
        for target in re.findall(r"\]\(([^)]+)\)", text):
            assert read_guide(target) is not None, (name, target)


def _code_spans(text: str) -> set[str]:
    prose = re.sub(r"^```.*?^```", "", text, flags=re.MULTILINE | re.DOTALL)
    return set(re.findall(r"`([^`]+)`", prose))


def test_the_segments_guide_names_every_field_operator_and_value() -> None:
    text = read_guide("segments")
    assert text is not None
    named = _code_spans(text)
    fields = [*segments.TEXT_FIELDS, *segments.DATE_FIELDS, *segments.ENUM_FIELDS]
    fields += ["tag", "opted_out", "fields.KEY"]
    operators = {*segments.CUSTOM_OPS, *segments.TAG_OPS, *segments.DATE_OPS, *segments.ENUM_OPS}
    values = {v for allowed in segments.ENUM_FIELDS.values() for v in allowed}
    missing = [n for n in [*fields, *operators, *values] if n not in named]
    assert missing == []
    assert str(segments.MAX_DEPTH) in text
    assert str(segments.MAX_CONDITIONS) in text
    assert str(segments.MAX_LIST) in text
    assert str(segments.MAX_DAYS) in text


def test_the_template_guide_names_every_variable() -> None:
    text = read_guide("template-variables")
    assert text is not None
    named = _code_spans(text)
    variables = [*CONTACT_FIELDS, "fields.KEY", "contact.fields.KEY"]
    variables += [f"{root}.{leaf}" for root, leaves in ROOT_FIELDS.items() for leaf in leaves]
    missing = [n for n in variables if n not in named and n.replace("contact.", "") not in named]
    assert missing == []
    assert all(f"`contact.{name}`" in text for name in CONTACT_FIELDS)
