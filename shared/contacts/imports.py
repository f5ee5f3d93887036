"""CSV imports of contacts: streamed, validated in Python, written set-based, resumable.

The HTTP request only stores the file and queues a job (`contact-imports` queue). The
worker (`run_job`) reads the file in blocks of whole CSV records (never the whole file in
memory). Each block is one transaction that

1. claims the block: `import_jobs.byte_offset` must still be where the block starts (so two
   deliveries of the same task never write a block twice), and moves it to the block's end;
2. COPYs the block's valid rows (normalized in Python) into a TEMP staging table;
3. writes them with one statement: in-block duplicates are dropped (`DISTINCT ON (phone)`,
   first row wins), new numbers are inserted, existing ones updated (`on_duplicate=update`)
   or left alone (`skip`), tags added; a contact this import already wrote is skipped, so a
   number repeated anywhere in the file is written once;
4. records row errors and advances the job's counters.

A crash loses at most the block in flight: the next delivery resumes at `byte_offset`.
While the database writes block N, a second thread already parses block N+1 (pg8000 waits
on the socket without the GIL), so Python and PostgreSQL work in parallel.

File-level problems (empty file, binary data, UTF-16, no phone column, an unknown column in
the mapping) fail the job before anything is written, with a message in `error`. Row-level
problems (bad number or email, wrong column count, undecodable bytes) become rows of the
error report and the other rows are imported.

Encodings: UTF-8 with or without BOM; otherwise Windows-1252 / Latin-1 (detected when the
start of the file is not UTF-8). Delimiter: comma, semicolon, tab or pipe, from the header.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import logging
import os
import queue
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from json.encoder import encode_basestring as json_string
from pathlib import Path
from typing import IO, Any

from pydantic import ValidationError
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Request as WerkzeugRequest
from werkzeug.wrappers import Response

from shared.billing.limits import LimitExceeded, check_contacts
from shared.config import get_settings
from shared.contacts import schemas
from shared.contacts.events import ImportFinished
from shared.contacts.models import ImportJob, ImportRowError
from shared.contacts.phones import InvalidPhone, PhoneNormalizer
from shared.contacts.service import workspace_region
from shared.db.session import tenant_session
from shared.http.pagination import PageQuery, keyset_page, page_of
from shared.http.problems import Problem, field_error, not_found, pydantic_errors, validation_failed
from shared.tenancy.models import Tenant
from shared.tenancy.principal import Principal

log = logging.getLogger("contacts.imports")

QUEUE = "contact-imports"
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
DEFAULT_BLOCK_BYTES = 4 * 1024 * 1024  # ~40-50k rows of a typical contact CSV
MAX_BLOCK_BYTES = 64 * 1024 * 1024  # a record longer than this is cut (row errors follow)
SAMPLE_BYTES = 64 * 1024
PIECE_ROWS = 5000  # staging rows per COPY message (bounds the memory of a block)
MAX_STORED_ERRORS = 100_000
TIME_BUDGET_SECONDS = 420.0  # then the job re-queues itself (functions time out at 540 s)
FIELD_SEPARATOR = "\x1f"  # between tags in the staging table
TAG_SPLIT = re.compile(r"[;,|]")
DELIMITERS = (",", ";", "\t", "|")

ProgressHook = Callable[[ImportJob], None]


class ImportFailed(Exception):
    """A file-level problem: the job fails with this message, nothing is written."""


# --- where files live -------------------------------------------------------------------


def imports_dir() -> Path:
    return Path(get_settings().data_dir).resolve() / "imports"


def _owned(uri: str) -> bool:
    """Files we stored ourselves (uploads) are deleted when their job ends."""
    if uri.startswith("gs://"):
        return False
    try:
        Path(uri).resolve().relative_to(imports_dir())
    except ValueError:
        return False
    return True


def _gcs_available() -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec("google.cloud.storage") is not None
    except ModuleNotFoundError:
        return False


def open_source(uri: str) -> IO[bytes]:
    if uri.startswith("gs://"):
        from google.cloud import storage  # type: ignore[attr-defined,unused-ignore]

        bucket, _, name = uri[5:].partition("/")
        blob = storage.Client().bucket(bucket).blob(name)
        return blob.open("rb")  # type: ignore[no-any-return]
    return open(uri, "rb")


# --- detection: encoding, delimiter, header, column mapping -----------------------------

_SYNONYMS: dict[str, str] = {}
for _target, _names in {
    "phone": (
        "phone phonenumber phoneno mobile mobilephone mobilenumber cell cellphone "
        "cellnumber telephone tel msisdn number contactnumber sms smsnumber whatsapp"
    ),
    "first_name": "firstname first givenname fname forename",
    "last_name": "lastname last surname familyname lname",
    "full_name": "name fullname contactname",
    "email": "email emailaddress email1 mail",
    "timezone": "timezone tz",
    "tags": "tags tag labels label",
}.items():
    for _name in _names.split():
        _SYNONYMS[_name] = _target


def _slug(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", header.lower()).strip("_")[:64]


@dataclass
class Layout:
    """How to read the file: decided once from its start, re-derived identically on resume."""

    encoding: str
    delimiter: str
    newline: bytes
    header: list[str]
    header_end: int  # byte offset of the first data record


@dataclass
class Plan:
    """Which column feeds what."""

    ncols: int
    headers: list[str]
    phone: int
    first_name: int | None = None
    last_name: int | None = None
    full_name: int | None = None
    email: int | None = None
    timezone: int | None = None
    tags: int | None = None
    custom: list[tuple[str, int]] = field(default_factory=list)

    @classmethod
    def build(cls, header: list[str], mapping: dict[str, str]) -> Plan:
        by_target: dict[str, int] = {}
        custom: list[tuple[str, int]] = []
        for i, name in enumerate(header):
            target = mapping.get(name, "ignore")
            if target.startswith("fields."):
                custom.append((target[7:], i))
            elif target != "ignore":
                by_target[target] = i
        return cls(
            ncols=len(header),
            headers=header,
            phone=by_target["phone"],
            first_name=by_target.get("first_name"),
            last_name=by_target.get("last_name"),
            full_name=by_target.get("full_name"),
            email=by_target.get("email"),
            timezone=by_target.get("timezone"),
            tags=by_target.get("tags"),
            custom=custom,
        )


def detect_encoding(sample: bytes, at_eof: bool) -> tuple[str, int]:
    """(encoding, BOM length) from the first bytes of a file; ImportFailed if not text."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8", 3
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ImportFailed("UTF-16 files are not supported: save the file as CSV UTF-8.")
    if not sample.strip():
        raise ImportFailed("The file is empty.")
    if b"\x00" in sample:
        raise ImportFailed("This is not a CSV text file (it contains binary data).")
    controls = sum(sample.count(bytes([b])) for b in range(32) if b not in (9, 10, 13))
    if controls > max(8, len(sample) // 100):
        raise ImportFailed("This is not a CSV text file (it contains binary data).")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=at_eof)
        return "utf-8", 0
    except UnicodeDecodeError:
        pass
    try:
        sample.decode("cp1252")
        return "cp1252", 0
    except UnicodeDecodeError:
        return "latin-1", 0


