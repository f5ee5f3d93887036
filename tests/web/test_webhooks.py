"""Settings > Webhooks: an endpoint created in the console receives signed events that a
local receiver verifies with the `standardwebhooks` library; the delivery log shows them
live, a failing receiver's attempt, and its replay."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from tests.identity_helpers import PASSWORD, signup
from tests.web.browser import Console


@dataclass
class Hit:
    headers: dict[str, str]
    body: bytes
    verified: bool


@dataclass
class VerifyingReceiver:
    """Answers 200 to a request whose signature verifies with `secret` (Standard Webhooks),
    400 to one that does not, and 500 while `down`."""

    secret: str | None = None
    down: bool = False
    hits: list[Hit] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                verified = False
                if receiver.secret is not None:
                    try:
                        Webhook(receiver.secret).verify(body, headers)
                        verified = True
                    except WebhookVerificationError:
                        verified = False
                with receiver.lock:
                    receiver.hits.append(Hit(headers, body, verified))
                    down = receiver.down
                status, text = (
                    (500, b"receiver down for maintenance")
                    if down
                    else (200, b"verified")
                    if verified
                    else (400, b"bad signature")
                )
                self.send_response(status)
                self.send_header("content-length", str(len(text)))
                self.end_headers()
                self.wfile.write(text)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def of_type(self, kind: str) -> list[Hit]:
        with self.lock:
            return [h for h in self.hits if json.loads(h.body).get("type") == kind]


@pytest.fixture
def receiver() -> Iterator[VerifyingReceiver]:
    r = VerifyingReceiver()
    yield r
    r.server.shutdown()
    r.server.server_close()


def rows(page: Any) -> Any:
    return page.get_by_role("table", name="Deliveries").locator("tr[data-delivery]")


def test_an_endpoint_receives_verified_test_events_and_a_failure_is_replayed(
    console: Console, api_client: httpx.Client, receiver: VerifyingReceiver
) -> None:
    owner = signup(api_client, "hooks")
    console.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = console.log_in(owner.email, PASSWORD, then="/settings/webhooks")
    expect(page.get_by_role("heading", level=2, name="Webhooks")).to_be_visible()
    expect(page.get_by_text("No endpoints yet")).to_be_visible()
    expect(page.get_by_role("link", name="Webhooks")).to_have_attribute("aria-current", "page")
    console.check_page("webhooks-empty")

    # Create, with the keyboard: the URL field has the focus; Enter submits.
    page.get_by_role("button", name="Add endpoint").focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Add an endpoint")
    expect(dialog).to_be_visible()
    url = dialog.get_by_label("Endpoint URL")
    expect(url).to_be_focused()
    page.keyboard.type("not a url")
    page.keyboard.press("Enter")
    expect(dialog.get_by_text("Enter a full URL")).to_be_visible()
    expect(url).to_have_attribute("aria-invalid", "true")
    # The API's refusal (a private address) lands on the field, and what was typed stays.
    url.fill("http://10.1.2.3/hooks")
    page.keyboard.press("Enter")
    expect(dialog.locator("#endpoint-url-error")).to_contain_text("private")
    expect(url).to_have_value("http://10.1.2.3/hooks")
    console.check_page("webhooks-create-refused", full_page=False)

    url.fill(receiver.url)
    dialog.get_by_label("Description").fill("Order system")
    # Pick event types: all events off, then message.delivered (Space toggles a checkbox).
    dialog.get_by_role("checkbox", name=re.compile("^All events")).press("Space")
    create = dialog.get_by_role("button", name="Create endpoint")
    create.click()
    expect(dialog.get_by_text("Pick at least one event type")).to_be_visible()
    dialog.get_by_role("checkbox", name=re.compile(r"^message\.delivered")).press("Space")
    dialog.get_by_role("checkbox", name=re.compile(r"^campaign\.completed")).click()
    console.check_page("webhooks-create-form", full_page=False)
    create.click()

    # The endpoint's page shows the secret once (copy it), not again after "saved".
    expect(page).to_have_url(re.compile(r"/settings/webhooks/view/?\?id="))
    expect(page.get_by_role("heading", level=2, name=receiver.url)).to_be_visible()
    revealed = page.get_by_role("region", name="Save your signing secret")
    expect(revealed.get_by_text("shown only once")).to_be_visible()
    secret = revealed.get_by_label("Signing secret").input_value()
    assert secret.startswith("whsec_")
    revealed.get_by_role("button", name="Copy").click()
    expect(revealed.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == secret
    console.check_page("webhooks-secret-once")
    receiver.secret = secret
    revealed.get_by_role("button", name="I have saved it").click()
    expect(page.get_by_label("Signing secret")).to_have_count(0)
    expect(page.locator("dd code", has_text="message.delivered")).to_be_visible()
    expect(page.locator("dd code", has_text="campaign.completed")).to_be_visible()
    expect(page.get_by_text("No deliveries yet")).to_be_visible()

    # Send test: the receiver verifies the signature; the log turns it green by itself.
    page.get_by_role("button", name="Send test event").click()
    first = rows(page).first
    expect(first).to_have_attribute("data-status", "succeeded", timeout=20_000)
    expect(first).to_contain_text("ping")
    expect(first).to_contain_text("200")
    expect(first).to_contain_text(" ms")
    pings = receiver.of_type("ping")
    assert len(pings) == 1
    assert pings[0].verified
    first.get_by_role("button", name=re.compile("^Attempts of ping")).click()
    expect(page.get_by_text("verified", exact=True)).to_be_visible()
    console.check_page("webhooks-log-succeeded")

    # A failing receiver: the attempt shows its status, answer and next retry.
    receiver.down = True
    page.get_by_role("button", name="Send test event").click()
    expect(rows(page)).to_have_count(2, timeout=20_000)
    failed = rows(page).first
    expect(failed).to_contain_text("500", timeout=20_000)
    expect(failed).to_have_attribute("data-status", "pending")
    failed.get_by_role("button", name=re.compile("^Attempts of ping")).click()
    expect(page.get_by_text("receiver down for maintenance")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Next retry \w"))).to_be_visible()
    console.check_page("webhooks-log-failed")

    # Replay it once the receiver is back: same webhook-id, new signature, succeeded.
    receiver.down = False
    failed_id = receiver.of_type("ping")[-1].headers["webhook-id"]
    failed.get_by_role("button", name=re.compile("^Replay")).click()
    expect(failed).to_have_attribute("data-status", "succeeded", timeout=20_000)
    replayed = [h for h in receiver.of_type("ping") if h.headers["webhook-id"] == failed_id]
    assert len(replayed) >= 2
    assert replayed[-1].verified

    # Filters live in the URL.
    page.get_by_label("Status").select_option("failed")
    expect(page).to_have_url(re.compile(r"status=failed"))
    expect(page.get_by_text("No delivery matches")).to_be_visible()
    page.get_by_label("Status").select_option("succeeded")
    page.get_by_label("Event type").select_option("ping")
    expect(page).to_have_url(re.compile(r"event=ping"))
    expect(rows(page)).to_have_count(2, timeout=20_000)  # a refetch under load
    page.reload()
    expect(page.get_by_label("Status")).to_have_value("succeeded")
    expect(rows(page)).to_have_count(2, timeout=20_000)

    # Disable and enable; rotate the secret (shown once); then delete with confirmation.
    switch = page.get_by_role("switch", name=re.compile("^Enabled"))
    switch.click()
    expect(page.get_by_text("Disabled", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Send test event")).to_be_disabled()
    switch.click()
    expect(page.get_by_text("Enabled", exact=True)).to_be_visible()

    page.get_by_role("button", name="Rotate secret").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Rotate secret").click()
    rotated = page.get_by_role("region", name="Save your new signing secret")
    expect(rotated).to_contain_text("The previous secret also signs until")
    new_secret = rotated.get_by_label("Signing secret").input_value()
    assert new_secret.startswith("whsec_")
    assert new_secret != secret
    console.check_page("webhooks-rotated")
    rotated.get_by_role("button", name="I have saved it").click()
    expect(page.get_by_text("Previous secret")).to_be_visible()

    page.get_by_role("button", name="Delete").click()
    confirm = page.get_by_role("alertdialog")
    expect(confirm.get_by_role("button", name="Cancel")).to_be_focused()
    confirm.get_by_role("button", name="Delete endpoint").click()
    expect(page).to_have_url(re.compile(r"/settings/webhooks/?$"))
    expect(page.get_by_text("No endpoints yet")).to_be_visible()


def test_the_endpoint_list_at_phone_width(console: Console, api_client: httpx.Client) -> None:
    owner = signup(api_client, "hookphone")
    for n in range(2):
        r = api_client.post(
            "/v1/webhook-endpoints",
            json={
                "url": f"http://127.0.0.1:9/hooks/{n}/a-rather-long-path/for/the-phone-width",
                "description": "Warehouse notifications" if n else None,
                "event_types": ["*"] if n else ["message.sent", "message.failed"],
            },
            headers=owner.headers,
        )
        assert r.status_code == 201, r.text
    console.page.set_viewport_size({"width": 390, "height": 844})
    page = console.log_in(owner.email, PASSWORD, then="/settings/webhooks")
    expect(page.get_by_role("link", name=re.compile("a-rather-long-path"))).to_have_count(2)
    # On a phone the events go under the URL (the Events column is hidden).
    expect(page.get_by_role("columnheader", name="Events")).to_be_hidden()
    rows = page.locator("tbody tr")
    expect(
        rows.filter(has_text="/hooks/0/").locator("span", has_text="2 event types")
    ).to_be_visible()
    expect(rows.filter(has_text="/hooks/1/").locator("span", has_text="All events")).to_be_visible()
    console.check_page("webhooks-list-phone")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways ({width}px)"
