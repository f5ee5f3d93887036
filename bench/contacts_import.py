"""Contacts import benchmark: a 1,000,000-row CSV into a workspace of 1,000,000 contacts.

What: the worker's own code (`shared.contacts.imports.run_job`) imports a generated CSV of
10 columns (phone, first_name, last_name, email, tags, company, city, state, zip,
signup_date) with 2% invalid phone numbers and 5% duplicate numbers (the same number again
in another format), 10% of whose numbers already exist in the workspace, into a workspace
that already holds 1,000,000 contacts (10% tagged `vip`). Reported: rows/s end to end (from
the job's start to `completed`: reading, validating, normalizing, COPY, upsert, tags, error
rows, progress), the peak RSS of the process that ran it, and, as the ceiling, the time of
a raw `COPY` of the same file into an unlogged table with no index.

Why: the issue's target is >= 50,000 rows/s on a 2-core machine with peak memory under
300 MB; the ceiling says how far from "just moving the bytes" the import is.

How: a scratch database (`smsplat_bench_contacts`) on the local PostgreSQL
(127.0.0.1:5432, user postgres), migrated with the project's migrations and seeded
set-based (generate_series). The import runs in a child process (so its peak RSS is its
own: `resource.getrusage`) and reports where its time went: the parsing thread (Python:
CSV, phone numbers, validation, the COPY payload) and the writing thread (PostgreSQL:
COPY into the staging table, the upsert statement, the job's row), which overlap.

Run from the project root: `python -m bench.contacts_import` (`--rows`, `--existing` to
scale; `--no-write` to only print). It replaces its section of `bench/RESULTS.md`.
`bench.contacts_queries` reuses the database it leaves behind.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RESULTS_PATH = PROJECT_ROOT / "bench" / "RESULTS.md"
WORK_DIR = PROJECT_ROOT / "bench" / ".work"
RESULTS_TITLE = "# Benchmark results"
SECTION_HEADING = "## Contacts import (1M-row CSV into a 1M-contact workspace)"
ADMIN_URL = "postgresql+pg8000://postgres@127.0.0.1:5432/postgres"
DATABASE = "smsplat_bench_contacts"
TENANT_ID = "00000000-0000-4000-8000-00000000be01"
USER_ID = "00000000-0000-4000-8000-00000000be02"
TARGET_ROWS_PER_SECOND = 50_000
TARGET_PEAK_MB = 300
SEED = 20261124

# Area codes of the United States used by the generator (checked valid at generation).
AREA_CODES = [
    "201",
    "202",
    "203",
    "205",
    "206",
    "207",
    "208",
    "210",
    "212",
    "213",
    "214",
    "215",
    "216",
    "217",
    "218",
    "219",
    "224",
    "225",
    "228",
    "229",
    "231",
    "234",
    "239",
    "240",
    "248",
    "251",
    "252",
    "253",
    "254",
    "256",
    "260",
    "262",
    "267",
    "269",
    "270",
    "276",
    "281",
    "301",
    "302",
    "303",
    "304",
    "305",
    "307",
    "308",
    "309",
    "310",
    "312",
    "313",
    "314",
    "315",
    "316",
    "317",
    "318",
    "319",
    "320",
    "321",
    "323",
    "330",
    "334",
    "336",
    "337",
    "339",
    "347",
    "351",
    "352",
    "360",
    "361",
    "386",
    "401",
    "402",
    "404",
    "405",
    "406",
    "407",
    "408",
    "409",
    "410",
    "412",
    "413",
    "414",
    "415",
    "417",
    "419",
    "423",
    "425",
    "434",
    "435",
    "440",
    "443",
    "469",
    "478",
    "479",
    "480",
    "484",
    "501",
    "502",
    "503",
    "504",
    "505",
    "507",
    "508",
    "509",
    "510",
    "512",
    "513",
    "515",
    "516",
    "517",
    "518",
    "520",
    "530",
    "540",
    "541",
    "551",
    "559",
    "561",
    "562",
    "563",
    "567",
    "570",
    "571",
    "573",
    "574",
    "580",
    "585",
    "586",
    "601",
    "602",
    "603",
    "605",
    "606",
    "607",
    "608",
    "609",
    "610",
    "612",
    "614",
    "615",
    "616",
    "617",
    "618",
    "619",
    "620",
    "623",
    "626",
    "630",
    "631",
    "636",
    "641",
    "646",
    "650",
    "651",
    "660",
    "661",
    "662",
    "678",
    "682",
    "701",
    "702",
    "703",
    "704",
    "706",
    "707",
    "708",
    "712",
    "713",
    "714",
    "715",
    "716",
    "717",
    "718",
    "719",
    "720",
    "724",
    "727",
    "731",
    "732",
    "734",
    "740",
    "754",
    "757",
    "760",
    "763",
    "765",
    "770",
    "772",
    "773",
    "774",
    "775",
    "781",
    "785",
    "786",
    "801",
    "802",
    "803",
    "804",
    "805",
    "806",
    "808",
    "810",
    "812",
    "813",
    "814",
    "815",
    "816",
    "817",
    "818",
    "828",
    "830",
    "831",
    "832",
    "843",
    "845",
    "847",
    "848",
    "850",
    "856",
    "857",
    "858",
    "859",
    "860",
    "862",
    "863",
    "864",
    "865",
    "870",
    "901",
    "903",
    "904",
    "906",
    "907",
    "908",
    "909",
    "910",
    "912",
    "913",
    "914",
    "915",
    "916",
    "917",
    "918",
    "919",
    "920",
    "925",
    "928",
    "931",
    "936",
    "937",
    "940",
    "941",
    "949",
    "952",
    "954",
    "956",
    "970",
    "971",
    "972",
    "973",
    "978",
    "979",
    "980",
    "985",
    "989",
]
FIRST = [
    "James",
    "Mary",
    "John",
    "Patricia",
    "Robert",
    "Jennifer",
    "Michael",
    "Linda",
    "William",
    "Elizabeth",
    "David",
    "Zoë",
]
LAST = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Núñez",
]
CITIES = [
    ("Seattle", "WA"),
    ("Austin", "TX"),
    ("Denver", "CO"),
    ("Boston", "MA"),
    ("Miami", "FL"),
    ("Chicago", "IL"),
]
TAGS = ["", "", "", "", "", "", "customer", "newsletter", "vip;customer", "lead"]
INVALID = ["555-01{}", "(123) 456-78{}", "call me {}", "+1 415 555 0{}", "n/a {}"]
HEADER = [
    "phone",
    "first_name",
    "last_name",
    "email",
    "tags",
    "company",
    "city",
    "state",
    "zip",
    "signup_date",
]


def progress(message: str) -> None:
    print(f"[contacts_import] {message}", file=sys.stderr, flush=True)


# --- data ------------------------------------------------------------------------------


def valid_area_codes() -> list[str]:
    import phonenumbers

    out = []
    for npa in AREA_CODES:
        number = phonenumbers.parse(f"+1{npa}3301234")
        if phonenumbers.is_valid_number_for_region(number, "US"):
            out.append(npa)
    return out


def seeded_phone(npas: Sequence[str], g: int) -> str:
    """The number of seeded contact `g` (the same formula as the SQL seed)."""
    return f"+1{npas[g % len(npas)]}{2000000 + g}"


def formats(national: str, rng: random.Random) -> str:
    npa, nxx, line = national[:3], national[3:6], national[6:]
    style = rng.randrange(4)
    if style == 0:
        return f"({npa}) {nxx}-{line}"
    if style == 1:
        return f"{npa}-{nxx}-{line}"
    if style == 2:
        return f"+1{national}"
    return national


def generate_csv(path: Path, rows: int, existing: int, npas: Sequence[str]) -> dict[str, int]:
    """The benchmark's file; its composition is returned (and stored beside it)."""
    rng = random.Random(SEED)
    stats = {"rows": rows, "invalid": 0, "duplicates": 0, "existing": 0}
    nationals: list[str] = []
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as out:
        out.write(",".join(HEADER) + "\n")
        for i in range(rows):
            roll = rng.random()
            if roll < 0.02:
                phone = rng.choice(INVALID).format(rng.randrange(10, 99))
                stats["invalid"] += 1
            elif roll < 0.07 and nationals:
                phone = formats(rng.choice(nationals), rng)  # a number seen earlier
                stats["duplicates"] += 1
            else:
                if roll < 0.17 and existing:
                    national = seeded_phone(npas, rng.randrange(existing))[2:]
                    stats["existing"] += 1
                else:
                    national = (
                        f"{rng.choice(npas)}{rng.randrange(300, 1000)}{rng.randrange(10000):04d}"
                    )
                nationals.append(national)
                phone = formats(national, rng)
            first, last = rng.choice(FIRST), rng.choice(LAST)
            city, state = rng.choice(CITIES)
            email = f"{first.lower()}.{last.lower()}{i}@example.com" if rng.random() < 0.8 else ""
            out.write(
                f'{phone},{first},{last},{email},"{rng.choice(TAGS)}",Company {i % 5000},'
                f"{city},{state},{rng.randrange(10000, 99999)},"
                f"20{rng.randrange(15, 26)}-0{rng.randrange(1, 10)}-1{rng.randrange(0, 10)}\n"
            )
    tmp.replace(path)
    path.with_suffix(".json").write_text(json.dumps(stats))
    return stats


