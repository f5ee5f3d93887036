"""Smart encoding end to end: the workspace default, the campaign override, the preview, and
what the fake Twilio receives and counts (its own GSM-7 / UCS-2 count, `num_segments`)."""

from __future__ import annotations

from typing import Any

import httpx

from tests.campaigns.helpers import (
    Setup,
    add_contacts,
    create_campaign,
    sends_by_recipient,
    wait_status,
    workspace_with_pool,
)
from tests.fakes.twilio import FakeTwilio, num_segments
from tests.messaging.helpers import connect_twilio, new_phone, wait_until

# Smart quotes, an em dash and an ellipsis: UCS-2 as written (2 segments), GSM-7 once
# smart-encoded (1 segment).
BODY = (
    "Hi {{first_name|there}}, it\N{RIGHT SINGLE QUOTATION MARK}s our "
    "\N{LEFT DOUBLE QUOTATION MARK}spring sale\N{RIGHT DOUBLE QUOTATION MARK} "
    "\N{EM DASH} 20% off everything in store today and tomorrow\N{HORIZONTAL ELLIPSIS} "
    "Reply STOP to opt out."
)


def as_written(name: str) -> str:
    return BODY.replace("{{first_name|there}}", name)


def as_gsm(name: str) -> str:
    return (
        f'Hi {name}, it\'s our "spring sale" - 20% off everything in store today and '
        "tomorrow... Reply STOP to opt out."
    )


def preview(api: httpx.Client, setup: Setup, campaign_id: str, contact_id: str) -> dict[str, Any]:
    r = api.post(
        f"/v1/campaigns/{campaign_id}/preview",
        json={"contact_ids": [contact_id]},
        headers=setup.headers,
    )
    assert r.status_code == 200, r.text
    return dict(r.json())


def received(fake: FakeTwilio, phone: str) -> list[tuple[str, str]]:
    """(body, num_segments) of what the fake accepted for `phone`, in order."""
    sent = sorted(fake.sent_to(phone), key=lambda m: float(m["_created"]))
    return [(m["body"], m["num_segments"]) for m in sent]


def settings(api: httpx.Client, headers: dict[str, str], **patch: Any) -> httpx.Response:
    if patch:
        return api.patch("/v1/workspace/settings", json=patch, headers=headers)
    return api.get("/v1/workspace/settings", headers=headers)


def test_a_smart_encoded_campaign_sends_gsm7_text(
    api: httpx.Client, fake_twilio: FakeTwilio
) -> None:
    assert (num_segments(as_written("Ann0")), num_segments(as_gsm("Ann0"))) == (2, 1)
    setup = workspace_with_pool(api, fake_twilio, dids=1)
    contacts = add_contacts(api, setup, 3, ["vip"])  # Ann0, (no name), Ann2
    campaign = create_campaign(api, setup, body=BODY, smart_encoding=True)
    assert campaign["smart_encoding"] is True

    shown = preview(api, setup, campaign["id"], contacts[0]["id"])
    assert shown["smart_encoding"] is True
    [sample] = shown["samples"]
    assert sample["text"] == as_gsm("Ann0")
    assert sample["rendered"] == as_written("Ann0")
    assert (sample["encoding"], sample["segments"], sample["unicode_chars"]) == ("GSM-7", 1, [])
    assert shown["estimated_segments"] == 3  # 1 segment each for 3 contacts
    # 3 segments at the first paid plan's 1.5 cents (the free plan has no overage price)
    assert shown["estimated_cost_minor"] == 5

    r = api.post(f"/v1/campaigns/{campaign['id']}/launch", headers=setup.headers)
    assert r.status_code == 200, r.text
    wait_status(api, setup, campaign["id"], "completed")
    names = {c["phone"]: c.get("first_name") or "there" for c in contacts}
    sent = sends_by_recipient(fake_twilio, set(names))
    assert {phone: [r.params["Body"][-1] for r in v] for phone, v in sent.items()} == {
        phone: [as_gsm(name)] for phone, name in names.items()
    }
    for records in sent.values():
        assert records[0].params["NumSegments"] == ["1"]

    messages = api.get(f"/v1/campaigns/{campaign['id']}/messages", headers=setup.headers).json()
    assert sorted((m["body"], m["encoding"], m["segments"]) for m in messages["data"]) == sorted(
        (as_gsm(name), "GSM-7", 1) for name in names.values()
    )
    wait_until(
        lambda: (
            api.get(f"/v1/campaigns/{campaign['id']}/stats", headers=setup.headers).json()[
                "delivered"
            ]
            == 3
        )
    )
    stats = api.get(f"/v1/campaigns/{campaign['id']}/stats", headers=setup.headers).json()
    assert stats["segments"] == 3  # not the 6 the text as written would cost