def _header_record(sample: bytes, start: int, newline: bytes) -> tuple[bytes, int]:
    """The first non-blank record of `sample` (from `start`) and the offset after it."""
    pos = start
    while pos < len(sample):
        end = pos
        quotes = 0
        while True:
            nl = sample.find(newline, end)
            if nl < 0:
                end = len(sample)
                break
            quotes += sample.count(b'"', end, nl)
            end = nl + 1
            if quotes % 2 == 0:
                break
        record = sample[pos:end]
        if record.strip():
            return record, end
        pos = end
    raise ImportFailed("The file is empty.")


def read_layout(f: IO[bytes]) -> Layout:
    f.seek(0)
    sample = f.read(SAMPLE_BYTES)
    encoding, bom = detect_encoding(sample, at_eof=len(sample) < SAMPLE_BYTES)
    newline = b"\n" if b"\n" in sample else b"\r"
    record, header_end = _header_record(sample, bom, newline)
    if header_end == len(sample) and len(sample) == SAMPLE_BYTES:
        raise ImportFailed(f"The header row is longer than {SAMPLE_BYTES} bytes.")
    line = record.decode(encoding, errors="replace")
    delimiter = max(DELIMITERS, key=lambda d: (line.count(d), d == ","))
    cells = next(csv.reader(io.StringIO(line, newline=""), delimiter=delimiter), [])
    header = [cell.strip() for cell in cells]
    seen: dict[str, int] = {}
    unique: list[str] = []
    for i, name in enumerate(header):
        name = name or f"column {i + 1}"
        seen[name] = seen.get(name, 0) + 1
        unique.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return Layout(encoding, delimiter, newline, unique, header_end)


