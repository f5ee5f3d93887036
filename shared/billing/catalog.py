"""`smsctl billing sync`: Stripe's catalog made to match the plans, idempotently.

- Billing Meters: one per meter (`event_name` = its key, sum of values per customer);
  created when missing, renamed when its display name changed (meters cannot change
  otherwise).
- Products: one per paid plan, with an id we choose (`smsplat_plan_<name>`), so a second
  sync finds it; created or updated.
- Prices: per paid plan, the monthly fee and one graduated metered price per meter (the
  included units at 0, the rest at the overage price), each found by its `lookup_key`.
  Prices cannot change amounts: a price that differs is replaced by a new one that takes
  over the lookup key (`transfer_lookup_key`), and the old one is archived. Existing
  subscriptions keep their old price until they change plan.

A second run finds everything as wanted and writes nothing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from shared.billing.plans import CURRENCY, METERS, PLANS, Meter, Plan
from shared.providers import stripe as stripe_api

LOOKUP_KEYS_PER_CALL = 10


def sync() -> list[str]:
    """Create or update what differs; returns a line per change (empty: nothing to do)."""
    changes: list[str] = []
    meter_ids = _sync_meters(changes)
    paid = [plan for plan in PLANS.values() if plan.paid]
    for plan in paid:
        _sync_product(plan, changes)
    existing = _prices_by_lookup_key(
        [key for plan in paid for key, _ in desired_prices(plan, meter_ids)]
    )
    for plan in paid:
        for key, wanted in desired_prices(plan, meter_ids):
            current = existing.get(key)
            if current is not None and _same_price(current, wanted):
                continue
            created = stripe_api.call(
                "prices.create", params={**wanted, "lookup_key": key, "transfer_lookup_key": True}
            )
            changes.append(f"price {key}: created {created['id']}")
            if current is not None:
                stripe_api.call("prices.update", current["id"], params={"active": False})
                changes.append(f"price {key}: archived {current['id']}")
    return changes


def _sync_meters(changes: list[str]) -> dict[str, str]:
    listed = stripe_api.call("billing.meters.list", params={"status": "active", "limit": 100})
    by_event = {m["event_name"]: m for m in listed.get("data") or []}
    ids: dict[str, str] = {}
    for meter in METERS:
        found = by_event.get(meter.key)
        if found is None:
            found = stripe_api.call("billing.meters.create", params=_meter_params(meter))
            changes.append(f"meter {meter.key}: created {found['id']}")
        elif found.get("display_name") != meter.display_name:
            stripe_api.call(
                "billing.meters.update", found["id"], params={"display_name": meter.display_name}
            )
            changes.append(f"meter {meter.key}: renamed")
        ids[meter.key] = str(found["id"])
    return ids


def _meter_params(meter: Meter) -> dict[str, Any]:
    return {
        "display_name": meter.display_name,
        "event_name": meter.key,
        "default_aggregation": {"formula": "sum"},
        "customer_mapping": {"type": "by_id", "event_payload_key": "stripe_customer_id"},
        "value_settings": {"event_payload_key": "value"},
    }


def _sync_product(plan: Plan, changes: list[str]) -> None:
    wanted = {
        "name": f"SMS Platform {plan.display_name}",
        "description": plan.description,
        "metadata": {"plan": plan.name},
    }
    try:
        product = stripe_api.call("products.retrieve", plan.product_id)
    except stripe_api.StripeRejected as exc:
        if exc.status != 404:
            raise
        stripe_api.call("products.create", params={"id": plan.product_id, **wanted})
        changes.append(f"product {plan.product_id}: created")
        return
    differs = (
        product.get("name") != wanted["name"]
        or product.get("description") != wanted["description"]
        or (product.get("metadata") or {}).get("plan") != plan.name
        or not product.get("active", True)
    )
    if differs:
        stripe_api.call("products.update", plan.product_id, params={**wanted, "active": True})
        changes.append(f"product {plan.product_id}: updated")


def desired_prices(plan: Plan, meter_ids: dict[str, str]) -> list[tuple[str, dict[str, Any]]]:
    """(lookup key, create parameters) of every price of a paid plan."""
    common = {"product": plan.product_id, "currency": CURRENCY}
    prices: list[tuple[str, dict[str, Any]]] = [
        (
            plan.lookup_key("base"),
            {
                **common,
                "nickname": f"{plan.display_name} monthly",
                "unit_amount": plan.monthly_price_minor,
                "recurring": {"interval": "month", "usage_type": "licensed"},
                "metadata": {"plan": plan.name, "part": "base"},
            },
        )
    ]
    for meter in METERS:
        price = plan.overage_price(meter)
        if price is None:
            continue
        tiers: list[dict[str, Any]] = []
        if plan.included(meter) > 0:
            tiers.append({"up_to": plan.included(meter), "unit_amount": 0})
        tiers.append({"up_to": "inf", "unit_amount_decimal": str(price)})
        prices.append(
            (
                plan.lookup_key(meter.key),
                {
                    **common,
                    "nickname": f"{plan.display_name} {meter.display_name}",
                    "recurring": {
                        "interval": "month",
                        "usage_type": "metered",
                        "meter": meter_ids[meter.key],
                    },
                    "billing_scheme": "tiered",
                    "tiers_mode": "graduated",
                    "tiers": tiers,
                    "metadata": {"plan": plan.name, "part": meter.key},
                },
            )
        )
    return prices


def _prices_by_lookup_key(keys: list[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for i in range(0, len(keys), LOOKUP_KEYS_PER_CALL):
        chunk = keys[i : i + LOOKUP_KEYS_PER_CALL]
        listed = stripe_api.call(
            "prices.list",
            params={"lookup_keys": chunk, "active": True, "limit": 100, "expand": ["data.tiers"]},
        )
        for price in listed.get("data") or []:
            found[str(price["lookup_key"])] = price
    return found


def price_ids(plan: Plan) -> dict[str, str] | None:
    """lookup key -> price id of every price of `plan`, or None when one is missing."""
    keys = [plan.lookup_key("base")] + [
        plan.lookup_key(m.key) for m in METERS if plan.overage_price(m) is not None
    ]
    found = _prices_by_lookup_key(keys)
    if any(key not in found for key in keys):
        return None
    return {key: str(found[key]["id"]) for key in keys}


def _tiers(tiers: list[dict[str, Any]] | None) -> list[tuple[int | None, Decimal]]:
    out = []
    for tier in tiers or []:
        up_to = tier.get("up_to")
        amount = tier.get("unit_amount_decimal")
        if amount is None:
            amount = tier.get("unit_amount") or 0
        out.append((None if up_to in (None, "inf") else int(up_to), Decimal(str(amount))))
    return out


def _same_price(current: dict[str, Any], wanted: dict[str, Any]) -> bool:
    recurring = current.get("recurring") or {}
    product = current.get("product")
    if isinstance(product, dict):
        product = product.get("id")
    same = (
        product == wanted["product"]
        and current.get("currency") == wanted["currency"]
        and bool(current.get("active"))
        and recurring.get("interval") == wanted["recurring"]["interval"]
        and recurring.get("usage_type") == wanted["recurring"]["usage_type"]
        and recurring.get("meter") == wanted["recurring"].get("meter")
    )
    if "tiers" in wanted:
        return (
            same
            and current.get("tiers_mode") == "graduated"
            and _tiers(current.get("tiers")) == _tiers(wanted["tiers"])
        )
    return same and current.get("unit_amount") == wanted["unit_amount"]