def test_the_workspace_default_applies_unless_the_campaign_sets_its_own(
    api: httpx.Client, fake_twilio: FakeTwilio
) -> None:
    setup = workspace_with_pool(api, fake_twilio, dids=1)
    [contact] = add_contacts(api, setup, 1, ["vip"])  # Ann0
    assert settings(api, setup.headers).json()["smart_encoding"] is False

    # Members read the settings; changing them takes an admin.
    key = api.post("/v1/api-keys", json={"name": "m", "role": "member"}, headers=setup.headers)
    member = {"Authorization": f"Bearer {key.json()['secret']}"}
    assert settings(api, member).json()["smart_encoding"] is False
    r = settings(api, member, smart_encoding=True)
    assert r.status_code == 403, r.text
    r = settings(api, setup.headers, smart_encoding="yes")
    assert r.status_code == 422, r.text
    r = settings(api, setup.headers, smart_encoding=True)
    assert (r.status_code, r.json()["smart_encoding"]) == (200, True)
    assert settings(api, member).json()["smart_encoding"] is True

    follows = create_campaign(api, setup, body=BODY)
    assert follows["smart_encoding"] is None
    opts_out = create_campaign(api, setup, body=BODY, smart_encoding=False)
    assert opts_out["smart_encoding"] is False
    # The override can be changed (and cleared back to the default) while a draft.
    r = api.patch(
        f"/v1/campaigns/{opts_out['id']}", json={"smart_encoding": None}, headers=setup.headers
    )
    assert r.json()["smart_encoding"] is None
    r = api.patch(
        f"/v1/campaigns/{opts_out['id']}", json={"smart_encoding": False}, headers=setup.headers
    )
    assert r.json()["smart_encoding"] is False

    shown = preview(api, setup, follows["id"], contact["id"])
    assert (shown["smart_encoding"], shown["samples"][0]["text"]) == (True, as_gsm("Ann0"))
    shown = preview(api, setup, opts_out["id"], contact["id"])
    [sample] = shown["samples"]
    assert (shown["smart_encoding"], sample["text"], sample["rendered"]) == (
        False,
        as_written("Ann0"),
        None,
    )
    assert (sample["encoding"], sample["segments"]) == ("UCS-2", 2)

    for campaign in (follows, opts_out):
        r = api.post(f"/v1/campaigns/{campaign['id']}/launch", headers=setup.headers)
        assert r.status_code == 200, r.text
        wait_status(api, setup, campaign["id"], "completed")
    assert sorted(received(fake_twilio, contact["phone"])) == sorted(
        [(as_gsm("Ann0"), "1"), (as_written("Ann0"), "2")]
    )


def test_single_sends_and_replies_follow_the_workspace_default(
    api: httpx.Client, fake_twilio: FakeTwilio
) -> None:
    ws = connect_twilio(api, fake_twilio, "smart")
    phone = new_phone()
    text = "It\N{RIGHT SINGLE QUOTATION MARK}s \N{LEFT DOUBLE QUOTATION MARK}done\N{RIGHT DOUBLE QUOTATION MARK} \N{EM DASH} thanks\N{HORIZONTAL ELLIPSIS}"  # noqa: E501
    gsm = 'It\'s "done" - thanks...'
    emoji = "It\N{RIGHT SINGLE QUOTATION MARK}s done \N{GRINNING FACE}"

    def send(body: str) -> dict[str, Any]:
        r = api.post("/v1/messages", json={"to": phone, "body": body}, headers=ws.headers)
        assert r.status_code == 201, r.text
        return dict(r.json())

    off = send(text)
    assert (off["body"], off["encoding"]) == (text, "UCS-2")
    assert settings(api, ws.headers, smart_encoding=True).status_code == 200
    on = send(text)
    assert (on["body"], on["encoding"], on["segments"]) == (gsm, "GSM-7", 1)
    kept = send(emoji)  # an emoji has no GSM-7 look-alike: sent as written
    assert (kept["body"], kept["encoding"]) == (emoji, "UCS-2")
    reply = api.post(
        f"/v1/conversations/{on['conversation_id']}/messages",
        json={"body": text},
        headers=ws.headers,
    )
    assert reply.status_code == 201, reply.text
    assert reply.json()["body"] == gsm
    wait_until(lambda: len(received(fake_twilio, phone)) == 4)
    assert received(fake_twilio, phone) == [(text, "1"), (gsm, "1"), (emoji, "1"), (gsm, "1")]


def test_a_lone_surrogate_is_refused_and_nothing_is_sent(
    api: httpx.Client, fake_twilio: FakeTwilio
) -> None:
    ws = connect_twilio(api, fake_twilio, "surrogate")
    phone = new_phone()
    r = api.post(
        "/v1/messages",
        content=f'{{"to": "{phone}", "body": "Hi \\ud83d there"}}',
        headers={**ws.headers, "Content-Type": "application/json"},
    )
    assert r.status_code == 422, r.text
    assert r.headers["Content-Type"] == "application/problem+json"
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [("body.body", "invalid_text")]
    assert received(fake_twilio, phone) == []
    listed = api.get("/v1/messages", headers=ws.headers).json()["data"]
    assert all(m["to_number"] != phone for m in listed)
