"""Request and response bodies of the billing routes (the console's Billing page reads them).

Money is in minor units (US cents) as integers; a per-unit overage price can be a fraction
of a cent, so it is a decimal string ("1.5" cents per segment). A limit of null is
unlimited. Times are UTC.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, field_validator, model_validator

from shared.billing.plans import PLAN_NAMES, PLANS
from shared.http.pagination import DEFAULT_LIMIT

PAID_PLANS = [name for name, plan in PLANS.items() if plan.paid]


def _plan_field(names: list[str], description: str) -> Any:
    enum: list[JsonValue] = list(names)
    return Field(json_schema_extra={"enum": enum}, description=description)


class PlanOut(BaseModel):
    """A plan card."""

    name: str = _plan_field(list(PLAN_NAMES), "The plan's id.")
    display_name: str
    description: str
    currency: str
    monthly_price_minor: int
    included_segments: int = Field(description="Segments per period (an MMS counts as 3).")
    segment_price_minor: str | None = Field(
        description="Cents per segment beyond the included ones; null: no overage (free)."
    )
    included_ai_tokens: int
    ai_token_price_minor: str | None = Field(description="Cents per AI token beyond the included.")
    approx_ai_replies: int = Field(description="About how many AI replies the tokens make.")
    mps: float = Field(description="The workspace's send rate, segments per second.")
    seats: int | None
    numbers: int | None
    contacts: int | None
    current: bool = Field(description="The workspace's plan.")
    purchasable: bool = Field(description="Can be bought through Checkout now.")


class MeterUsageOut(BaseModel):
    """A usage bar: what this period used against what the plan includes."""

    meter: Literal["sms_segments", "ai_tokens"]
    display_name: str
    unit: str
    used: int
    included: int
    percent: float = Field(description="100 * used / included (may exceed 100).")
    overage: int = Field(description="Units beyond the included ones.")
    overage_price_minor: str | None
    overage_estimate_minor: int = Field(description="Local estimate of the overage's cost.")


class LimitOut(BaseModel):
    name: Literal["seats", "numbers", "contacts"]
    used: int
    limit: int | None


class SubscriptionOut(BaseModel):
    status: str
    current_period_start: datetime | None
    current_period_end: datetime | None
    cancel_at_period_end: bool
    trial_end: datetime | None


class PastDueOut(BaseModel):
    """The past-due banner: campaigns keep going until `grace_ends_at`."""

    since: datetime
    grace_ends_at: datetime
    bulk_sending_blocked: bool


class InvoiceLineOut(BaseModel):
    description: str
    amount_minor: int
    quantity: int | None


class UpcomingInvoiceOut(BaseModel):
    source: Literal["stripe", "estimate"] = Field(
        description="`stripe`: Stripe's invoice preview; `estimate`: computed here from the "
        "plan and the local usage (Stripe could not be asked)."
    )
    currency: str
    amount_due_minor: int
    subtotal_minor: int
    period_start: datetime | None
    period_end: datetime | None
    next_payment_attempt: datetime | None
    lines: list[InvoiceLineOut]


class BillingOut(BaseModel):
    stripe_configured: bool = Field(description="STRIPE_API_KEY is set: billing is on.")
    limits_enforced: bool = Field(description="Plan limits are enforced (billing is on).")
    plan: str = _plan_field(list(PLAN_NAMES), "The plan whose limits apply now.")
    plans: list[PlanOut]
    subscription: SubscriptionOut | None
    period_start: datetime
    period_end: datetime
    usage: list[MeterUsageOut]
    limits: list[LimitOut]
    upcoming_invoice: UpcomingInvoiceOut | None
    past_due: PastDueOut | None
    bulk_sending_allowed: bool
    can_checkout: bool = Field(description="POST /v1/billing/checkout will answer a URL.")
    can_manage: bool = Field(description="POST /v1/billing/portal will answer a URL.")


class CheckoutIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    plan: str = _plan_field(PAID_PLANS, "The paid plan to subscribe to.")

    @field_validator("plan")
    @classmethod
    def _paid(cls, value: str) -> str:
        if value not in PAID_PLANS:
            raise ValueError(f"choose one of {', '.join(PAID_PLANS)}")
        return value


class RedirectOut(BaseModel):
    url: str = Field(description="Send the browser here (Stripe Checkout or the portal).")
    id: str


class InvoiceOut(BaseModel):
    id: str
    number: str | None
    status: str | None = Field(description="draft, open, paid, uncollectible or void.")
    currency: str
    total_minor: int
    amount_due_minor: int
    amount_paid_minor: int
    period_start: datetime | None
    period_end: datetime | None
    created: datetime
    hosted_invoice_url: str | None
    invoice_pdf: str | None


class InvoiceQuery(BaseModel):
    cursor: str | None = Field(None, max_length=100, description="`next_cursor` of a page.")
    limit: int = Field(min(DEFAULT_LIMIT, 100), ge=1, le=100, description="Page size.")

    @field_validator("cursor")
    @classmethod
    def _invoice_id(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("in_"):
            raise ValueError("not a cursor of this list")
        return value


class InvoicePage(BaseModel):
    data: list[InvoiceOut]
    next_cursor: str | None = Field(None, description="Pass as `cursor` to get the next page.")


class UsageQuery(BaseModel):
    from_: date | None = Field(None, alias="from", description="First day (UTC); default -30 d.")
    to: date | None = Field(None, description="Last day (UTC), included; default today.")

    @field_validator("from_", "to")
    @classmethod
    def _plausible(cls, value: date | None) -> date | None:
        if value is not None and not date(2000, 1, 1) <= value <= date(2999, 12, 31):
            raise ValueError("use a date between 2000-01-01 and 2999-12-31")
        return value

    @model_validator(mode="after")
    def _range(self) -> UsageQuery:
        if self.from_ and self.to and self.from_ > self.to:
            raise ValueError("`from` must not be after `to`")
        if self.from_ and self.to and (self.to - self.from_).days > 366:
            raise ValueError("ask for at most 366 days")
        return self


class UsageDayOut(BaseModel):
    day: date
    sms_segments: int = Field(0, description="Outbound SMS segments the provider accepted.")
    mms_messages: int = Field(0, description="Outbound MMS the provider accepted.")
    segments: int = Field(0, description="Billed segments: SMS segments + 3 per MMS.")
    ai_tokens: int = Field(0, description="AI tokens (input, output, cache read and write).")


class UsageSeriesOut(BaseModel):
    start: date
    end: date
    totals: UsageDayOut = Field(description="The whole range (`day` is `start`).")
    days: list[UsageDayOut] = Field(description="Every day of the range, oldest first.")


class WebhookAck(BaseModel):
    outcome: str = Field(
        description="updated, unchanged, duplicate, ignored, unknown-customer or stripe-refused."
    )
