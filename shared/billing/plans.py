"""Plans, declared once: prices, included usage, limits and rates all come from here.

Stripe's catalog (`smsctl billing sync`), the limits enforced where they bite, the
limiter's workspace rate and the console's plan cards all read this table. Money is in
minor units (US cents); per-unit overage prices may be fractions of a cent, so they are
Decimals (Stripe's `unit_amount_decimal`). A limit of None is unlimited.

Usage is metered by two Stripe Billing Meters. Each paid plan has one licensed monthly
price and one graduated metered price per meter: the included units cost 0, every unit
beyond them the overage price. The free plan has no Stripe prices (nothing to pay, and
no overage: its included segments are a hard allowance for campaigns).

Nothing here imports anything heavy: the send path reads `plan_mps` on every batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CURRENCY = "usd"
# An MMS costs about three SMS segments at the carriers: it counts as three segments.
MMS_SEGMENT_WEIGHT = 3
# For people: about how many tokens one AI reply uses (prompt with history, answer).
TOKENS_PER_AI_REPLY = 2_500


@dataclass(frozen=True)
class Meter:
    """A Stripe Billing Meter (sum of event values per customer and period)."""

    key: str  # our name, and the meter's `event_name` at Stripe
    display_name: str
    unit: str  # what one unit of the meter is, for people


SEGMENTS = Meter("sms_segments", "SMS segments", "segment")
AI_TOKENS = Meter("ai_tokens", "AI tokens", "token")
METERS: tuple[Meter, ...] = (SEGMENTS, AI_TOKENS)

# usage_records.kind -> (meter, weight). Kinds that are not here are recorded, never billed:
# inbound segments are free for the workspace (we pay them as a cost of the service).
BILLED_KINDS: dict[str, tuple[Meter, int]] = {
    "sms_outbound_segments": (SEGMENTS, 1),
    "mms_outbound_messages": (SEGMENTS, MMS_SEGMENT_WEIGHT),
    "ai_input_tokens": (AI_TOKENS, 1),
    "ai_output_tokens": (AI_TOKENS, 1),
    "ai_cache_read_tokens": (AI_TOKENS, 1),
    "ai_cache_write_tokens": (AI_TOKENS, 1),
}


@dataclass(frozen=True)
class Plan:
    name: str
    display_name: str
    description: str
    monthly_price_minor: int
    included_segments: int  # per period
    segment_price_minor: Decimal | None  # per segment beyond the included; None: no overage
    included_ai_tokens: int
    ai_token_price_minor: Decimal | None  # per token beyond the included
    mps: float  # the workspace's send rate (segments per second), the limiter's plan bucket
    seats: int | None  # members and pending invitations
    numbers: int | None  # live phone numbers
    contacts: int | None  # contacts not erased

    @property
    def paid(self) -> bool:
        return self.monthly_price_minor > 0

    def included(self, meter: Meter) -> int:
        return self.included_segments if meter.key == SEGMENTS.key else self.included_ai_tokens

    def overage_price(self, meter: Meter) -> Decimal | None:
        return self.segment_price_minor if meter.key == SEGMENTS.key else self.ai_token_price_minor

    def lookup_key(self, part: str) -> str:
        """Stripe price lookup key: `base` (the monthly fee) or a meter's key."""
        return f"smsplat_{self.name}_{part}"

    @property
    def product_id(self) -> str:
        """The Stripe Product of the plan (ids chosen by us: a second sync finds it)."""
        return f"smsplat_plan_{self.name}"


PLANS: dict[str, Plan] = {
    plan.name: plan
    for plan in (
        Plan(
            name="free",
            display_name="Free",
            description="Try the platform: a number, a small list, a few campaigns.",
            monthly_price_minor=0,
            included_segments=100,
            segment_price_minor=None,
            included_ai_tokens=25_000,
            ai_token_price_minor=None,
            mps=5.0,
            seats=2,
            numbers=1,
            contacts=500,
        ),
        Plan(
            name="starter",
            display_name="Starter",
            description="A small business texting its customers.",
            monthly_price_minor=4_900,
            included_segments=5_000,
            segment_price_minor=Decimal("1.5"),
            included_ai_tokens=500_000,
            ai_token_price_minor=Decimal("0.0005"),
            mps=25.0,
            seats=5,
            numbers=5,
            contacts=10_000,
        ),
        Plan(
            name="growth",
            display_name="Growth",
            description="Regular campaigns over several numbers, a team in the inbox.",
            monthly_price_minor=19_900,
            included_segments=25_000,
            segment_price_minor=Decimal("1.2"),
            included_ai_tokens=2_500_000,
            ai_token_price_minor=Decimal("0.0004"),
            mps=200.0,
            seats=20,
            numbers=50,
            contacts=100_000,
        ),
        Plan(
            name="enterprise",
            display_name="Enterprise",
            description="High volume over large pools, no limits on seats, numbers or contacts.",
            monthly_price_minor=99_900,
            included_segments=150_000,
            segment_price_minor=Decimal("0.9"),
            included_ai_tokens=15_000_000,
            ai_token_price_minor=Decimal("0.0003"),
            mps=5000.0,
            seats=None,
            numbers=None,
            contacts=None,
        ),
    )
}
PLAN_NAMES: tuple[str, ...] = tuple(PLANS)
FREE = PLANS["free"]


def plan_of(name: str | None) -> Plan:
    return PLANS.get(name or "free", FREE)


def estimate_segment_price_minor(plan: Plan) -> Decimal:
    """One segment's price (cents) for spend estimates (the dashboard): the plan's price per
    extra segment; on the free plan (no overage) the first paid plan's, what sending more
    would cost."""
    if plan.segment_price_minor is not None:
        return plan.segment_price_minor
    return next(p.segment_price_minor for p in PLANS.values() if p.segment_price_minor is not None)


def estimated_cost_minor(segments: int, plan: str | None) -> int:
    """What `segments` would cost on `plan`, in cents (rounded half up): the one spend
    estimate of the dashboard, a campaign's stats and its preview."""
    price = estimate_segment_price_minor(plan_of(plan))
    return int((segments * price).to_integral_value(ROUND_HALF_UP))


def plan_mps(plan: str | None) -> float:
    return plan_of(plan).mps


def plan_of_lookup_key(lookup_key: str | None) -> Plan | None:
    """The plan whose monthly (`base`) price has this lookup key."""
    for plan in PLANS.values():
        if plan.paid and lookup_key == plan.lookup_key("base"):
            return plan
    return None
