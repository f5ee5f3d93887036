"""CSV imports over the gateway: detection, validation, duplicates, bad files, resume."""

from __future__ import annotations

import csv
import io
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from shared.contacts import imports
from shared.contacts.models import Contact, ImportJob
from shared.contacts.schemas import ImportOptions
from shared.db.session import tenant_session
from tests.contacts.helpers import all_contacts, create, import_csv, upload, wait_for_import
from tests.identity_helpers import Account, signup

ROOT = Path(__file__).resolve().parents[2]


def _csv(rows: list[list[Any]], delimiter: str = ",", newline: str = "\n") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator=newline).writerows(rows)
    return out.getvalue()


def _by_phone(api: httpx.Client, owner: Account) -> dict[str, dict[str, Any]]:
    return {c["phone"]: c for c in all_contacts(api, owner)}


def _errors(api: httpx.Client, owner: Account, job: dict[str, Any]) -> list[list[str]]:
    r = api.get(job["errors_url"], headers=owner.headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(r.text)))


def test_import_detects_columns_normalizes_and_reports_row_errors(api: httpx.Client) -> None:
    owner = signup(api, "imports")
    content = _csv(
        [
            ["Phone Number", "First Name", "Last Name", "E-mail", "Tags", "Company", "Plan"],
            ["(415) 555-2671", "Ada", "Lovelace", "ADA@example.com", "vip; Early", "Acme", "gold"],
            ["+1 212 555 0100", "Alan", "Turing", "", "", "Bletchley", ""],
            ["12345", "Bad", "Phone", "", "", "", ""],
            ["646-555-0101", "Grace", "Hopper", "not-an-email", "", "", ""],
            ["303 555 0142", "Katherine", "Johnson", "kj@nasa.gov", "vip", "NASA", "silver"],
        ]
    ).encode()
    job = import_csv(api, owner, content, tags="imported")
    assert job["status"] == "completed", job
    assert job["encoding"] == "utf-8"
    assert job["mapping"] == {
        "Phone Number": "phone",
        "First Name": "first_name",
        "Last Name": "last_name",
        "E-mail": "email",
        "Tags": "tags",
        "Company": "fields.company",
        "Plan": "fields.plan",
    }
    counts = {k: job[k] for k in ("rows_read", "rows_created", "rows_updated", "rows_skipped")}
    assert counts == {"rows_read": 5, "rows_created": 3, "rows_updated": 0, "rows_skipped": 0}
    assert job["rows_failed"] == 2
    assert job["bytes_done"] == job["bytes_total"] == len(content)

    contacts = _by_phone(api, owner)
    ada = contacts["+14155552671"]
    assert (ada["first_name"], ada["email"], ada["timezone"]) == (
        "Ada",
        "ada@example.com",
        "America/Los_Angeles",
    )
    assert ada["fields"] == {"company": "Acme", "plan": "gold"}
    assert ada["tags"] == ["early", "imported", "vip"]
    assert contacts["+12125550100"]["fields"] == {"company": "Bletchley"}
    assert contacts["+13035550142"]["timezone"] == "America/Denver"

    errors = _errors(api, owner, job)
    assert errors[0] == ["row", "column", "reason"]
    assert [e[:2] for e in errors[1:]] == [["4", "Phone Number"], ["5", "E-mail"]]
    assert "phone number" in errors[1][2].lower()

    listed = api.get("/v1/contacts/imports", headers=owner.headers).json()["data"]
    assert [j["id"] for j in listed] == [job["id"]]


def test_bom_utf8_semicolons_crlf_and_quoted_newlines(api: httpx.Client) -> None:
    owner = signup(api, "imports")
    text = _csv(
        [
            ["mobile", "name", "notes"],
            ["4155552671", "Zoë Ångström", 'says "hi";\nthen leaves'],
            ["2125550100", "José", ""],
        ],
        delimiter=";",
        newline="\r\n",
    )
    job = import_csv(api, owner, b"\xef\xbb\xbf" + text.encode())
    assert job["status"] == "completed", job
    assert job["rows_created"] == 2
    contacts = _by_phone(api, owner)
    zoe = contacts["+14155552671"]
    assert (zoe["first_name"], zoe["last_name"]) == ("Zoë", "Ångström")
    assert zoe["fields"] == {"notes": 'says "hi";\nthen leaves'}
    assert contacts["+12125550100"]["first_name"] == "José"


def test_latin1_is_detected(api: httpx.Client) -> None:
    owner = signup(api, "imports")
    content = _csv([["phone", "first_name", "city"], ["4155552671", "José", "Montréal"]])
    job = import_csv(api, owner, content.encode("latin-1"))
    assert job["status"] == "completed", job
    assert job["encoding"] in ("cp1252", "latin-1")
    [contact] = all_contacts(api, owner)
    assert contact["first_name"] == "José"
    assert contact["fields"] == {"city": "Montréal"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"\r\n\r\n  \n", "empty"),
        (b"first_name,last_name\nAda,Lovelace\n", "No phone column"),
        ("\ufeffphone,x".encode("utf-16"), "UTF-16"),
        (bytes(range(256)) * 64, "not a CSV text file"),
    ],
    ids=["empty", "blank", "no-phone-column", "utf16", "binary"],
)
def test_bad_files_fail_the_job_clearly_and_write_nothing(
    api: httpx.Client, content: bytes, message: str
) -> None:
    owner = signup(api, "imports")
    job = import_csv(api, owner, content)
    assert job["status"] == "failed"
    assert message in job["error"]
    assert job["rows_read"] == 0
    assert all_contacts(api, owner) == []