def detect_mapping(header: list[str], given: dict[str, str] | None) -> dict[str, str]:
    """Column -> target: the given mapping, the rest by header names; ImportFailed if
    the mapping names missing columns or no column holds phone numbers."""
    given = dict(given or {})
    unknown = [h for h in given if h not in header]
    if unknown:
        raise ImportFailed(
            f"The mapping names columns the file does not have: {', '.join(unknown)}. "
            f"Columns: {', '.join(header)}."
        )
    mapping: dict[str, str] = {}
    taken = {t for t in given.values() if not t.startswith("fields.") and t != "ignore"}
    keys = {t[7:] for t in given.values() if t.startswith("fields.")}
    for name in header:
        if name in given:
            mapping[name] = given[name]
            continue
        target = _SYNONYMS.get(re.sub(r"[^a-z0-9]", "", name.lower()))
        if target and target not in taken:
            mapping[name] = target
            taken.add(target)
            continue
        key = _slug(name) or "column"
        base, n = key, 2
        while key in keys:
            key = f"{base[:60]}_{n}"
            n += 1
        keys.add(key)
        mapping[name] = f"fields.{key}"
    try:  # the custom fields a contact may have, as the API allows them
        schemas.check_field_keys([t[7:] for t in mapping.values() if t.startswith("fields.")])
    except ValueError as exc:
        raise ImportFailed(f"{exc} Map extra columns to `ignore`.") from exc
    phones = [h for h, t in mapping.items() if t == "phone"]
    if not phones:
        raise ImportFailed(
            "No phone column: name a column phone (or mobile, cell, ...) or map one to "
            f"`phone`. Columns: {', '.join(header)}."
        )
    for target in ("phone", "first_name", "last_name", "full_name", "email", "timezone", "tags"):
        columns = [h for h, t in mapping.items() if t == target]
        if len(columns) > 1:
            raise ImportFailed(f"Several columns map to {target}: {', '.join(columns)}.")
    return mapping


# --- reading blocks of whole records -----------------------------------------------------


def _cut(buf: bytes, newline: bytes) -> int | None:
    """Index just after the last newline that ends a record (quotes balanced), or None."""
    quotes = buf.count(b'"')
    end = len(buf)
    for _ in range(10_000):
        pos = buf.rfind(newline, 0, end)
        if pos < 0:
            return None
        quotes -= buf.count(b'"', pos, end)  # now the quotes before `pos`
        if quotes % 2 == 0:
            return pos + 1
        end = pos
    return None


def _blocks(
    f: IO[bytes], offset: int, block_bytes: int, newline: bytes
) -> Iterator[tuple[int, int, bytes]]:
    """(start, end, bytes) of consecutive blocks of whole records from `offset`."""
    f.seek(offset)
    carry = b""
    start = offset
    while True:
        want = max(block_bytes - len(carry), 1)
        fresh = f.read(want)
        eof = len(fresh) < want
        buf = carry + fresh
        if not buf:
            return
        if eof:
            yield start, start + len(buf), buf
            return
        cut = _cut(buf, newline)
        while cut is None and len(buf) < MAX_BLOCK_BYTES:
            more = f.read(block_bytes)
            if not more:
                break
            buf += more
            cut = _cut(buf, newline)
        if cut is None:
            last = buf.rfind(newline)
            cut = last + 1 if last >= 0 else len(buf)
        data, carry = buf[:cut], buf[cut:]
        yield start, start + len(data), data
        start += len(data)


# --- parsing and validating rows --------------------------------------------------------


@dataclass
class Parsed:
    start: int
    end: int
    records: int  # records read (blank lines included: they count as skipped)
    blank: int
    rows: int  # valid rows staged
    copy_data: list[bytes]  # the staging rows as CSV, in pieces of ~PIECE_ROWS rows
    errors: list[tuple[int, str | None, str]]


