"""Settings > Billing against the fake Stripe (tests/fakes/stripe.py): an owner upgrades
through Checkout and comes back to an active plan with its usage, switches plans in the
portal, and sees the past-due banner after a failed renewal.

This module runs a platform of its own with Stripe on (STRIPE_API_KEY and the SDK's
api_base pointed at the fake), beside the suite's default platform, which stays without
Stripe (billing off, as `make dev` without keys).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.billing.helpers import add_usage, tenant
from tests.fakes.smtp import Mailbox
from tests.fakes.stripe import FakeStripe
from tests.identity_helpers import PASSWORD, signup
from tests.web.browser import Console
from tests.web.conftest import run_platform


@dataclass
class StripePlatform:
    base: str
    fake: FakeStripe


@pytest.fixture(scope="module")
def stripe_platform(
    platform_env: dict[str, str], mailbox: Mailbox, console_bundle: Path
) -> Iterator[StripePlatform]:
    fake = FakeStripe().start()
    stripe_env = {
        "STRIPE_API_KEY": fake.api_key,
        "STRIPE_API_BASE": fake.base_url,
        "STRIPE_WEBHOOK_SECRET": fake.webhook_secret,
    }
    # The catalogue at the fake, as an operator does it: `smsctl billing sync`.
    synced = subprocess.run(
        [sys.executable, "-m", "shared.cli", "billing", "sync"],
        env={**os.environ, **stripe_env, "DATABASE_URL": platform_env["database_url"]},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert synced.returncode == 0, synced.stdout + synced.stderr
    try:
        with run_platform(platform_env, mailbox, stripe_env, "platform-stripe.log") as base:
            fake.webhook_url = f"{base}/webhooks/stripe"
            yield StripePlatform(base, fake)
    finally:
        fake.stop()


@pytest.fixture
def stripe_console(
    browser: Any, stripe_platform: StripePlatform, request: pytest.FixtureRequest
) -> Iterator[Console]:
    session = Console.open(browser, stripe_platform.base, request.node.name)
    yield session
    session.close()
    session.assert_clean()


@pytest.fixture
def stripe_api(stripe_platform: StripePlatform) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stripe_platform.base, timeout=30) as client:
        yield client


def plan_card(page: Any, name: str) -> Any:
    return page.get_by_role("list", name="Plans").locator(f"li[data-plan={name}]")


def test_an_owner_upgrades_through_checkout_and_sees_the_plan_usage_and_past_due(
    stripe_console: Console, stripe_api: httpx.Client, stripe_platform: StripePlatform
) -> None:
    fake = stripe_platform.fake
    owner = signup(stripe_api, "billing")
    page = stripe_console.log_in(owner.email, PASSWORD, then="/settings/billing")
    expect(page.get_by_role("heading", level=2, name="Billing")).to_be_visible()
    expect(plan_card(page, "free")).to_have_attribute("aria-current", "true")
    expect(plan_card(page, "free")).to_contain_text("Current plan")
    expect(page.get_by_text("Nothing to pay")).to_be_visible()
    expect(page.get_by_text("No invoices yet")).to_be_visible()
    stripe_console.check_page("billing-free")

    # Upgrade: off to (the fake) Stripe Checkout, pay, and back to this page.
    page.get_by_role("button", name="Upgrade to Starter").click()
    page.wait_for_url(re.compile(re.escape(fake.base_url) + r"/c/pay/cs_test_"))
    expect(page.get_by_text("Subscribe starter")).to_be_visible()
    page.locator("#pay").click()
    page.wait_for_url(re.compile(r"/settings/billing/?\?checkout=success&session_id=cs_test_"))
    expect(page.get_by_text("the Starter plan is active")).to_be_visible(timeout=20_000)
    expect(plan_card(page, "starter")).to_have_attribute("aria-current", "true")
    expect(page.get_by_test_id("subscription-status")).to_have_text("Active")
    upcoming = page.get_by_test_id("upcoming-invoice")
    expect(upcoming).to_contain_text("$49.00")
    invoices = page.get_by_role("table", name="Invoices")
    expect(invoices.locator("tr[data-invoice]")).to_have_count(1)
    expect(invoices).to_contain_text("Paid")
    expect(invoices.get_by_role("link", name=re.compile("^View invoice"))).to_be_visible()
    stripe_console.check_page("billing-after-checkout")

    # Usage of the period against what Starter includes (5,000 segments).
    add_usage(owner.workspace_id, "sms_outbound_segments", [900, 300])
    add_usage(owner.workspace_id, "mms_outbound_messages", [1])
    page.get_by_role("button", name="Dismiss").click()
    expect(page).to_have_url(re.compile(r"/settings/billing/?$"))
    page.reload()
    segments = page.locator("[data-meter=usage-sms_segments]")
    expect(segments).to_contain_text("1,203 of 5,000 segments (24.1%)")
    expect(segments.get_by_role("progressbar")).to_have_attribute("aria-valuetext", "24%")

    # Manage: the portal, a plan switch there, and back.
    page.get_by_role("button", name="Manage billing").click()
    page.wait_for_url(re.compile(re.escape(fake.base_url) + r"/p/session/bps_"))
    page.locator("#plan-growth").click()
    page.wait_for_url(re.compile(r"/settings/billing/?$"))
    expect(plan_card(page, "growth")).to_have_attribute("aria-current", "true", timeout=20_000)
    expect(segments).to_contain_text("of 25,000 segments")

    # The renewal fails: past due, the banner, campaigns still going until the grace end.
    customer = tenant(owner.workspace_id).stripe_customer_id
    assert customer
    sub = fake.subscription_of(customer)
    for response in fake.deliver_all(fake.fail_renewal(sub["id"])):
        assert response.status_code == 200, response.text
    page.reload()
    banner = page.get_by_test_id("past-due")
    expect(banner).to_contain_text("Payment failed")
    expect(banner).to_contain_text("Campaigns keep sending until")
    expect(banner.get_by_role("button", name="Manage billing")).to_be_visible()
    expect(page.get_by_test_id("subscription-status")).to_have_text("Past due")
    expect(invoices.locator("tr[data-invoice]")).to_have_count(2)
    expect(invoices).to_contain_text("Open")
    stripe_console.check_page("billing-past-due")


def test_checkout_can_be_cancelled_with_the_keyboard(
    stripe_console: Console, stripe_api: httpx.Client, stripe_platform: StripePlatform
) -> None:
    owner = signup(stripe_api, "billcancel")
    page = stripe_console.log_in(owner.email, PASSWORD, then="/settings/billing")
    upgrade = page.get_by_role("button", name="Upgrade to Growth")
    upgrade.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(stripe_platform.fake.base_url) + "/c/pay/"))
    page.locator("#cancel").click()
    page.wait_for_url(re.compile(r"/settings/billing/?\?checkout=cancelled"))
    expect(page.get_by_text("Checkout was cancelled")).to_be_visible()
    expect(plan_card(page, "free")).to_have_attribute("aria-current", "true")
    stripe_console.check_page("billing-checkout-cancelled")


def test_billing_without_stripe_is_the_free_plan(
    console: Console, api_client: httpx.Client
) -> None:
    owner = signup(api_client, "billoff")
    page = console.log_in(owner.email, PASSWORD, then="/settings/billing")
    expect(page.get_by_text("Billing is off on this platform")).to_be_visible()
    expect(plan_card(page, "free")).to_have_attribute("aria-current", "true")
    expect(page.get_by_role("button", name=re.compile("^Upgrade"))).to_have_count(0)
    console.page.set_viewport_size({"width": 390, "height": 844})
    console.check_page("billing-off-phone")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways ({width}px)"