def test_fifty_megabytes_of_garbage(api: httpx.Client) -> None:
    owner = signup(api, "imports")
    garbage = os.urandom(50 * 1024 * 1024)
    job = import_csv(api, owner, garbage, filename="garbage.csv")
    assert job["status"] == "failed"
    assert "not a CSV text file" in job["error"]
    assert all_contacts(api, owner) == []


def test_header_only_completes_with_nothing(api: httpx.Client) -> None:
    owner = signup(api, "imports")
    job = import_csv(api, owner, b"phone,first_name\r\n")
    assert job["status"] == "completed"
    assert job["rows_read"] == 0


def test_ragged_rows_are_row_errors(api: httpx.Client) -> None:
    owner = signup(api, "imports")
    content = (
        b"phone,first_name,last_name\n"
        b"4155552671,Ada,Lovelace\n"
        b"2125550100,Alan\n"
        b"6465550101,Grace,Hopper,extra\n"
        b"\n"
        b"7185550123,Dorothy,Vaughan\n"
    )
    job = import_csv(api, owner, content)
    assert job["status"] == "completed", job
    assert (job["rows_read"], job["rows_created"], job["rows_failed"]) == (5, 2, 2)
    assert job["rows_skipped"] == 1  # the blank line
    reasons = {row: reason for row, _, reason in _errors(api, owner, job)[1:]}
    assert reasons == {"3": "Expected 3 columns, found 2.", "4": "Expected 3 columns, found 4."}


def test_bytes_that_are_not_utf8_after_a_utf8_start_are_row_errors(api: httpx.Client) -> None:
    owner = signup(api, "imports")
    good = "".join(f"+1212555{i:04d},Zoë\n" for i in range(4000)).encode()
    assert len(good) > imports.SAMPLE_BYTES
    content = b"phone,first_name\n" + good + b"3035550142,Kath\xff\xfeerine\n\x00\x00,x\n"
    job = import_csv(api, owner, content)
    assert job["status"] == "completed", job
    assert job["encoding"] == "utf-8"
    assert (job["rows_created"], job["rows_failed"]) == (4000, 2)
    reasons = [reason for _, _, reason in _errors(api, owner, job)[1:]]
    assert "not valid UTF-8" in reasons[0]
    assert "binary data" in reasons[1]