class RowParser:
    """Turns blocks of CSV text into staging rows (CSV for COPY) and row errors.

    The per-row loop is the import's Python hot path (a million iterations): it keeps to
    locals, caches what repeats (tags, time zones, number prefixes) and leaves the
    rest to C (csv, str methods, JSON string escaping).
    """

    def __init__(self, layout: Layout, plan: Plan, region: str, job_tags: list[str]) -> None:
        self.layout = layout
        self.plan = plan
        self.phones = PhoneNormalizer(region)
        self.job_tags = job_tags
        self._zones: dict[str, bool] = {}
        self._tags: dict[str, list[str] | str] = {}  # raw cell -> tags, or an error

    def parse(self, start: int, end: int, data: bytes, first_row: int) -> Parsed:
        """`first_row`: the row number of the block's first record (the header is row 1)."""
        try:
            text_ = data.decode(self.layout.encoding)
            suspicious = "\x00" in text_
        except UnicodeDecodeError:
            text_ = data.decode(self.layout.encoding, errors="surrogateescape")
            suspicious = True
        out = io.StringIO()
        write = csv.writer(out, lineterminator="\n").writerow
        pieces: list[bytes] = []
        errors: list[tuple[int, str | None, str]] = []
        error = errors.append
        reader = csv.reader(io.StringIO(text_, newline=""), delimiter=self.layout.delimiter)
        row_number = first_row - 1
        records = rows = blank = 0
        plan = self.plan
        ncols = plan.ncols
        headers = plan.headers
        phone_i, first_i, last_i, full_i = (
            plan.phone,
            plan.first_name,
            plan.last_name,
            plan.full_name,
        )
        email_i, tz_i, tags_i = plan.email, plan.timezone, plan.tags
        custom = [(json_string(key), i) for key, i in plan.custom]
        normalize_phone = self.phones.normalize
        job_tags = FIELD_SEPARATOR.join(self.job_tags)
        while True:
            try:
                record = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                row_number += 1
                records += 1
                error((row_number, None, f"Unreadable CSV: {exc}."))
                continue
            row_number += 1
            records += 1
            if len(record) != ncols:
                if not record or (len(record) == 1 and not record[0].strip()):
                    blank += 1
                    continue
                error((row_number, None, f"Expected {ncols} columns, found {len(record)}."))
                continue
            if suspicious and (problem := _bad_text(record, self.layout.encoding)):
                error((row_number, None, problem))
                continue
            try:
                phone, zone = normalize_phone(record[phone_i])
            except InvalidPhone as exc:
                error((row_number, headers[phone_i], str(exc)))
                continue
            first = record[first_i].strip() if first_i is not None else ""
            last = record[last_i].strip() if last_i is not None else ""
            if full_i is not None and not (first or last):
                first, _, last = record[full_i].strip().partition(" ")
                last = last.strip()
            if (first and (len(first) > 100 or not first.isprintable())) or (
                last and (len(last) > 100 or not last.isprintable())
            ):
                try:
                    first, last = schemas.clean_name(first), schemas.clean_name(last)
                except ValueError as exc:
                    column = first_i if first_i is not None else full_i
                    error((row_number, headers[column or 0], f"Name: {exc}"))
                    continue
            email = record[email_i].strip() if email_i is not None else ""
            if email:
                try:
                    email = schemas.normalize_email(email)
                except ValueError as exc:
                    error((row_number, headers[email_i or 0], str(exc)))
                    continue
            if tz_i is not None and (tz := record[tz_i].strip()):
                known = self._zones.get(tz)
                if known is None:
                    known = self._zones[tz] = schemas.valid_timezone(tz)
                if not known:
                    error((row_number, headers[tz_i], "Unknown time zone."))
                    continue
                zone = tz
            fields: list[str] = []
            refused = None
            for key, i in custom:  # key: already a JSON string
                value = record[i].strip()
                if value:
                    try:
                        schemas.check_field_value(value)  # the API's rule
                    except ValueError as exc:
                        refused = (row_number, headers[i], str(exc))
                        break
                    fields.append(key + ":" + json_string(value))
            if refused is not None:
                error(refused)
                continue
            tags = job_tags
            if tags_i is not None and (cell := record[tags_i].strip()):
                parsed_tags = self._tags.get(cell)
                if parsed_tags is None:
                    parsed_tags = self._tags[cell] = self._parse_tags(cell)
                if isinstance(parsed_tags, str):
                    error((row_number, headers[tags_i], parsed_tags))
                    continue
                tags = FIELD_SEPARATOR.join(dict.fromkeys([*self.job_tags, *parsed_tags]))
            write(
                (
                    row_number,
                    phone,
                    first,
                    last,
                    email,
                    zone or "",
                    "{" + ",".join(fields) + "}",
                    tags,
                )
            )
            rows += 1
            if rows % PIECE_ROWS == 0:
                pieces.append(out.getvalue().encode("utf-8"))
                out.seek(0)
                out.truncate()
        pieces.append(out.getvalue().encode("utf-8"))
        return Parsed(start, end, records, blank, rows, pieces, errors)

    def _parse_tags(self, cell: str) -> list[str] | str:
        if len(self._tags) > 10_000:
            self._tags.clear()
        tags: list[str] = []
        for raw in TAG_SPLIT.split(cell):
            if raw.strip():
                try:
                    tag = schemas.normalize_tag(raw)
                except ValueError as exc:
                    return str(exc)
                if tag not in tags:
                    tags.append(tag)
        return tags


def _bad_text(record: list[str], encoding: str) -> str | None:
    joined = "".join(record)
    if "\x00" in joined:
        return "The row contains binary data (NUL bytes)."
    try:
        joined.encode("utf-8")
    except UnicodeEncodeError:
        return f"The row is not valid {encoding.upper()} text."
    return None


# --- writing a block --------------------------------------------------------------------

_STAGE = """
CREATE TEMP TABLE import_stage (
    row_number bigint, phone text, first_name text, last_name text, email text,
    timezone text, fields jsonb, tags text
) ON COMMIT DROP
"""

