"""The one spend estimate (dashboard, campaign stats and preview) comes from the plans."""

from __future__ import annotations

from shared.billing.plans import estimated_cost_minor


def test_the_estimate_uses_the_plans_price_and_rounds_half_up() -> None:
    assert estimated_cost_minor(0, "free") == 0
    assert estimated_cost_minor(3, "free") == 5  # the first paid plan's 1.5 cents: 4.5 -> 5
    assert estimated_cost_minor(10, "growth") == 12  # 1.2 cents
    assert estimated_cost_minor(10, None) == estimated_cost_minor(10, "free")
