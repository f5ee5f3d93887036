"""Helpers shared by the contacts tests."""

from __future__ import annotations

import itertools
import time
from typing import Any

import httpx

from tests.identity_helpers import Account

_numbers = itertools.count(1000)


def phone() -> str:
    """A fresh valid US number (San Francisco exchange 415-555 is fictional; 415-2xx is not)."""
    n = next(_numbers)
    return f"+1415{200 + n // 10000:03d}{n % 10000:04d}"


def create(api: httpx.Client, account: Account, **body: Any) -> dict[str, Any]:
    body.setdefault("phone", phone())
    r = api.post("/v1/contacts", json=body, headers=account.headers)
    assert r.status_code == 201, r.text
    return dict(r.json())


def upload(
    api: httpx.Client,
    account: Account,
    content: bytes,
    filename: str = "contacts.csv",
    **form: Any,
) -> httpx.Response:
    return api.post(
        "/v1/contacts/imports",
        files={"file": (filename, content, "text/csv")},
        data=form,
        headers=account.headers,
    )


def wait_for_import(
    api: httpx.Client, account: Account, import_id: str, timeout: float = 60
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        r = api.get(f"/v1/contacts/imports/{import_id}", headers=account.headers)
        assert r.status_code == 200, r.text
        job = dict(r.json())
        if job["status"] in ("completed", "failed", "cancelled"):
            return job
        assert time.monotonic() < deadline, f"import still {job['status']}: {job}"
        time.sleep(0.05)


def import_csv(api: httpx.Client, account: Account, content: bytes, **form: Any) -> dict[str, Any]:
    r = upload(api, account, content, **form)
    assert r.status_code == 202, r.text
    return wait_for_import(api, account, r.json()["id"])


def all_contacts(api: httpx.Client, account: Account, **params: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {**params, "limit": 200}
        if cursor:
            query["cursor"] = cursor
        r = api.get("/v1/contacts", params=query, headers=account.headers)
        assert r.status_code == 200, r.text
        out += r.json()["data"]
        cursor = r.json()["next_cursor"]
        if not cursor:
            return out
