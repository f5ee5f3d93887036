"""Text no route can take, refused for every JSON body in one place (`function._json_body`).

JSON lets a lone surrogate through as an escape (`"\\ud800"`): Python decodes it into a str
that has no UTF-8 or UTF-16 form, so PostgreSQL cannot store it and no carrier can send it
(`shared.templates.segments` refuses it too). Raw bytes cannot smuggle one in: a body that is
not valid UTF-8 is already refused as malformed JSON, and query strings and form bodies are
decoded with replacement characters.
"""

from __future__ import annotations

import re
from typing import Any

# A surrogate escape in the raw body, \uD800-\uDFFF in either case: bodies without one (all
# but a few) are not walked.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")  # pairs were joined by the JSON decoder


def invalid_text_errors(raw: bytes, data: Any, prefix: str = "body") -> list[dict[str, Any]]:
    """A validation error for each string of the parsed body `data` (keys included) that
    holds a lone surrogate, with its field path (`body.contacts[2].name`)."""
    if not _SURROGATE_ESCAPE.search(raw):
        return []
    errors: list[dict[str, Any]] = []
    _walk(data, prefix, errors)
    return errors


def _walk(value: Any, path: str, errors: list[dict[str, Any]]) -> None:
    if isinstance(value, str):
        found = _LONE_SURROGATE.search(value)
        if found:
            errors.append(
                {
                    "field": path,
                    "message": (
                        f"Invalid text: a lone surrogate (U+{ord(found.group()):04X}) at "
                        f"character {found.start()} is not a Unicode character."
                    ),
                    "code": "invalid_text",
                }
            )
    elif isinstance(value, dict):
        for key, item in value.items():
            if _LONE_SURROGATE.search(key):
                errors.append(
                    {
                        "field": path,
                        "message": "Invalid text: a key holds a lone surrogate.",
                        "code": "invalid_text",
                    }
                )
                continue
            _walk(item, f"{path}.{key}", errors)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _walk(item, f"{path}[{index}]", errors)