def ensure_csv(
    rows: int, existing: int, npas: Sequence[str], regenerate: bool
) -> tuple[Path, dict[str, int]]:
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    path = WORK_DIR / f"contacts-{rows}-{existing}.csv"
    meta = path.with_suffix(".json")
    if path.exists() and meta.exists() and not regenerate:
        return path, json.loads(meta.read_text())
    progress(f"generating {path.relative_to(PROJECT_ROOT)}")
    started = time.perf_counter()
    stats = generate_csv(path, rows, existing, npas)
    progress(
        f"generated in {time.perf_counter() - started:.1f}s ({path.stat().st_size / 1e6:.0f} MB)"
    )
    return path, stats


# --- database --------------------------------------------------------------------------


def database_url() -> str:
    return ADMIN_URL.rsplit("/", 1)[0] + f"/{DATABASE}"


def admin_execute(*statements: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        for statement in statements:
            conn.execute(text(statement))
    engine.dispose()


def create_database(existing: int, npas: Sequence[str]) -> float:
    """Drop, create, migrate and seed the scratch database; the seconds seeding took."""
    from sqlalchemy import create_engine, text

    from shared.db import migrate

    admin_execute(
        f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)', f'CREATE DATABASE "{DATABASE}"'
    )
    migrate.upgrade(database_url())
    engine = create_engine(database_url())
    area_codes = "ARRAY[" + ",".join(f"'{n}'" for n in npas) + "]"
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO tenants (id, name, settings) VALUES (:t, 'bench', '{}')"),
            {"t": TENANT_ID},
        )
        conn.execute(
            text(
                "INSERT INTO users (id, email, name, password_hash) "
                "VALUES (:u, 'bench@example.com', 'Bench', 'x')"
            ),
            {"u": USER_ID},
        )
        conn.execute(
            text("INSERT INTO user_tenants (tenant_id, user_id, role) VALUES (:t, :u, 'owner')"),
            {"t": TENANT_ID, "u": USER_ID},
        )
        conn.execute(
            text(
                f"""
                INSERT INTO contacts (tenant_id, phone, first_name, last_name, email, timezone,
                                      fields, opted_out, created_at, updated_at)
                SELECT :t, '+1' || ({area_codes})[1 + mod(g, {len(npas)})] || (2000000 + g)::text,
                       'Seed' || g, 'Contact' || mod(g, 1000), 'seed' || g || '@example.com',
                       'America/New_York',
                       jsonb_build_object('company', 'Company ' || mod(g, 5000), 'plan',
                                          (ARRAY['free','pro','team'])[1 + mod(g, 3)]),
                       mod(g, 50) = 0,
                       now() - make_interval(secs => g), now() - make_interval(secs => g)
                FROM generate_series(0, :n - 1) AS g
                """
            ),
            {"t": TENANT_ID, "n": existing},
        )
        conn.execute(
            text(
                "INSERT INTO contact_tags (tenant_id, contact_id, tag) "
                "SELECT tenant_id, id, 'vip' FROM contacts WHERE mod(hashtext(phone), 10) = 0"
            )
        )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()
    return time.perf_counter() - started


