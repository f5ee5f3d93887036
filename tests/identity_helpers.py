"""Helpers for tests that need signed-in users and workspaces over HTTP."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx

PASSWORD = "correct-horse-battery-9"


@dataclass
class Account:
    email: str
    password: str
    user_id: str
    workspace_id: str
    access_token: str
    refresh_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


def signup(api: httpx.Client, prefix: str = "user", **overrides: Any) -> Account:
    email = overrides.pop("email", f"{prefix}-{uuid.uuid4().hex[:10]}@example.com")
    body = {
        "email": email,
        "password": PASSWORD,
        "name": prefix.title(),
        "workspace_name": f"{prefix} workspace",
        **overrides,
    }
    r = api.post("/v1/auth/signup", json=body)
    assert r.status_code == 202, r.text
    r = api.post("/v1/auth/login", json={"email": email, "password": body["password"]})
    assert r.status_code == 200, r.text
    data = r.json()
    return Account(
        email=email,
        password=body["password"],
        user_id=data["user"]["id"],
        workspace_id=data["workspace"]["id"],
        access_token=data["access_token"],
        refresh_token=data["refresh_token"],
    )


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
