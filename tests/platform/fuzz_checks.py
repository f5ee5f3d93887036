"""Schemathesis hooks of the fuzz run (loaded by `tests/platform/schemathesis.toml`).

`positive_data_acceptance` is configured to take 400 and 422 for schema-valid requests,
because some rules cannot be written in JSON Schema (a phone number that parses, a cursor
we issued, body *or* template_id). This check keeps what that would lose: a schema-valid
request refused for a reason the document *can* state (a type, a length, a bound, a
required or unknown field) means the document and the validation disagree.
"""

from __future__ import annotations

import json
from typing import Any

import schemathesis

# pydantic error types that come from constraints the OpenAPI document shows.
DOCUMENTED_CONSTRAINTS = frozenset(
    {
        "missing",
        "extra_forbidden",
        "string_type",
        "string_too_short",
        "string_too_long",
        "string_pattern_mismatch",
        "too_short",
        "too_long",
        "greater_than",
        "greater_than_equal",
        "less_than",
        "less_than_equal",
        "multiple_of",
        "int_type",
        "int_parsing",
        "int_from_float",
        "float_type",
        "float_parsing",
        "bool_type",
        "bool_parsing",
        "dict_type",
        "list_type",
        "model_type",
        "model_attributes_type",
        "uuid_type",
        "uuid_parsing",
        "datetime_type",
        "datetime_parsing",
        "datetime_from_date_parsing",
        "date_type",
        "date_parsing",
        "date_from_datetime_parsing",
        "literal_error",
        "enum",
        "none_required",
        "json_invalid",
    }
)


@schemathesis.check
def document_agrees_with_validation(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case
) -> bool | None:
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 422:
        return None
    try:
        errors: list[dict[str, Any]] = json.loads(response.content).get("errors") or []
    except (ValueError, AttributeError):
        return None
    undocumented = [e for e in errors if e.get("code") in DOCUMENTED_CONSTRAINTS]
    if meta.phase.name.value == "stateful":
        # Stateful links fill path parameters from earlier answers (a null template_id
        # becomes "/v1/templates/None"): those values were never drawn from the schema.
        undocumented = [e for e in undocumented if not str(e.get("field")).startswith("path.")]
    if undocumented:
        raise AssertionError(
            "A schema-valid request was refused for a constraint the document should show: "
            + "; ".join(
                f"{e.get('field')}: {e.get('message')} ({e.get('code')})" for e in undocumented
            )
        )
    return None
