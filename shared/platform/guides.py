"""The API's guides: Markdown pages in docs/, served at /docs/<name> and linked from the
OpenAPI document's descriptions (so a link there always names a page that exists)."""

from __future__ import annotations

from pathlib import Path

DOCS_DIR = Path(__file__).resolve().parents[2] / "docs"
GUIDES = {
    "template-variables": "Template variables: names, fallbacks, unknown variables",
    "segments": "Segment filters: fields, operators and what they mean",
}


def guide_url(name: str) -> str:
    """The guide's path on the API's own host (the OpenAPI document's server)."""
    assert name in GUIDES, name
    return f"/docs/{name}"


def read_guide(name: str) -> str | None:
    """The guide's Markdown; `name.md` too (the guides link to each other as files)."""
    name = name.removesuffix(".md")
    if name not in GUIDES:
        return None
    return (DOCS_DIR / f"{name}.md").read_text(encoding="utf-8")