def raw_copy_seconds(path: Path) -> float:
    """The ceiling: COPY of the same file into an unlogged table without indexes."""
    import pg8000.dbapi

    conn = pg8000.dbapi.connect(user="postgres", host="127.0.0.1", port=5432, database=DATABASE)
    try:
        cursor = conn.cursor()
        cursor.execute("DROP TABLE IF EXISTS bench_raw_copy")
        cursor.execute(
            "CREATE UNLOGGED TABLE bench_raw_copy ("
            + ", ".join(f"{name} text" for name in HEADER)
            + ")"
        )
        conn.commit()
        with path.open("rb") as f:
            started = time.perf_counter()
            cursor.execute(
                "COPY bench_raw_copy FROM STDIN WITH (FORMAT csv, HEADER true)",
                stream=iter(lambda: f.read(1 << 20), b""),
            )
            conn.commit()
            seconds = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_raw_copy")
        conn.commit()
        return seconds
    finally:
        conn.close()


def database_counts() -> dict[str, int]:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url())
    with engine.connect() as conn:
        contacts, distinct = conn.execute(
            text("SELECT count(*), count(DISTINCT phone) FROM contacts WHERE tenant_id = :t"),
            {"t": TENANT_ID},
        ).one()
        errors = conn.scalar(text("SELECT count(*) FROM import_errors"))
    engine.dispose()
    return {"contacts": contacts, "distinct_phones": distinct, "error_rows": errors}


