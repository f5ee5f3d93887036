"""Message template rendering: `{{variable}}` and `{{variable|fallback}}` over plain dicts.

Syntax. A tag is `{{`, then text on one line with no brace, then `}}`. Inside it, everything
before the first `|` is the variable name and everything after is the literal fallback; both
are stripped of surrounding whitespace, so `{{ first_name | there }}` is name "first_name" with
fallback "there". Braces that do not form a tag (`{{name`, a stray `}}`, `{{}}`) stay literal
text and never raise; `validate` reports them as warnings for the editor.

Variables (docs/template-variables.md). A contact's fields are named as segments name them:
`first_name`, `last_name`, `email`, `phone` and `fields.<key>[.<key>...]` (custom fields,
nested JSON objects included); the longer `contact.<name>` and `contact.fields.<key>` are
the same variables. Then `workspace.name` and `campaign.name`. Any other name is unknown:
it is reported (`unknown_variables`, `validate`) and always renders its fallback, and a
campaign does not launch while one has no fallback (`unknown_without_fallback`).

Safety. A template is user input, so resolution only walks mapping keys of the context
(`{"contact": {..., "fields": {...}}, "workspace": {...}, "campaign": {...}}`), never attributes:
`{{contact.__class__}}` is an unknown variable, and `{{contact.fields.__class__}}` is a custom
field nobody set. Values are inserted as is and never re-parsed, so a contact named
"{{email}}" is rendered literally.

Values. A string renders as is; an int in decimal digits; a Decimal as written ("19.90"); a
float as Python spells it, but 42.0 as "42"; a bool as "true"/"false", the JSON spelling
custom fields are stored in. None, a missing key, an empty string, NaN/infinity and anything
else (a dict, a list, a date) render the fallback, "" when the tag has none: an SMS should
never read "None" or "{'a': 1}".

Speed. `compile_template` parses a body once into literal and variable parts and is cached
by body, so sending a campaign parses its template once and `render` only concatenates.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

CONTACT_FIELDS = frozenset({"first_name", "last_name", "email", "phone"})
ROOT_FIELDS: dict[str, frozenset[str]] = {
    "contact": CONTACT_FIELDS,
    "workspace": frozenset({"name"}),
    "campaign": frozenset({"name"}),
}
CUSTOM_FIELDS = "fields"  # contact.fields.<key>: the contact's custom fields

# A tag never spans lines or contains a brace: a forgotten `}}` must not swallow the rest of
# the message into a fallback.
_TAG = re.compile(r"\{\{([^{}\n]*)\}\}")

Path = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Variable:
    """A `{{name|fallback}}` tag; `path` is the context keys to walk, None when unknown."""

    name: str
    path: Path | None
    fallback: str
    has_fallback: bool = False  # a `|` was written, even with nothing after it


Part = str | Variable


def resolve_path(name: str) -> Path | None:
    """The context keys `name` stands for, or None when it is not a known variable."""
    path = tuple(name.split("."))
    if len(path) == 1 and name in CONTACT_FIELDS:
        return ("contact", name)
    if not all(path):
        return None  # an empty segment: "contact..name", ".name", "contact.fields."
    root = path[0]
    if root == "contact" and len(path) >= 3 and path[1] == CUSTOM_FIELDS:
        return path
    if root == CUSTOM_FIELDS and len(path) >= 2:
        return ("contact", *path)  # `fields.color`, as segments say it
    if len(path) == 2 and path[1] in ROOT_FIELDS.get(root, ()):
        return path
    return None


def format_value(value: object) -> str | None:
    """`value` as message text, or None when it should render the fallback instead."""
    if isinstance(value, str):
        return value or None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        try:
            return int.__repr__(value)
        except ValueError:  # more digits than Python will convert (sys.set_int_max_str_digits)
            return None
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, Decimal):
        return Decimal.__str__(value) if value.is_finite() else None
    return None


def _lookup(context: Mapping[str, object], path: Path) -> object:
    node: object = context
    for key in path:
        if not isinstance(node, Mapping):
            return None
        node = node.get(key)
    return node


@dataclass(frozen=True, slots=True, eq=False)
class CompiledTemplate:
    """A parsed body: literal text and variables, ready to render many times."""

    body: str
    parts: tuple[Part, ...]
    # Every variable name in order of first use, known or not.
    variables: tuple[str, ...]
    # The names that are not known variables; they always render their fallback.
    unknown_variables: tuple[str, ...]

    @property
    def unknown_without_fallback(self) -> tuple[str, ...]:
        """Unknown variables written without `|fallback`: they would render nothing."""
        return tuple(
            dict.fromkeys(
                part.name
                for part in self.parts
                if isinstance(part, Variable) and part.path is None and not part.has_fallback
            )
        )

    def render(self, context: Mapping[str, object]) -> str:
        """The message for `context`; never raises."""
        out: list[str] = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
                continue
            text = None if part.path is None else format_value(_lookup(context, part.path))
            out.append(part.fallback if text is None else text)
        return "".join(out)


def _parse_tag(content: str) -> Variable | None:
    """The variable a tag's inner text names, or None when the name is empty."""
    name, bar, fallback = content.partition("|")
    name = name.strip()
    if not name:
        return None
    return Variable(name, resolve_path(name), fallback.strip(), has_fallback=bool(bar))


