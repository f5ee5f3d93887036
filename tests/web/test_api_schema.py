"""The console's API types are generated from the registry's OpenAPI document."""

from __future__ import annotations

from shared.local.console import SCHEMA, render_schema


def test_the_generated_client_schema_is_fresh() -> None:
    assert SCHEMA.exists(), "run `smsctl web-schema`"
    assert SCHEMA.read_text() == render_schema(), (
        "web/src/api/schema.d.ts is stale: run `smsctl web-schema` and commit it"
    )