# --- the import, in a child process ------------------------------------------------------


def child(tenant: str, job: str) -> None:
    """Runs in the child: the import, timed, with the time of each thread's work."""
    import uuid

    from shared.contacts import imports

    spent: dict[str, Any] = {"parse": 0.0, "write": 0.0, "blocks": 0, "per_block": []}
    parse, write = imports.RowParser.parse, imports._write_block

    def timed_parse(self: Any, *args: Any, **kwargs: Any) -> Any:
        t = time.perf_counter()
        try:
            return parse(self, *args, **kwargs)
        finally:
            spent["parse"] += time.perf_counter() - t

    def timed_write(*args: Any, **kwargs: Any) -> Any:
        t = time.perf_counter()
        try:
            return write(*args, **kwargs)
        finally:
            spent["write"] += time.perf_counter() - t
            spent["blocks"] += 1
            spent["per_block"].append(round(time.perf_counter() - t, 2))

    imports.RowParser.parse = timed_parse  # type: ignore[method-assign]
    imports._write_block = timed_write
    started = time.perf_counter()
    status = imports.run_job(uuid.UUID(tenant), uuid.UUID(job))
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"status": status, "seconds": seconds, "peak_kb": peak_kb, **spent}))


def run_import(path: Path) -> dict[str, Any]:
    import uuid

    from shared.contacts import imports
    from shared.contacts.schemas import ImportOptions

    job = imports.create_job(
        uuid.UUID(TENANT_ID),
        str(path),
        ImportOptions(),
        filename=path.name,
        size=path.stat().st_size,
        enqueue=False,
    )
    env = {**os.environ, "DATABASE_URL": database_url()}
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "bench.contacts_import", "--child", TENANT_ID, str(job.id)],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    process_seconds = time.perf_counter() - started
    if out.returncode != 0:
        raise SystemExit(f"the import failed:\n{out.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    result["process_seconds"] = process_seconds
    summary = imports.get_job_summary(uuid.UUID(TENANT_ID), job.id)
    result["job"] = summary.model_dump(mode="json")
    return result


# --- reporting -------------------------------------------------------------------------


def machine() -> dict[str, str]:
    cpu = "unknown"
    memory = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    pg = "unknown"
    try:
        from sqlalchemy import create_engine, text

        engine = create_engine(ADMIN_URL)
        with engine.connect() as conn:
            pg = str(conn.scalar(text("SHOW server_version")))
            buffers = str(conn.scalar(text("SHOW shared_buffers")))
        engine.dispose()
        pg = f"{pg} (shared_buffers {buffers}, default settings)"
    except Exception as exc:
        pg = f"unknown ({exc})"
    return {
        "nproc": str(len(os.sched_getaffinity(0))),
        "memory": memory,
        "cpu": cpu,
        "python": platform.python_version(),
        "postgres": pg,
    }


def render(args: argparse.Namespace, facts: dict[str, Any]) -> str:
    job = facts["import"]["job"]
    imp = facts["import"]
    rows = facts["stats"]["rows"]
    rate = rows / imp["seconds"]
    peak_mb = imp["peak_kb"] / 1024
    ceiling = rows / facts["copy_seconds"]
    m = facts["machine"]
    met_rate = rate >= TARGET_ROWS_PER_SECOND
    met_memory = peak_mb < TARGET_PEAK_MB
    command = "python -m bench.contacts_import" + (
        f" --rows {args.rows} --existing {args.existing}"
        if (args.rows, args.existing) != (1_000_000, 1_000_000)
        else ""
    )
    lines = [
        SECTION_HEADING,
        "",
        f"- Date: {facts['date']} UTC",
        f"- Machine: nproc {m['nproc']}, {m['memory']} memory, CPU {m['cpu']}; "
        f"Python {m['python']}; PostgreSQL {m['postgres']}",
        f"- Command (from the project root): `.venv/bin/{command}`",
        f"- File: {rows:,} rows, 10 columns, {facts['file_mb']:.0f} MB; "
        f"{facts['stats']['invalid']:,} invalid phones, {facts['stats']['duplicates']:,} "
        f"repeated numbers, {facts['stats']['existing']:,} numbers already in the workspace",
        f"- Workspace before: {args.existing:,} contacts (seeded in {facts['seed_seconds']:.0f} s)",
        f"- Load average (1 min) when the import started / ended: {facts['load'][0]:.1f} / "
        f"{facts['load'][1]:.1f} (other work shares this 2-core machine; it slows both figures)",
        "",
        "| measure | value |",
        "| --- | ---: |",
        f"| end-to-end import | {imp['seconds']:.1f} s |",
        f"| **rows/s** | **{rate:,.0f}** |",
        f"| peak RSS of the importing process | {peak_mb:.0f} MB |",
        f"| raw `COPY` of the file (unlogged table, no index): the ceiling | "
        f"{facts['copy_seconds']:.1f} s ({ceiling:,.0f} rows/s) |",
        f"| import / raw COPY | {imp['seconds'] / facts['copy_seconds']:.1f}x |",
        f"| blocks (committed chunks) | {imp['blocks']} |",
        f"| parsing thread busy (Python: CSV, phones, validation) | {imp['parse']:.1f} s |",
        f"| writing thread busy (PostgreSQL: COPY, upsert, tags, job) | {imp['write']:.1f} s |",
        "",
        f"Job: read {job['rows_read']:,}, created {job['rows_created']:,}, updated "
        f"{job['rows_updated']:,}, skipped {job['rows_skipped']:,}, failed "
        f"{job['rows_failed']:,}; the workspace then had {facts['counts']['contacts']:,} "
        f"contacts ({facts['counts']['distinct_phones']:,} distinct numbers).",
        "",
        f"Verdict: {'met' if met_rate else 'NOT met'}: {rate:,.0f} rows/s against the "
        f"{TARGET_ROWS_PER_SECOND:,} rows/s target; peak memory {peak_mb:.0f} MB "
        f"({'under' if met_memory else 'over'} {TARGET_PEAK_MB} MB).",
    ]
    if facts.get("notes"):
        lines += ["", *facts["notes"]]
    return "\n".join(lines) + "\n"


def replace_section(document: str, heading: str, section: str) -> str:
    """`document` with the section under `heading` replaced (appended if absent)."""
    lines = document.splitlines()
    if heading not in lines:
        return document.rstrip("\n") + "\n\n" + section
    start = lines.index(heading)
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    rest = "\n".join(lines[end:]).rstrip("\n")
    head = "\n".join(lines[:start]).rstrip("\n")
    return head + "\n\n" + section + ("\n" + rest + "\n" if rest else "")


def write_results_section(heading: str, section: str) -> None:
    """Replace one section of bench/RESULTS.md, keeping the others, atomically."""
    document = RESULTS_PATH.read_text() if RESULTS_PATH.exists() else f"{RESULTS_TITLE}\n"
    updated = replace_section(document, heading, section)
    with tempfile.NamedTemporaryFile("w", dir=RESULTS_PATH.parent, delete=False) as tmp:
        tmp.write(updated)
    Path(tmp.name).replace(RESULTS_PATH)


# Where the time goes, measured on this machine (2026-11-24) with the code as it is; kept
# with the code that produces the figures. Re-measure before trusting after changes.
NOTES: list[str] = [
    "Where the time goes. PostgreSQL is the bottleneck: the writing thread is busy for",
    "almost the whole run while the parsing thread (Python) finishes in about a third of it",
    "(single-threaded, without a database, parsing runs at ~74,000 rows per CPU-second).",
    "`EXPLAIN (ANALYZE, BUFFERS, WAL)` of one block (41,233 rows into the 1M workspace;",
    "1.78 s): COPY into the staging table 0.12 s; dedup and lookup of existing numbers",
    "0.24 s; insert of 36,289 contacts 0.54 s; update of 4,512 existing contacts 0.38 s",
    "(random heap pages, full-page images after each checkpoint: ~84 us per update);",
    "20,264 tags 0.17 s; foreign-key triggers 0.37 s (contacts->tenants,",
    "contact_tags->contacts, contact_tags->tenants); 70 MB of WAL for the block.",
    "Running only the writes of all 24 blocks (parsing done beforehand): 48.6 s; without",
    "the GIN index on custom fields 37.6 s; without the three foreign keys 36.2 s (one run",
    "each, noisy: other processes share the machine). PostgreSQL runs with its default",
    "128 MB shared_buffers: the (tenant_id, phone) unique index and the heap do not stay",
    "in memory, and every checkpoint (max_wal_size 1 GB, ~12 blocks) brings full-page",
    "images back.",
    "",
    "What was tried, and kept: time-ordered ids for imported contacts (new rows append to",
    "the primary key instead of hitting random pages: 1.9 s -> 1.25 s per 50k rows and",
    "~100x fewer full-page images in an isolated test); the custom-fields GIN index as",
    "jsonb_path_ops instead of jsonb_ops; dropping the redundant single-column tenant_id",
    "indexes of contacts and contact_tags; a plain INSERT after one LEFT JOIN lookup",
    "instead of INSERT ... ON CONFLICT (0.73 s vs 0.98 s per 50k rows for the insert, the",
    "lookup costs ~0.17 s back: a small net gain, and it tells created from updated); a",
    "plain insert of the tags of new contacts; no trigram index for `q` (it made plain",
    "inserts of 1M rows 2.6x slower, 52 s vs 20 s, in an isolated test); synchronous_commit",
    "off and 64 MB work_mem per block; parsing in a second thread, overlapped with the",
    "writes; in Python a per-exchange cache of phone validity and time zone (one type",
    "lookup per new area code + exchange), cached tags and hand-built JSON.",
    "Tried and dropped: a bigger pending list for the GIN index (no gain in one, noisy,",
    "run).",
    "",
    "Not met, and what would be needed: about 2.5x less database work per row. Sizing",
    "PostgreSQL (shared_buffers large enough for the contacts indexes, wal_compression,",
    "a larger max_wal_size) is the first lever and is a deployment setting (Cloud SQL",
    "flags), not code. After that the per-row costs left are the indexes and foreign keys",
    "the product relies on: the GIN index and the foreign keys each cost ~11-12 s of the",
    "48.6 s above; by that (unmeasured) arithmetic, even without both the writes would",
    "take ~25 s, above the 20 s that 50,000 rows/s allows.",
]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--existing", type=int, default=1_000_000)
    parser.add_argument("--regenerate", action="store_true", help="write the CSV again")
    parser.add_argument("--no-write", action="store_true", help="do not touch RESULTS.md")
    parser.add_argument("--child", nargs=2, metavar=("TENANT", "JOB"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    os.environ["DATABASE_URL"] = database_url()
    os.environ.setdefault("ENVIRONMENT", "local")
    npas = valid_area_codes()
    path, stats = ensure_csv(args.rows, args.existing, npas, args.regenerate)
    progress(f"creating and seeding {DATABASE} with {args.existing:,} contacts")
    seed_seconds = create_database(args.existing, npas)
    progress(f"seeded in {seed_seconds:.0f}s; raw COPY ceiling")
    copy_seconds = raw_copy_seconds(path)
    progress(f"raw COPY {copy_seconds:.1f}s; importing")
    load_before = os.getloadavg()[0]
    result = run_import(path)
    load_after = os.getloadavg()[0]
    progress(
        f"imported in {result['seconds']:.1f}s ({stats['rows'] / result['seconds']:,.0f} rows/s)"
    )
    facts = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M"),
        "machine": machine(),
        "stats": stats,
        "file_mb": path.stat().st_size / 1e6,
        "seed_seconds": seed_seconds,
        "copy_seconds": copy_seconds,
        "import": result,
        "counts": database_counts(),
        "notes": NOTES,
        "load": (load_before, load_after),
    }
    (WORK_DIR / "contacts_import.json").write_text(json.dumps(facts, indent=2, default=str))
    section = render(args, facts)
    print(section)
    if not args.no_write:
        write_results_section(SECTION_HEADING, section)
        progress(f"wrote {RESULTS_PATH.relative_to(PROJECT_ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
