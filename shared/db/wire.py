"""pg8000 on the wire: one round trip per statement, and less Python per statement.

pg8000 (1.31) runs each parameterised statement in three round trips (Parse and Sync;
Describe and Sync; Bind, Execute and Sync), rescans the SQL text character by character
to rewrite its placeholders every time, and parses each timestamptz with `strptime`.
Profiled in issue #18's benchmark these were a fifth of a webhook process's CPU and about
as much of a sender's. Here, for every connection the engine opens:

- a statement is sent as Parse, Bind, Describe (portal), Execute, Sync in one write, and
  its answer read once, as libpq's `PQexecParams` does. Errors are unchanged: the server
  skips to the Sync after the first error and pg8000 raises it from the ReadyForQuery;
- the placeholder rewrite is remembered per SQL text (SQLAlchemy sends the same few
  statements again and again; the rewrite depends on the text only);
- a timestamptz is read with `datetime.fromisoformat` (C), falling back to pg8000's own
  parser for what it does not take (infinity, BC dates).

COPY (a statement with a stream) keeps pg8000's own path.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from types import MethodType
from typing import Any

from pg8000 import converters, core, dbapi, legacy

_DESCRIBE_PORTAL = core._create_message(core.DESCRIBE, core.PORTAL + core.NULL_BYTE)
_TIMESTAMPTZ = 1184


def _message(code: bytes, data: bytes | bytearray) -> bytes:
    length: bytes = core.i_pack(len(data) + 4)
    return code + length + bytes(data)


def _execute_in_one_trip(
    conn: Any,
    statement: str,
    vals: Sequence[Any] = (),
    oids: Sequence[int] = (),
    stream: Any = None,
) -> Any:
    if stream is not None:  # COPY: pg8000's own exchange
        return type(conn).execute_unnamed(conn, statement, vals=vals, oids=oids, stream=stream)
    params = converters.make_params(conn.py_types, vals)  # before a byte is written
    encoding = conn._client_encoding
    parse = bytearray(core.NULL_BYTE)
    parse += statement.encode(encoding) + core.NULL_BYTE
    parse += core.H_pack(len(oids))
    for oid in oids:
        parse += core.i_pack(0 if oid == -1 else oid)
    bind = bytearray(core.NULL_BYTE + core.NULL_BYTE + core.H_pack(0) + core.H_pack(len(params)))
    for value in params:
        if value is None:
            bind += core.i_pack(-1)
        else:
            encoded = value.encode(encoding)
            bind += core.i_pack(len(encoded))
            bind += encoded
    bind += core.H_pack(0)  # every result column as text, as pg8000 reads them
    sock = conn._sock
    if sock is None:
        raise core.InterfaceError("connection is closed")
    context = core.Context(statement)
    core._write(
        sock,
        _message(core.PARSE, parse)
        + _message(core.BIND, bind)
        + _DESCRIBE_PORTAL
        + core.EXECUTE_MSG
        + core.SYNC_MSG,
    )
    core._flush(sock)
    conn.handle_messages(context)
    return context


_ConvertParamstyle = Callable[[str, str, Any], tuple[str, Any]]
_rewritten: dict[str, str] = {}
_REWRITTEN_MAX = 4096  # distinct SQL texts kept (a process sends a few hundred)
_patch_lock = threading.Lock()


def _remembering(original: _ConvertParamstyle) -> _ConvertParamstyle:
    def convert_paramstyle(style: str, query: str, args: Any) -> tuple[str, Any]:
        # Only the positional style SQLAlchemy uses, whose values pass through unchanged.
        if style != "format" or isinstance(args, dict):
            return original(style, query, args)
        found = _rewritten.get(query)
        if found is None:
            found, _ = original(style, query, args)
            if len(_rewritten) >= _REWRITTEN_MAX:
                _rewritten.clear()
            _rewritten[query] = found
        return found, args

    convert_paramstyle.original = original  # type: ignore[attr-defined]
    return convert_paramstyle


def _patch_paramstyle() -> None:
    """The cursors call their module's `convert_paramstyle`: remember its rewrites."""
    with _patch_lock:
        for module in (legacy, dbapi):
            if not hasattr(module.convert_paramstyle, "original"):
                module.convert_paramstyle = _remembering(module.convert_paramstyle)


def _timestamptz_in(data: str) -> Any:
    try:
        return datetime.fromisoformat(data)
    except ValueError:
        return converters.timestamptz_in(data)


def tune(dbapi_connection: Any) -> None:
    """Apply the above to a new pg8000 connection (legacy or dbapi)."""
    _patch_paramstyle()
    dbapi_connection.execute_unnamed = MethodType(_execute_in_one_trip, dbapi_connection)
    dbapi_connection.register_in_adapter(_TIMESTAMPTZ, _timestamptz_in)
