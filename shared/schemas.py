"""Schema types every domain shares: integers bounded by their column, secret-bearing answers.

An integer a request may carry is declared with the type of the column it lands in, so
its bounds are written once, enforced by pydantic (422 naming the field) and shown in
the OpenAPI document (`minimum` / `maximum`); a test fails on a request integer without
them.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, TypeVar

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    Field,
    GetJsonSchemaHandler,
    TypeAdapter,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

T = TypeVar("T")

INT16_MAX = 2**15 - 1
INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1

# PostgreSQL integer columns (SMALLINT, INTEGER, BIGINT), and the usual non-negative forms.
Int16 = Annotated[int, Field(ge=-INT16_MAX - 1, le=INT16_MAX)]
Int32 = Annotated[int, Field(ge=-INT32_MAX - 1, le=INT32_MAX)]
Int64 = Annotated[int, Field(ge=-INT64_MAX - 1, le=INT64_MAX)]
Count32 = Annotated[int, Field(ge=0, le=INT32_MAX)]
# Numbers kept in JSONB (custom fields): integers a JSON reader keeps exactly, and finite
# doubles (a float8 column's range).
JSON_SAFE_INT = 2**53 - 1
FLOAT64_MAX = 1.7976931348623157e308
JsonInt = Annotated[int, Field(ge=-JSON_SAFE_INT, le=JSON_SAFE_INT)]
Float64 = Annotated[float, Field(ge=-FLOAT64_MAX, le=FLOAT64_MAX)]
# A template version number (an INTEGER column, counted from 1).
Version = Annotated[int, Field(ge=1, le=INT32_MAX)]


_NUMBER = re.compile(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*")


def _iso(kind: type[Any]) -> BeforeValidator:
    """pydantic reads numbers (and numeric strings) as Unix times; the document says an
    ISO 8601 string, so only that is taken. The string is parsed here, so strict
    validation (which wants a datetime object after a validator) sees one."""
    lax = TypeAdapter(kind)

    def parse(value: Any) -> Any:
        if isinstance(value, int | float) or (isinstance(value, str) and _NUMBER.fullmatch(value)):
            raise ValueError("Use an ISO 8601 date or date-time (2026-01-31T09:00:00Z).")
        return lax.validate_python(value) if isinstance(value, str) else value

    return BeforeValidator(parse)


# A date-time or date a request carries (body or query).
Timestamp = Annotated[datetime, _iso(datetime)]
AwareTimestamp = Annotated[AwareDatetime, _iso(datetime)]
Day = Annotated[date, _iso(date)]


class SecretBearing(BaseModel):
    """An answer that carries a token or a secret: sent with `Cache-Control: no-store`."""


def _refuse_null(value: Any) -> Any:
    if value is None:
        raise ValueError("cannot be null; leave the field out to keep its value")
    return value


class _NonNullableSchema:
    """Shows a PATCH field as its own type, without the `null` Python's default needs."""

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        branches = [b for b in schema.get("anyOf", []) if b != {"type": "null"}]
        if len(branches) == 1 and "anyOf" in schema:
            rest = {k: v for k, v in schema.items() if k != "anyOf"}
            return {**branches[0], **rest}
        return schema


# A field a PATCH may leave out but not set to null (its column is NOT NULL):
# `name: NotNull[str] = None`; the document shows it as non-nullable, without a default.
NotNull = Annotated[T | None, BeforeValidator(_refuse_null), _NonNullableSchema()]
