"""Segments: a filter tree over contacts, compiled to one parameterized SQL condition.

A filter is a group, `{"all": [...]}` or `{"any": [...]}`, whose items are groups or
conditions `{"field": ..., "op": ..., "value": ...}`. Fields:

- first_name, last_name, email, phone, timezone: eq, neq, in, not_in, contains,
  starts_with, ends_with, is_set, is_not_set (text; a list for in/not_in);
- fields.KEY (a custom field): the text operators and gt, gte, lt, lte (text, number or
  boolean);
- tag: has, has_not (one tag); has_any, has_all, has_none (a list of tags);
- opted_out: eq (boolean);
- created_at, last_message_at: before, after (timestamp); within_last_days,
  more_than_days_ago (days); is_set, is_not_set;
- lead_stage: eq, neq, in, not_in (new, engaged, qualified, unqualified, handoff);
- conversation_status: eq, neq, in, not_in, is_set, is_not_set (open, closed, snoozed).

Semantics, the same in SQL and in `evaluate()` (the property test holds them together):
- `eq`/`in` compare exactly (case-sensitive; a custom field also by JSON type, 1 == 1.0 but
  never "1" or true); `contains`/`starts_with`/`ends_with` ignore case and match text only.
- a missing value (NULL, absent custom field) matches no positive operator; `neq`,
  `not_in`, `is_not_set`, `has_not`, `has_none` are the exact negations of their
  positive twins, so they do match it. `is_set` means present and not empty text.
- `gt`/`gte`/`lt`/`lte` compare numbers with numbers and text with text (code point order);
  a value of another type never matches.
- `all` of nothing is true; `any` of nothing is false.
- Relative dates (`within_last_days`) use the time the query is compiled.

Values always travel as bound parameters; the SQL text holds only operators and columns.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import Numeric, String, and_, case, cast, exists, false, func, not_, or_, true
from sqlalchemy.sql.elements import ColumnElement

from shared.contacts.models import LEAD_STAGES, Contact, ContactTag
from shared.conversations.models import Conversation
from shared.http.problems import validation_failed

CONVERSATION_STATUSES = ("open", "closed", "snoozed")
TEXT_FIELDS = ("first_name", "last_name", "email", "phone", "timezone")
DATE_FIELDS = ("created_at", "last_message_at")
ENUM_FIELDS: dict[str, tuple[str, ...]] = {
    "lead_stage": LEAD_STAGES,
    "conversation_status": CONVERSATION_STATUSES,
}
TEXT_OPS = (
    "eq",
    "neq",
    "in",
    "not_in",
    "contains",
    "starts_with",
    "ends_with",
    "is_set",
    "is_not_set",
)
CUSTOM_OPS = (*TEXT_OPS, "gt", "gte", "lt", "lte")
TAG_OPS = ("has", "has_not", "has_any", "has_all", "has_none")
DATE_OPS = ("before", "after", "within_last_days", "more_than_days_ago", "is_set", "is_not_set")
ENUM_OPS = ("eq", "neq", "in", "not_in")
CUSTOM_PREFIX = "fields."
CUSTOM_KEY = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]{0,63}")

MAX_DEPTH = 6
MAX_CONDITIONS = 200
MAX_LIST = 500
MAX_TEXT = 500
MAX_DAYS = 36_500

Scalar = str | int | float | bool


@dataclass(frozen=True)
class Condition:
    field: str
    op: str
    value: Any = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"field": self.field, "op": self.op}
        if self.value is not None:
            value = self.value
            if isinstance(value, datetime):
                value = value.isoformat()
            elif isinstance(value, tuple):
                value = list(value)
            out["value"] = value
        return out


@dataclass(frozen=True)
class Group:
    kind: Literal["all", "any"]
    items: tuple[Node, ...]

    def to_json(self) -> dict[str, Any]:
        return {self.kind: [item.to_json() for item in self.items]}


Node = Condition | Group

MATCH_ALL = Group("all", ())


# --- parsing and validation -------------------------------------------------------------


class _Parser:
    def __init__(self) -> None:
        self.errors: list[dict[str, Any]] = []
        self.conditions = 0

    def error(self, path: str, message: str, code: str = "invalid") -> None:
        self.errors.append({"field": path, "message": message, "code": code})

    def group(self, raw: Any, path: str, depth: int) -> Group | None:
        if not isinstance(raw, dict):
            self.error(path, 'A group is an object: {"all": [...]} or {"any": [...]}.')
            return None
        keys = set(raw)
        if len(keys) != 1 or not keys <= {"all", "any"}:
            self.error(path, 'A group has exactly one key, "all" or "any".', "invalid_group")
            return None
        kind: Literal["all", "any"] = "all" if "all" in raw else "any"
        items_raw = raw[kind]
        if not isinstance(items_raw, list):
            self.error(f"{path}.{kind}", "Expected a list of conditions and groups.")
            return None
        if depth > MAX_DEPTH:
            self.error(path, f"Groups nest at most {MAX_DEPTH} deep.", "too_deep")
            return None
        items: list[Node] = []
        for i, item in enumerate(items_raw):
            item_path = f"{path}.{kind}[{i}]"
            node: Node | None
            if isinstance(item, dict) and ("all" in item or "any" in item):
                node = self.group(item, item_path, depth + 1)
            else:
                node = self.condition(item, item_path)
            if node is not None:
                items.append(node)
        return Group(kind, tuple(items))

    def condition(self, raw: Any, path: str) -> Condition | None:
        self.conditions += 1
        if self.conditions == MAX_CONDITIONS + 1:
            self.error(path, f"A filter has at most {MAX_CONDITIONS} conditions.", "too_many")
        if not isinstance(raw, dict):
            self.error(path, 'A condition is an object: {"field", "op", "value"}.')
            return None
        unknown = set(raw) - {"field", "op", "value"}
        if unknown:
            self.error(path, f"Unknown keys: {', '.join(sorted(unknown))}.", "extra_forbidden")
        field, op, value = raw.get("field"), raw.get("op"), raw.get("value")
        if not isinstance(field, str):
            self.error(f"{path}.field", "Name the field to compare.", "missing")
            return None
        if not isinstance(op, str):
            self.error(f"{path}.op", "Name the operator.", "missing")
            return None
        ops = _ops_for(field)
        if ops is None:
            self.error(f"{path}.field", f"Unknown field {field!r}.", "unknown_field")
            return None
        if op not in ops:
            self.error(
                f"{path}.op",
                f"Unknown operator {op!r} for {field}; use one of {', '.join(ops)}.",
                "unknown_operator",
            )
            return None
        checked = self.value(field, op, value, f"{path}.value")
        if checked is _INVALID:
            return None
        return Condition(field, op, checked)

    def value(self, field: str, op: str, value: Any, path: str) -> Any:
        if op in ("is_set", "is_not_set"):
            return None
        if field == "opted_out":
            if not isinstance(value, bool):
                return self._bad(path, "Expected true or false.")
            return value
        if field == "tag":
            if op in ("has", "has_not"):
                return self._tag(value, path)
            return self._list(value, path, lambda v, p: self._tag(v, p))
        if field in DATE_FIELDS:
            if op in ("before", "after"):
                return self._timestamp(value, path)
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_DAYS:
                return self._bad(path, f"Expected a number of days from 0 to {MAX_DAYS}.")
            return value
        if field in ENUM_FIELDS:
            allowed = ENUM_FIELDS[field]

            def one(v: Any, p: str) -> Any:
                if v not in allowed:
                    return self._bad(p, f"Expected one of {', '.join(allowed)}.")
                return v

            return one(value, path) if op in ("eq", "neq") else self._list(value, path, one)
        custom = field.startswith(CUSTOM_PREFIX)
        if op in ("contains", "starts_with", "ends_with"):
            if not isinstance(value, str) or not value or len(value) > MAX_TEXT:
                return self._bad(path, f"Expected text of 1 to {MAX_TEXT} characters.")
            return value
        if op in ("gt", "gte", "lt", "lte"):
            if isinstance(value, str) and len(value) <= MAX_TEXT:
                return value
            if _is_number(value):
                return value
            return self._bad(path, "Expected a number or text to compare with.")

        def scalar(v: Any, p: str) -> Any:
            if isinstance(v, str) and len(v) <= MAX_TEXT:
                return v
            if custom and (isinstance(v, bool) or _is_number(v)):
                return v
            kinds = "text, a number or a boolean" if custom else "text"
            return self._bad(p, f"Expected {kinds}.")

        return scalar(value, path) if op in ("eq", "neq") else self._list(value, path, scalar)

    def _list(self, value: Any, path: str, check: Any) -> Any:
        if not isinstance(value, list) or not value or len(value) > MAX_LIST:
            return self._bad(path, f"Expected a list of 1 to {MAX_LIST} values.")
        out = [check(v, f"{path}[{i}]") for i, v in enumerate(value)]
        if any(v is _INVALID for v in out):
            return _INVALID
        return tuple(out)

    def _tag(self, value: Any, path: str) -> Any:
        from shared.contacts.schemas import normalize_tag

        if not isinstance(value, str):
            return self._bad(path, "Expected a tag.")
        try:
            return normalize_tag(value)
        except ValueError as exc:
            return self._bad(path, str(exc))

    def _timestamp(self, value: Any, path: str) -> Any:
        if isinstance(value, str):
            try:
                parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                parsed = None
            if parsed is None:
                try:
                    day = date.fromisoformat(value)
                    parsed = datetime(day.year, day.month, day.day)
                except ValueError:
                    parsed = None
            if parsed is not None:
                return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        return self._bad(path, "Expected an ISO 8601 date or timestamp.")

    def _bad(self, path: str, message: str) -> Any:
        self.error(path, message)
        return _INVALID


_INVALID = object()


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return abs(value) < 10**30
    return isinstance(value, float) and math.isfinite(value)


def _ops_for(field: str) -> tuple[str, ...] | None:
    if field in TEXT_FIELDS:
        return TEXT_OPS
    if field == "tag":
        return TAG_OPS
    if field == "opted_out":
        return ("eq",)
    if field in DATE_FIELDS:
        return DATE_OPS
    if field == "lead_stage":
        return ENUM_OPS
    if field == "conversation_status":
        return (*ENUM_OPS, "is_set", "is_not_set")
    if field.startswith(CUSTOM_PREFIX) and CUSTOM_KEY.fullmatch(field[len(CUSTOM_PREFIX) :]):
        return CUSTOM_OPS
    return None


def parse_filter(raw: Any, path: str = "body.filter") -> Group:
    """The filter tree of `raw`, or a 422 naming every bad field/operator/value by path."""
    parser = _Parser()
    group = parser.group(raw, path, 1)
    if parser.errors or group is None:
        raise validation_failed(parser.errors or [{"field": path, "message": "Invalid filter."}])
    return group


# --- SQL --------------------------------------------------------------------------------


def compile_filter(node: Node, now: datetime) -> ColumnElement[bool]:
    """The tree as one boolean SQL expression over `contacts` (values bound)."""
    if isinstance(node, Group):
        parts = [compile_filter(item, now) for item in node.items]
        if node.kind == "all":
            return and_(true(), *parts) if parts else true()
        return or_(false(), *parts) if parts else false()
    return _compile_condition(node, now)


def _like(text: str, where: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return {"contains": f"%{escaped}%", "starts_with": f"{escaped}%", "ends_with": f"%{escaped}"}[
        where
    ]


def _text_condition(col: Any, op: str, value: Any) -> ColumnElement[bool]:
    if op == "eq":
        return col == value  # type: ignore[no-any-return]
    if op == "neq":
        return col.is_distinct_from(value)  # type: ignore[no-any-return]
    if op == "in":
        return col.in_(list(value))  # type: ignore[no-any-return]
    if op == "not_in":
        return or_(col.is_(None), col.not_in(list(value)))
    if op in ("contains", "starts_with", "ends_with"):
        return func.lower(col).like(_like(value, op), escape="\\")
    if op == "is_set":
        return and_(col.is_not(None), col != "")
    if op == "is_not_set":
        return or_(col.is_(None), col == "")
    raise ValueError(op)


def _tag_exists(tags: tuple[str, ...] | str) -> ColumnElement[bool]:
    query = exists().where(ContactTag.contact_id == Contact.id)
    if isinstance(tags, str):
        return query.where(ContactTag.tag == tags)
    return query.where(ContactTag.tag.in_(list(tags)))


def _conversation_exists(*statuses: str) -> ColumnElement[bool]:
    query = exists().where(Conversation.contact_id == Contact.id)
    if statuses:
        query = query.where(Conversation.status.in_(list(statuses)))
    return query


def _compile_condition(c: Condition, now: datetime) -> ColumnElement[bool]:
    field, op, value = c.field, c.op, c.value
    if field in TEXT_FIELDS:
        return _text_condition(getattr(Contact, field), op, value)
    if field == "opted_out":
        return Contact.opted_out == bool(value)
    if field == "lead_stage":
        return _text_condition(Contact.lead_stage, op, value)
    if field == "conversation_status":
        if op in ("eq", "in"):
            return _conversation_exists(*((value,) if op == "eq" else value))
        if op in ("neq", "not_in"):
            return not_(_conversation_exists(*((value,) if op == "neq" else value)))
        return _conversation_exists() if op == "is_set" else not_(_conversation_exists())
    if field == "tag":
        if op == "has":
            return _tag_exists(value)
        if op == "has_not":
            return not_(_tag_exists(value))
        if op == "has_any":
            return _tag_exists(value)
        if op == "has_all":
            return and_(*[_tag_exists(tag) for tag in dict.fromkeys(value)])
        return not_(_tag_exists(value))
    if field in DATE_FIELDS:
        col = getattr(Contact, field)
        if op == "before":
            return col < value  # type: ignore[no-any-return]
        if op == "after":
            return col > value  # type: ignore[no-any-return]
        if op == "within_last_days":
            return col >= now - timedelta(days=value)  # type: ignore[no-any-return]
        if op == "more_than_days_ago":
            return col < now - timedelta(days=value)  # type: ignore[no-any-return]
        return col.is_not(None) if op == "is_set" else col.is_(None)  # type: ignore[no-any-return]
    return _custom_condition(field[len(CUSTOM_PREFIX) :], op, value)


def _custom_condition(key: str, op: str, value: Any) -> ColumnElement[bool]:
    doc = Contact.fields
    item = doc[key]
    kind = func.jsonb_typeof(item)
    if op in ("eq", "neq", "in", "not_in"):
        values = [value] if op in ("eq", "neq") else list(value)
        # Containment uses the GIN index and compares JSON values by type (1 == 1.0).
        matches = or_(*[doc.contains({key: v}) for v in values])
        return matches if op in ("eq", "in") else not_(matches)
    text = case((kind == "string", item.astext), else_=None)
    if op in ("contains", "starts_with", "ends_with"):
        return func.lower(text).like(_like(value, op), escape="\\")
    if op in ("is_set", "is_not_set"):
        present = and_(kind.is_not(None), kind != "null", item.astext != "")
        return present if op == "is_set" else not_(func.coalesce(present, False))
    if isinstance(value, str):
        left: Any = text.collate("C")
        right: Any = cast(value, String).collate("C")
    else:
        left = case((kind == "number", cast(item.astext, Numeric)), else_=None)
        right = cast(Decimal(repr(value)), Numeric)
    return {  # type: ignore[no-any-return]
        "gt": left > right,
        "gte": left >= right,
        "lt": left < right,
        "lte": left <= right,
    }[op]


# --- the same semantics in Python (property tests, previews of a single contact) ---------


def evaluate(node: Node, contact: Mapping[str, Any], now: datetime) -> bool:
    """Whether a contact (a mapping of the fields above, `tags` a set, `fields` a dict,
    `conversation_status` None without a conversation) matches the tree."""
    if isinstance(node, Group):
        results = (evaluate(item, contact, now) for item in node.items)
        return all(results) if node.kind == "all" else any(results)
    return _evaluate_condition(node, contact, now)


def _text_match(actual: Any, op: str, value: Any) -> bool:
    if op == "eq":
        return actual is not None and actual == value
    if op == "neq":
        return not _text_match(actual, "eq", value)
    if op == "in":
        return actual is not None and actual in value
    if op == "not_in":
        return not _text_match(actual, "in", value)
    if op in ("contains", "starts_with", "ends_with"):
        if not isinstance(actual, str):
            return False
        hay, needle = actual.lower(), value.lower()
        if op == "contains":
            return needle in hay
        return hay.startswith(needle) if op == "starts_with" else hay.endswith(needle)
    if op == "is_set":
        return actual is not None and actual != ""
    if op == "is_not_set":
        return not _text_match(actual, "is_set", None)
    raise ValueError(op)


def _same_json(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, str) or isinstance(b, str):
        return isinstance(a, str) and isinstance(b, str) and a == b
    if _is_json_number(a) and _is_json_number(b):
        return Decimal(repr(a)) == Decimal(repr(b))
    return False


def _is_json_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _evaluate_condition(c: Condition, contact: Mapping[str, Any], now: datetime) -> bool:
    field, op, value = c.field, c.op, c.value
    if field in TEXT_FIELDS or field == "lead_stage":
        return _text_match(contact.get(field), op, value)
    if field == "opted_out":
        return bool(contact.get("opted_out")) is value
    if field == "conversation_status":
        status = contact.get("conversation_status")
        if op in ("is_set", "is_not_set"):
            return (status is not None) is (op == "is_set")
        wanted = (value,) if op in ("eq", "neq") else value
        hit = status is not None and status in wanted
        return hit if op in ("eq", "in") else not hit
    if field == "tag":
        tags = set(contact.get("tags") or ())
        if op == "has":
            return value in tags
        if op == "has_not":
            return value not in tags
        if op == "has_any":
            return bool(tags & set(value))
        if op == "has_all":
            return set(value) <= tags
        return not tags & set(value)
    if field in DATE_FIELDS:
        at = contact.get(field)
        if op in ("is_set", "is_not_set"):
            return (at is not None) is (op == "is_set")
        if at is None:
            return False
        if op == "before":
            return bool(at < value)
        if op == "after":
            return bool(at > value)
        if op == "within_last_days":
            return bool(at >= now - timedelta(days=value))
        return bool(at < now - timedelta(days=value))
    return _evaluate_custom(contact.get("fields") or {}, field[len(CUSTOM_PREFIX) :], op, value)


def _evaluate_custom(fields: Mapping[str, Any], key: str, op: str, value: Any) -> bool:
    present = key in fields
    actual = fields.get(key)
    if op in ("eq", "neq", "in", "not_in"):
        values = [value] if op in ("eq", "neq") else list(value)
        hit = present and any(_same_json(actual, v) for v in values)
        return hit if op in ("eq", "in") else not hit
    if op in ("is_set", "is_not_set"):
        is_set = present and actual is not None and actual != ""
        return is_set if op == "is_set" else not is_set
    if op in ("contains", "starts_with", "ends_with"):
        return isinstance(actual, str) and _text_match(actual, op, value)
    if isinstance(value, str):
        if not isinstance(actual, str):
            return False
        left: Any = actual
        right: Any = value
    else:
        if not _is_json_number(actual):
            return False
        left, right = Decimal(repr(actual)), Decimal(repr(value))
    if op == "gt":
        return bool(left > right)
    if op == "gte":
        return bool(left >= right)
    if op == "lt":
        return bool(left < right)
    return bool(left <= right)
