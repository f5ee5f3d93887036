"""A CSV import takes custom fields under the same rules as POST /v1/contacts."""

from __future__ import annotations

import httpx

from shared.contacts.schemas import MAX_FIELDS
from tests.contacts.helpers import all_contacts, create, import_csv, upload
from tests.identity_helpers import signup


def test_a_file_with_more_custom_fields_than_the_api_allows_fails_whole(
    api: httpx.Client,
) -> None:
    owner = signup(api, "fieldcap")
    columns = [f"c{i}" for i in range(MAX_FIELDS + 1)]
    content = "phone," + ",".join(columns) + "\n+14155550100," + ",".join("x" * len(columns))
    job = import_csv(api, owner, content.encode())
    assert job["status"] == "failed", job
    assert f"At most {MAX_FIELDS} custom fields" in job["error"]
    assert all_contacts(api, owner) == []
    # The API refuses the same contact for the same reason.
    r = api.post(
        "/v1/contacts",
        json={"phone": "+14155550100", "fields": dict.fromkeys(columns, "x")},
        headers=owner.headers,
    )
    assert r.status_code == 422, r.text


def test_as_many_fields_as_the_api_allows_are_imported(api: httpx.Client) -> None:
    owner = signup(api, "fieldcap")
    columns = [f"c{i}" for i in range(MAX_FIELDS)]
    content = "phone," + ",".join(columns) + "\n+14155550101," + ",".join("y" * len(columns))
    job = import_csv(api, owner, content.encode())
    assert job["status"] == "completed", job
    [contact] = all_contacts(api, owner)
    assert len(contact["fields"]) == MAX_FIELDS
    assert create(api, owner, phone="+14155550102", fields=dict.fromkeys(columns, "y"))


def test_a_value_the_api_refuses_is_a_row_error(api: httpx.Client) -> None:
    owner = signup(api, "fieldcap")
    content = "phone,note\n+14155550103,fine\n+14155550105," + "z" * 1001
    job = import_csv(api, owner, content.encode())
    assert job["status"] == "completed", job
    assert (job["rows_created"], job["rows_failed"]) == (1, 1)
    assert [c["fields"] for c in all_contacts(api, owner)] == [{"note": "fine"}]


def test_a_file_with_nul_bytes_is_refused_whole(api: httpx.Client) -> None:
    owner = signup(api, "fieldcap")
    job = import_csv(api, owner, b"phone,note\n+14155550104,bad\x00value\n")
    assert job["status"] == "failed", job
    assert all_contacts(api, owner) == []


def test_an_option_sent_empty_is_judged_not_ignored(api: httpx.Client) -> None:
    owner = signup(api, "fieldcap")
    for form in ({"on_duplicate": ""}, {"default_region": ""}, {"mapping": ""}, {"mapping": "4"}):
        r = upload(api, owner, b"phone\n+14155550106\n", **form)
        assert r.status_code == 422, (form, r.text)
    assert api.get("/v1/contacts/imports", headers=owner.headers).json()["data"] == []