# Contacts get time-ordered ids (a millisecond prefix on random bytes): new rows land at the
# right edge of the primary key instead of all over it, which keeps imports of millions of
# rows from thrashing the buffer cache.
_WRITE = """
WITH src AS (
    SELECT DISTINCT ON (phone) * FROM import_stage ORDER BY phone, row_number
), matched AS (
    SELECT s.*, c.id AS existing_id,
           c.last_import_id IS NOT DISTINCT FROM CAST(:job AS uuid) AS seen,
           c.erased_at IS NOT NULL AS erased
    FROM src s
    LEFT JOIN contacts c ON c.tenant_id = CAST(:tenant AS uuid) AND c.phone = s.phone
), inserted AS (
    INSERT INTO contacts (id, tenant_id, phone, first_name, last_name, email, timezone,
                          fields, last_import_id)
    SELECT encode(overlay(uuid_send(gen_random_uuid()) PLACING CAST(:prefix AS bytea)
                          FROM 1 FOR 6), 'hex')::uuid,
           CAST(:tenant AS uuid), phone, first_name, last_name, email, timezone, fields,
           CAST(:job AS uuid)
    FROM matched WHERE existing_id IS NULL
    ORDER BY phone
    RETURNING id, phone
), updated AS (
    UPDATE contacts c SET
        first_name = COALESCE(m.first_name, c.first_name),
        last_name = COALESCE(m.last_name, c.last_name),
        email = COALESCE(m.email, c.email),
        timezone = COALESCE(m.timezone, c.timezone),
        fields = c.fields || m.fields,
        erased_at = NULL,
        created_at = CASE WHEN m.erased THEN now() ELSE c.created_at END,
        last_import_id = CAST(:job AS uuid),
        updated_at = now()
    FROM matched m
    WHERE c.id = m.existing_id AND NOT m.seen AND (CAST(:update AS boolean) OR m.erased)
    RETURNING c.id, c.phone
), tagged_new AS (
    -- New contacts have no tags yet: a plain insert (no conflict handling to pay for).
    INSERT INTO contact_tags (tenant_id, contact_id, tag)
    SELECT CAST(:tenant AS uuid), w.id, t.tag
    FROM inserted w
    JOIN src ON src.phone = w.phone
    CROSS JOIN LATERAL unnest(string_to_array(src.tags, chr(31))) AS t(tag)
    RETURNING 1
), tagged_old AS (
    INSERT INTO contact_tags (tenant_id, contact_id, tag)
    SELECT CAST(:tenant AS uuid), w.id, t.tag
    FROM updated w
    JOIN src ON src.phone = w.phone
    CROSS JOIN LATERAL unnest(string_to_array(src.tags, chr(31))) AS t(tag)
    ON CONFLICT DO NOTHING
    RETURNING 1
)
SELECT (SELECT count(*) FROM import_stage),
       (SELECT count(*) FROM inserted),
       (SELECT count(*) FROM updated),
       (SELECT count(*) FROM tagged_new) + (SELECT count(*) FROM tagged_old)
"""

_ERRORS = """
INSERT INTO import_errors (tenant_id, job_id, row_number, column_name, reason)
SELECT CAST(:tenant AS uuid), CAST(:job AS uuid), r, c, m
FROM unnest(CAST(:rows AS bigint[]), CAST(:columns AS text[]), CAST(:reasons AS text[]))
     AS u(r, c, m)
"""


class _Superseded(Exception):
    """Another delivery of this job moved past the block: stop quietly."""


