"""Plans: what each one allows. Rates are message segments per second per workspace."""

from __future__ import annotations

PLAN_MPS: dict[str, float] = {"free": 5.0, "starter": 25.0, "growth": 200.0, "enterprise": 5000.0}


def plan_mps(plan: str | None) -> float:
    return PLAN_MPS.get(plan or "free", PLAN_MPS["free"])
