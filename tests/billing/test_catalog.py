"""`smsctl billing sync`: Stripe's catalog matches the plans, and a second run writes nothing."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from typer.testing import CliRunner

from shared.billing import catalog, plans
from shared.cli import app
from tests.fakes.stripe import FakeStripe


def test_the_catalog_matches_the_plans(fake_stripe: FakeStripe) -> None:
    meters = {m["event_name"]: m for m in fake_stripe.of_type("billing.meter")}
    assert set(meters) == {"sms_segments", "ai_tokens"}
    assert meters["sms_segments"]["default_aggregation"] == {"formula": "sum"}
    assert meters["sms_segments"]["customer_mapping"]["event_payload_key"] == "stripe_customer_id"
    products = {p["id"] for p in fake_stripe.of_type("product")}
    assert products == {"smsplat_plan_starter", "smsplat_plan_growth", "smsplat_plan_enterprise"}
    base = fake_stripe.price_by_lookup_key("smsplat_growth_base")
    assert (base["unit_amount"], base["recurring"]["usage_type"]) == (19_900, "licensed")
    segments = fake_stripe.price_by_lookup_key("smsplat_growth_sms_segments")
    assert segments["recurring"]["usage_type"] == "metered"
    assert segments["recurring"]["meter"] == meters["sms_segments"]["id"]
    assert segments["tiers_mode"] == "graduated"
    assert [(t["up_to"], Decimal(str(t["unit_amount_decimal"]))) for t in segments["tiers"]] == [
        (25_000, Decimal(0)),
        (None, Decimal("1.2")),
    ]
    assert not any(p["metadata"].get("plan") == "free" for p in fake_stripe.of_type("price"))


def test_a_second_sync_writes_nothing(fake_stripe: FakeStripe) -> None:
    before = len(fake_stripe.requests)
    result = CliRunner().invoke(app, ["billing", "sync"])
    assert result.exit_code == 0, result.output
    assert "nothing to change" in result.output
    assert fake_stripe.writes(before) == []


def test_a_changed_price_replaces_the_old_one(
    fake_stripe: FakeStripe, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = fake_stripe.price_by_lookup_key("smsplat_starter_sms_segments")
    cheaper = dataclasses.replace(plans.PLANS["starter"], segment_price_minor=Decimal("1.4"))
    monkeypatch.setitem(plans.PLANS, "starter", cheaper)
    changes = catalog.sync()
    new = fake_stripe.price_by_lookup_key("smsplat_starter_sms_segments")
    assert changes == [
        f"price smsplat_starter_sms_segments: created {new['id']}",
        f"price smsplat_starter_sms_segments: archived {old['id']}",
    ]
    assert new["tiers"][-1]["unit_amount_decimal"] == "1.4"
    archived = next(p for p in fake_stripe.of_type("price") if p["id"] == old["id"])
    assert (archived["active"], archived["lookup_key"]) == (False, None)
    assert catalog.sync() == []
    monkeypatch.undo()
    catalog.sync()  # back to the declared plans for the other tests
    assert (
        fake_stripe.price_by_lookup_key("smsplat_starter_sms_segments")["tiers"][-1][
            "unit_amount_decimal"
        ]
        == "1.5"
    )


def test_a_renamed_meter_is_renamed(
    fake_stripe: FakeStripe, monkeypatch: pytest.MonkeyPatch
) -> None:
    renamed = dataclasses.replace(plans.AI_TOKENS, display_name="Claude tokens")
    monkeypatch.setattr(catalog, "METERS", (plans.SEGMENTS, renamed))
    assert catalog.sync() == ["meter ai_tokens: renamed"]
    monkeypatch.undo()
    assert catalog.sync() == ["meter ai_tokens: renamed"]
