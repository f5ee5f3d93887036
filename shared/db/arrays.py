"""Arrays of simple values (ids, numbers, times) as one text parameter.

pg8000 sends a Python list as an array literal it builds and escapes element by element in
Python: for a batch's 200 ids that was a tenth of a sender's CPU. Joined here (C speed) and
split in SQL, it is one string: `ANY(CAST(string_to_array(:ids, ',') AS uuid[]))`. Only for
values that cannot contain a comma (uuids, numbers, provider ids). Free text (message
bodies) goes as one JSON array instead: `texts(:bodies)` reads it back as a text[].
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import TextClause, text


def joined(values: Iterable[object]) -> str:
    items = [str(v) for v in values]
    text_ = ",".join(items)
    if text_.count(",") != max(0, len(items) - 1):  # would split into other elements
        raise ValueError("a value to join contains a comma")
    return text_


def joined_times(values: Iterable[datetime]) -> str:
    """Epoch seconds, read back with `to_timestamp(...)`."""
    return ",".join(repr(v.timestamp()) for v in values)


def json_texts(values: Iterable[str]) -> str:
    """Strings as one JSON array (encoded in C), read back in SQL with `texts(...)`."""
    return json.dumps(list(values), ensure_ascii=False)


def texts(param: str) -> str:
    """SQL for the text[] of the JSON array in `:param`, in its order."""
    return (
        f"ARRAY(SELECT e FROM json_array_elements_text(CAST(:{param} AS json))"
        " WITH ORDINALITY AS j(e, i) ORDER BY i)"
    )


def id_in(column: str, param: str = "ids") -> TextClause:
    """`column` is one of the ids joined in `:param` (a WHERE clause)."""
    return text(f"{column} = ANY(CAST(string_to_array(:{param}, ',') AS uuid[]))")