def test_duplicates_in_the_file_and_against_the_workspace(
    api: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = signup(api, "imports")
    existing = create(api, owner, phone="+14155552671", first_name="Old", fields={"keep": 1})
    rows = [["phone", "first_name", "plan"]]
    rows.append(["415-555-2671", "New", "gold"])  # exists in the workspace
    rows += [[f"212555{i:04d}", f"P{i}", ""] for i in range(100, 140)]
    rows.append(["+1 212 555 0100", "Dup", "dup"])  # the same number again, another format
    rows.append(["(212) 555-0139", "Dup", "dup"])  # again, far from the first
    content = _csv(rows).encode()
    # Small blocks: the duplicates land in other blocks than their first occurrence.
    monkeypatch.setattr(imports, "DEFAULT_BLOCK_BYTES", 200)

    job = import_csv(api, owner, content)  # on_duplicate=update (the default)
    assert job["status"] == "completed", job
    assert job["chunks_done"] > 3
    assert (job["rows_read"], job["rows_created"], job["rows_updated"], job["rows_skipped"]) == (
        43,
        40,
        1,
        2,
    )
    contacts = _by_phone(api, owner)
    assert len(contacts) == 41
    updated = contacts["+14155552671"]
    assert updated["id"] == existing["id"]
    assert updated["first_name"] == "New"
    assert updated["fields"] == {"keep": 1, "plan": "gold"}
    assert contacts["+12125550100"]["first_name"] == "P100"  # the first occurrence wins

    # skip: existing numbers are left alone.
    second = _csv([["phone", "first_name"], ["4155552671", "Newer"], ["7185550123", "Fresh"]])
    job = import_csv(api, owner, second.encode(), on_duplicate="skip")
    assert (job["rows_created"], job["rows_updated"], job["rows_skipped"]) == (1, 0, 1)
    assert _by_phone(api, owner)["+14155552671"]["first_name"] == "New"


def test_mapping_region_and_revival(api: httpx.Client) -> None:
    owner = signup(api, "imports")
    gone = create(api, owner, phone="+442079460958", first_name="Gone")
    api.post(f"/v1/contacts/{gone['id']}/opt-out", headers=owner.headers)
    api.delete(f"/v1/contacts/{gone['id']}", headers=owner.headers)
    content = _csv(
        [
            ["Mobile #", "Nick", "Org", "Zone"],
            ["020 7946 0958", "Back", "BBC", ""],
            ["07911 123456", "Mo", "", "Europe/Dublin"],
            ["07911 123457", "Tz", "", "Nowhere/Special"],
        ]
    )
    mapping = '{"Mobile #": "phone", "Nick": "first_name", "Org": "fields.org", "Zone": "timezone"}'
    job = import_csv(
        api, owner, content.encode(), default_region="GB", mapping=mapping, on_duplicate="skip"
    )
    assert job["status"] == "completed", job
    assert (job["rows_created"], job["rows_updated"], job["rows_failed"]) == (1, 1, 1)
    contacts = _by_phone(api, owner)
    revived = contacts["+442079460958"]
    assert revived["id"] == gone["id"]
    assert revived["opted_out"] is True  # erasure and revival keep the opt-out
    assert (revived["first_name"], revived["fields"]) == ("Back", {"org": "BBC"})
    assert contacts["+447911123456"]["timezone"] == "Europe/Dublin"

    job = import_csv(api, owner, content.encode(), mapping='{"Nope": "phone"}')
    assert job["status"] == "failed"
    assert "Nope" in job["error"]


def test_bad_requests(api: httpx.Client, monkeypatch: pytest.MonkeyPatch) -> None:
    owner = signup(api, "imports")
    r = upload(api, owner, b"phone\n1\n", on_duplicate="sometimes")
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "body.on_duplicate"
    r = upload(api, owner, b"phone\n1\n", mapping='{"phone": "shoe_size"}')
    assert r.status_code == 422
    r = upload(api, owner, b"phone\n1\n", default_region="XX")
    assert r.status_code == 422
    r = api.post(
        "/v1/contacts/imports",
        data={"tags": "x"},
        files={"other": ("a", b"x")},
        headers=owner.headers,
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "body.file"
    r = api.post(
        "/v1/contacts/imports",
        json={"source_uri": "gs://bucket/contacts.csv"},
        headers=owner.headers,
    )
    assert r.status_code == 422
    assert "gs://" in r.json()["detail"]
    r = api.post(
        "/v1/contacts/imports",
        content=b"phone\n",
        headers={**owner.headers, "Content-Type": "text/csv"},
    )
    assert r.status_code == 415
    monkeypatch.setattr(imports, "MAX_UPLOAD_BYTES", 100_000)
    r = upload(api, owner, b"phone\n" + b"4155552671\n" * 20_000)
    assert r.status_code == 413
    assert api.get(f"/v1/contacts/imports/{uuid.uuid4()}", headers=owner.headers).status_code == 404
    r = api.get(f"/v1/contacts/imports/{uuid.uuid4()}/errors.csv", headers=owner.headers)
    assert r.status_code == 404


def test_uploaded_files_are_removed_when_the_job_ends(api: httpx.Client) -> None:
    owner = signup(api, "imports")
    job = import_csv(api, owner, b"phone\n4155552671\n")
    folder = imports.imports_dir() / owner.workspace_id
    assert not (folder / f"{job['id']}.csv").exists()


RESUME_SCRIPT = """
import sys, time, uuid
from shared.contacts import imports

def hook(job):
    print(f"CHUNK {job.chunks_done}", flush=True)
    time.sleep(120)

imports.run_job(uuid.UUID(sys.argv[1]), uuid.UUID(sys.argv[2]), block_bytes=2000, on_progress=hook)
"""


def test_a_killed_import_resumes_from_its_last_chunk(api: httpx.Client, tmp_path: Path) -> None:
    owner = signup(api, "imports")
    tenant = uuid.UUID(owner.workspace_id)
    rows = [["phone", "first_name"]]
    for i in range(600):
        rows.append([f"+1212555{i:04d}", f"R{i}"])
        if i % 20 == 0:
            rows.append([f"212-555-{max(i - 7, 0):04d}", "dup"])  # 5% duplicates
    path = tmp_path / "contacts.csv"
    path.write_text(_csv(rows))
    job = imports.create_job(tenant, str(path), ImportOptions(), enqueue=False)

    child = subprocess.Popen(
        [sys.executable, "-c", RESUME_SCRIPT, str(tenant), str(job.id)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line.strip() == "CHUNK 1", line
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)

    with tenant_session(tenant) as s:
        partial = s.get_one(ImportJob, job.id)
        assert partial.status == "running"
        assert partial.chunks_done == 1
        written = s.scalar(select(func.count()).select_from(Contact))
        assert written == partial.rows_created > 0
        assert partial.rows_read < 630

    assert imports.run_job(tenant, job.id, block_bytes=2000) == "completed"
    done = wait_for_import(api, owner, str(job.id))
    assert done["rows_read"] == 630
    assert (done["rows_created"], done["rows_skipped"], done["rows_failed"]) == (600, 30, 0)
    with tenant_session(tenant) as s:
        count = s.scalar(select(func.count()).select_from(Contact))
        distinct = s.scalar(select(func.count(func.distinct(Contact.phone))))
    assert count == distinct == 600
    # A late duplicate delivery of the finished job changes nothing.
    assert imports.run_job(tenant, job.id) == "completed"
    assert path.exists()  # a file the import did not upload itself is left alone
