"""README's plan table says what shared/billing/plans.py declares."""

from __future__ import annotations

from pathlib import Path

from shared.billing.plans import PLANS, Plan

README = Path(__file__).resolve().parents[2] / "README.md"


def _count(value: int | None) -> str:
    return "unlimited" if value is None else f"{value:,}"


def _row(plan: Plan) -> str:
    price = f"${plan.monthly_price_minor // 100}"
    extra = (
        f"{plan.segment_price_minor}¢"
        if plan.segment_price_minor is not None
        else "(none: a hard allowance)"
    )
    cells = [
        plan.name,
        price,
        f"{plan.included_segments:,}",
        extra,
        f"{plan.included_ai_tokens:,}",
        _count(plan.seats),
        _count(plan.numbers),
        _count(plan.contacts),
    ]
    return "| " + " | ".join(cells) + " |"


def test_readme_lists_every_plan_as_declared() -> None:
    text = README.read_text()
    for plan in PLANS.values():
        assert _row(plan) in text, f"update README's plan table: {_row(plan)}"