@lru_cache(maxsize=1024)
def compile_template(body: str) -> CompiledTemplate:
    """Parse `body` once; the same body returns the same (cached) object."""
    parts: list[Part] = []
    literal: list[str] = []
    position = 0
    for match in _TAG.finditer(body):
        literal.append(body[position : match.start()])
        position = match.end()
        variable = _parse_tag(match.group(1))
        if variable is None:
            literal.append(match.group(0))  # `{{}}` or `{{|x}}`: kept as typed
            continue
        if any(literal):
            parts.append("".join(literal))
        literal = []
        parts.append(variable)
    literal.append(body[position:])
    if any(literal):
        parts.append("".join(literal))
    variables = [part for part in parts if isinstance(part, Variable)]
    return CompiledTemplate(
        body=body,
        parts=tuple(parts),
        variables=tuple(dict.fromkeys(variable.name for variable in variables)),
        unknown_variables=tuple(
            dict.fromkeys(variable.name for variable in variables if variable.path is None)
        ),
    )


def render(body: str, context: Mapping[str, object]) -> str:
    """Render `body` against `context` (compiling it through the cache)."""
    return compile_template(body).render(context)


def validate(body: str) -> list[str]:
    """Warnings to show when a template is saved or previewed; an empty list means clean.

    Reports braces that do not form a tag (they would be sent literally), tags without a
    name, then unknown variables. Positions are 1-based character offsets into `body`.
    """
    found: list[tuple[int, str]] = []
    position = 0
    for match in _TAG.finditer(body):
        found.extend(_stray_braces(body, position, match.start()))
        position = match.end()
        if _parse_tag(match.group(1)) is None:
            message = f"Empty variable {match.group(0)!r} at character {match.start() + 1}"
            found.append((match.start(), message + " is sent as typed"))
    found.extend(_stray_braces(body, position, len(body)))
    warnings = [message for _, message in sorted(found)]
    warnings.extend(
        f"Unknown variable {name!r} always renders its fallback (or nothing)"
        for name in compile_template(body).unknown_variables
    )
    return warnings


def _stray_braces(body: str, start: int, end: int) -> list[tuple[int, str]]:
    """(index, warning) for each `{{` and `}}` in the literal text body[start:end]."""
    found: list[tuple[int, str]] = []
    for token, problem in (("{{", "is never closed by '}}'"), ("}}", "has no opening '{{'")):
        index = body.find(token, start, end)
        while index != -1:
            found.append((index, f"'{token}' at character {index + 1} {problem}"))
            index = body.find(token, index + 2, end)
    return found