def _write_block(tenant_id: uuid.UUID, job_id: uuid.UUID, parsed: Parsed, update_: bool) -> None:
    with tenant_session(tenant_id) as s:
        claimed = s.execute(
            update(ImportJob)
            .where(
                ImportJob.id == job_id,
                ImportJob.byte_offset == parsed.start,
                ImportJob.status == "running",
            )
            .values(byte_offset=parsed.end, chunks_done=ImportJob.chunks_done + 1)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            raise _Superseded
        # No wait for the WAL flush (a database crash replays the block, as a worker crash
        # does), and memory to sort and hash a block without spilling.
        s.execute(
            text(
                "SELECT set_config('synchronous_commit', 'off', true),"
                " set_config('work_mem', '64MB', true)"
            )
        )
        created = updated = 0
        if parsed.rows:
            s.execute(text(_STAGE))
            driver = s.connection().connection.driver_connection
            assert driver is not None
            cursor = driver.cursor()
            cursor.execute(
                "COPY import_stage FROM STDIN WITH (FORMAT csv)", stream=parsed.copy_data
            )
            prefix = int(time.time() * 1000).to_bytes(8, "big")[2:]
            staged, created, updated, _ = s.execute(
                text(_WRITE),
                {"tenant": tenant_id, "job": job_id, "prefix": prefix, "update": update_},
            ).one()
            assert staged == parsed.rows
            if created:  # past the plan's contacts: this block is rolled back, the job fails
                check_contacts(s, tenant_id, adding=0)
        job = s.get_one(ImportJob, job_id)
        room = MAX_STORED_ERRORS - job.rows_failed
        errors = parsed.errors[: max(room, 0)]
        if errors:
            s.execute(
                text(_ERRORS),
                {
                    "tenant": tenant_id,
                    "job": job_id,
                    "rows": [e[0] for e in errors],
                    "columns": [e[1] for e in errors],
                    "reasons": [e[2][:500] for e in errors],
                },
            )
        job.rows_read += parsed.records
        job.rows_created += created
        job.rows_updated += updated
        job.rows_skipped += parsed.rows - created - updated + parsed.blank
        job.rows_failed += len(parsed.errors)


# --- the job ----------------------------------------------------------------------------


def _finish(tenant_id: uuid.UUID, job_id: uuid.UUID, status: str, error: str | None = None) -> None:
    from shared.queue import publish_on_commit

    with tenant_session(tenant_id) as s:
        job = s.get_one(ImportJob, job_id)
        if job.status in ("completed", "failed", "cancelled"):
            return
        job.status = status
        job.error = error
        job.finished_at = datetime.now(UTC)
        publish_on_commit(
            s,
            "import.finished",
            ImportFinished(tenant_id=tenant_id, import_id=job_id, status=status),
        )
        if job.rows_failed > MAX_STORED_ERRORS and not error:
            job.error = f"The error report lists the first {MAX_STORED_ERRORS} failed rows."
        uri = job.source_uri
    if _owned(uri):
        Path(uri).unlink(missing_ok=True)


def _prepare(tenant_id: uuid.UUID, job_id: uuid.UUID) -> tuple[ImportJob, Layout, Plan, str]:
    """Detect (first run) or re-derive (resume) how to read the file."""
    with tenant_session(tenant_id) as s:
        job = s.get_one(ImportJob, job_id)
        region = job.options.get("default_region") or workspace_region(s, tenant_id)
        s.expunge(job)
    try:
        with open_source(job.source_uri) as f:
            layout = read_layout(f)
    except FileNotFoundError as exc:
        raise ImportFailed("The uploaded file is gone; upload it again.") from exc
    if job.mapping is None:
        mapping = detect_mapping(layout.header, job.options.get("mapping"))
        with tenant_session(tenant_id) as s:
            s.execute(
                update(ImportJob)
                .where(ImportJob.id == job_id, ImportJob.mapping.is_(None))
                .values(
                    mapping=mapping,
                    encoding=layout.encoding,
                    byte_offset=layout.header_end,
                    status="running",
                    started_at=datetime.now(UTC),
                )
            )
            # Another delivery may have prepared it first: go on from what is stored.
            job = s.get_one(ImportJob, job_id)
            s.expunge(job)
        if job.mapping is None:
            raise _Superseded
    return job, layout, Plan.build(layout.header, job.mapping), str(region)


def run_job(
    tenant_id: uuid.UUID,
    job_id: uuid.UUID,
    *,
    block_bytes: int | None = None,
    on_progress: ProgressHook | None = None,
    time_budget: float | None = None,
) -> str:
    """Run (or resume) an import; returns its final status, or `running` when it re-queued
    itself after `time_budget` seconds."""
    started = time.monotonic()
    with tenant_session(tenant_id) as s:
        job = s.get(ImportJob, job_id)
        if job is None:
            log.warning("import job %s not found", job_id)
            return "missing"
        if job.status in ("completed", "failed", "cancelled"):
            return job.status
    try:
        job, layout, plan, region = _prepare(tenant_id, job_id)
    except ImportFailed as exc:
        _finish(tenant_id, job_id, "failed", str(exc))
        return "failed"
    except _Superseded:
        return "running"
    parser = RowParser(layout, plan, region, list(job.options.get("tags") or []))
    update_ = job.options.get("on_duplicate", "update") == "update"
    first_row = job.rows_read + 2  # record numbers; the header is row 1
    stop = threading.Event()
    handoff: queue.Queue[Parsed | BaseException | None] = queue.Queue(maxsize=1)

    def produce() -> None:
        row = first_row
        try:
            with open_source(job.source_uri) as f:
                size = block_bytes or DEFAULT_BLOCK_BYTES
                for start, end, data in _blocks(f, job.byte_offset, size, layout.newline):
                    parsed = parser.parse(start, end, data, row)
                    row += parsed.records
                    if not hand(parsed):
                        return
            hand(None)
        except BaseException as exc:  # handed to the consumer, which raises it
            hand(exc)

    def hand(item: Parsed | BaseException | None) -> bool:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    producer = threading.Thread(target=produce, name=f"import-{job_id}", daemon=True)
    producer.start()
    try:
        while True:
            item = handoff.get()
            if item is None:
                break
            if isinstance(item, BaseException):
                raise item
            _write_block(tenant_id, job_id, item, update_)
            if on_progress is not None:
                with tenant_session(tenant_id) as s:
                    snapshot = s.get_one(ImportJob, job_id)
                    s.expunge(snapshot)
                on_progress(snapshot)
            if time_budget is not None and time.monotonic() - started > time_budget:
                _requeue(tenant_id, job_id)
                return "running"
    except _Superseded:
        return "running"
    except LimitExceeded as exc:
        _finish(tenant_id, job_id, "failed", exc.detail)
        return "failed"
    finally:
        stop.set()
    _finish(tenant_id, job_id, "completed")
    return "completed"


def _requeue(tenant_id: uuid.UUID, job_id: uuid.UUID) -> None:
    from shared.queue import schedule

    with tenant_session(tenant_id) as s:
        chunks = s.get_one(ImportJob, job_id).chunks_done
    schedule(
        QUEUE,
        {"job_id": str(job_id), "tenant_id": str(tenant_id)},
        key=f"import:{job_id}:{chunks}",
    )


# --- creating jobs and reading them (the HTTP side) -------------------------------------


def _job_out(job: ImportJob) -> schemas.ImportOut:
    return schemas.ImportOut(
        id=job.id,
        status=job.status,
        filename=job.filename,
        options=job.options or {},
        mapping=job.mapping,
        encoding=job.encoding,
        rows_read=job.rows_read,
        rows_created=job.rows_created,
        rows_updated=job.rows_updated,
        rows_skipped=job.rows_skipped,
        rows_failed=job.rows_failed,
        chunks_done=job.chunks_done,
        bytes_total=job.source_bytes,
        bytes_done=job.byte_offset,
        error=job.error,
        errors_url=f"/v1/contacts/imports/{job.id}/errors.csv" if job.rows_failed else None,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
    )


def create_job(
    tenant_id: uuid.UUID,
    source_uri: str,
    options: schemas.ImportOptions,
    *,
    filename: str | None = None,
    size: int | None = None,
    user_id: uuid.UUID | None = None,
    job_id: uuid.UUID | None = None,
    enqueue: bool = True,
) -> schemas.ImportOut:
    """Record a queued job, then (after the commit) queue its worker."""
    with tenant_session(tenant_id, user_id=user_id) as s:
        if s.get(Tenant, tenant_id) is None:
            raise not_found("Workspace")
        job = ImportJob(
            id=job_id or uuid.uuid4(),
            tenant_id=tenant_id,
            status="queued",
            source_uri=source_uri,
            filename=(filename or "")[:300] or None,
            options=options.model_dump(exclude_none=True),
            source_bytes=size,
            created_by=user_id,
        )
        s.add(job)
        s.flush()
        s.refresh(job)
        out = _job_out(job)
    if enqueue:
        from shared.queue import schedule

        payload = {"job_id": str(out.id), "tenant_id": str(tenant_id)}
        schedule(QUEUE, payload, key=f"import:{out.id}")
    return out


def _form_options(form: Any) -> schemas.ImportOptions:
    data: dict[str, Any] = {}
    for key in ("default_region", "on_duplicate"):
        if key in form:  # sent empty is sent: the options' rules judge it
            data[key] = form.get(key)
    tags = [t for value in form.getlist("tags") for t in value.split(",") if t.strip()]
    if tags:
        data["tags"] = tags
    if "mapping" in form:  # a form field of JSON text: an object, or it is refused here
        try:
            data["mapping"] = json.loads(form.get("mapping"))
        except json.JSONDecodeError:
            data["mapping"] = None
        if not isinstance(data["mapping"], dict):
            raise field_error("body.mapping", "Send the mapping as a JSON object.")
    unknown = set(form) - {"default_region", "on_duplicate", "tags", "mapping"}
    if unknown:
        raise field_error(f"body.{sorted(unknown)[0]}", "Unknown form field.", "extra_forbidden")
    try:
        return schemas.ImportOptions.model_validate(data)
    except ValidationError as exc:
        raise validation_failed(pydantic_errors(exc, "body")) from exc


def _too_large() -> Problem:
    return Problem(
        413,
        "payload-too-large",
        "Payload too large",
        f"Uploads over {MAX_UPLOAD_BYTES // (1024 * 1024)} MB are refused.",
    )


def create_from_request(
    principal: Principal, raw: WerkzeugRequest, body: bytes | None
) -> schemas.ImportOut:
    """A multipart upload (`file` + option fields) or a JSON body with a gs:// URI."""
    if body is not None:
        try:
            data = schemas.ImportFromUri.model_validate_json(body or b"{}")
        except ValidationError as exc:
            raise validation_failed(pydantic_errors(exc, "body")) from exc
        if not data.source_uri.startswith("gs://"):
            raise field_error("body.source_uri", "Only gs://bucket/object URIs are accepted.")
        if not _gcs_available():
            raise field_error(
                "body.source_uri",
                "This deployment cannot read gs:// URIs (google-cloud-storage is not "
                "installed); upload the file as multipart/form-data instead.",
                "unsupported",
            )
        options = schemas.ImportOptions.model_validate(
            data.model_dump(exclude={"source_uri"}, exclude_none=True)
        )
        return create_job(
            principal.tenant_id,
            data.source_uri,
            options,
            filename=data.source_uri.rsplit("/", 1)[-1],
            user_id=principal.user_id,
        )
    if raw.content_length is not None and raw.content_length > MAX_UPLOAD_BYTES + 64 * 1024:
        raise _too_large()
    raw.max_content_length = MAX_UPLOAD_BYTES + 64 * 1024
    try:
        upload = raw.files.get("file")
        form = raw.form
    except RequestEntityTooLarge as exc:
        raise _too_large() from exc
    if upload is None:
        raise field_error("body.file", "Attach the CSV file as the `file` part.", "missing")
    options = _form_options(form)
    job_id = uuid.uuid4()
    folder = imports_dir() / str(principal.tenant_id)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{job_id}.csv"
    try:
        upload.save(str(path))
    except RequestEntityTooLarge as exc:
        path.unlink(missing_ok=True)
        raise _too_large() from exc
    size = path.stat().st_size
    if size > MAX_UPLOAD_BYTES:
        path.unlink(missing_ok=True)
        raise _too_large()
    try:
        return create_job(
            principal.tenant_id,
            str(path),
            options,
            filename=os.path.basename(upload.filename or "") or None,
            size=size,
            user_id=principal.user_id,
            job_id=job_id,
        )
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def _get(s: Session, job_id: uuid.UUID) -> ImportJob:
    job = s.get(ImportJob, job_id)
    if job is None:
        raise not_found("Import")
    return job


def get_job(principal: Principal, job_id: uuid.UUID) -> schemas.ImportOut:
    with tenant_session(principal.tenant_id, user_id=principal.user_id) as s:
        return _job_out(_get(s, job_id))


def list_jobs(principal: Principal, query: PageQuery) -> schemas.ImportPage:
    with tenant_session(principal.tenant_id, user_id=principal.user_id) as s:
        stmt = keyset_page(
            select(ImportJob).where(ImportJob.tenant_id == principal.tenant_id),
            ImportJob.created_at,
            ImportJob.id,
            query,
        )
        rows, cursor = page_of(list(s.scalars(stmt)), query, "created_at")
        return schemas.ImportPage(data=[_job_out(j) for j in rows], next_cursor=cursor)


def _csv_cell(value: str | None) -> str:
    value = value or ""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def errors_csv(principal: Principal, job_id: uuid.UUID) -> Response:
    """The error report, streamed in pages (one short transaction each)."""
    with tenant_session(principal.tenant_id, user_id=principal.user_id) as s:
        _get(s, job_id)

    def rows() -> Iterator[str]:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(("row", "column", "reason"))
        last = 0
        while True:
            with tenant_session(principal.tenant_id, user_id=principal.user_id) as s:
                batch = s.execute(
                    select(
                        ImportRowError.id,
                        ImportRowError.row_number,
                        ImportRowError.column_name,
                        ImportRowError.reason,
                    )
                    .where(ImportRowError.job_id == job_id, ImportRowError.id > last)
                    .order_by(ImportRowError.id)
                    .limit(5000)
                ).all()
            for error_id, row_number, column, reason in batch:
                writer.writerow((row_number, _csv_cell(column), _csv_cell(reason)))
                last = error_id
            yield out.getvalue()
            out.seek(0)
            out.truncate()
            if len(batch) < 5000:
                return

    return Response(
        rows(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="import-{job_id}-errors.csv"'},
    )


def get_job_summary(tenant_id: uuid.UUID, job_id: uuid.UUID) -> schemas.ImportOut:
    """A job as the API shows it, for operators (the CLI) who act as the workspace."""
    with tenant_session(tenant_id) as s:
        return _job_out(_get(s, job_id))
