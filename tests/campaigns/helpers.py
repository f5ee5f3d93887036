"""Campaign test setup: a Twilio-connected workspace with a pool, contacts, a campaign."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.fakes.twilio import FakeTwilio, Recorded
from tests.messaging.helpers import TwilioWorkspace, connect_twilio, new_phone, wait_until


@dataclass
class Setup:
    ws: TwilioWorkspace
    pool_id: str
    numbers: list[dict[str, Any]]
    contacts: list[dict[str, Any]] = field(default_factory=list)

    @property
    def headers(self) -> dict[str, str]:
        return self.ws.headers


def workspace_with_pool(
    api: httpx.Client, fake: FakeTwilio, dids: int = 2, mps: float = 50.0
) -> Setup:
    ws = connect_twilio(api, fake, "camp")
    numbers = [ws.number]
    area = ws.number["phone_number"][2:5]
    available = api.get(
        f"/v1/numbers/available?area_code={area}&limit=50", headers=ws.headers
    ).json()["data"]
    for candidate in available:
        if len(numbers) == dids:
            break
        r = api.post(
            "/v1/numbers/purchase",
            json={"phone_number": candidate["phone_number"]},
            headers=ws.headers,
        )
        if r.status_code == 409:  # another test's workspace drew the same area code
            continue
        assert r.status_code == 201, r.text
        numbers.append(r.json())
    assert len(numbers) == dids
    for number in numbers:
        assert (
            api.patch(
                f"/v1/numbers/{number['id']}", json={"mps": mps}, headers=ws.headers
            ).status_code
            == 200
        )
    pool = api.post("/v1/number-pools", json={"name": "Main"}, headers=ws.headers).json()
    r = api.put(
        f"/v1/number-pools/{pool['id']}/numbers",
        json={"number_ids": [n["id"] for n in numbers]},
        headers=ws.headers,
    )
    assert r.status_code == 200, r.text
    return Setup(ws, pool["id"], numbers)


def add_contacts(
    api: httpx.Client, setup: Setup, count: int, tags: list[str], **extra: Any
) -> list[dict[str, Any]]:
    made = []
    for i in range(count):
        body = {
            "phone": new_phone(),
            "first_name": f"Ann{i}" if i % 2 == 0 else None,
            "tags": tags,
            **extra,
        }
        r = api.post(
            "/v1/contacts",
            json={k: v for k, v in body.items() if v is not None},
            headers=setup.headers,
        )
        assert r.status_code == 201, r.text
        made.append(r.json())
    setup.contacts += made
    return made


def create_campaign(api: httpx.Client, setup: Setup, **overrides: Any) -> dict[str, Any]:
    body = {
        "name": "Spring sale",
        "body": "Hi {{first_name|there}}, 20% off at {{workspace.name}} this week.",
        "audience": {"tags": ["vip"]},
        "pool_id": setup.pool_id,
        "quiet_hours": None,
        **overrides,
    }
    r = api.post("/v1/campaigns", json=body, headers=setup.headers)
    assert r.status_code == 201, r.text
    return dict(r.json())


def wait_status(
    api: httpx.Client, setup: Setup, campaign_id: str, status: str, timeout: float = 30
) -> dict[str, Any]:
    def check() -> dict[str, Any] | None:
        got = api.get(f"/v1/campaigns/{campaign_id}", headers=setup.headers).json()
        return got if got["status"] == status else None

    return dict(wait_until(check, timeout=timeout))


def sends_by_recipient(fake: FakeTwilio, phones: set[str]) -> dict[str, list[Recorded]]:
    out: dict[str, list[Recorded]] = defaultdict(list)
    for r in fake.accepted():
        to = r.params.get("To", [""])[-1]
        if to in phones:
            out[to].append(r)
    return out


def max_per_window(records: list[Recorded], window: float = 1.0) -> int:
    """The most sends from one DID inside any window of `window` seconds."""
    times = sorted(r.at for r in records)
    best, start = 0, 0
    for end in range(len(times)):
        while times[end] - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best
