"use client";

import { Check } from "lucide-react";

import { problemMessage } from "@/api/problem";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Spinner } from "@/components/ui/states";
import { toast } from "@/components/ui/toast";
import { cn } from "@/lib/utils";

import { formatAmount, formatLimit, formatUnitPrice } from "./format";
import { type Billing, type PaidPlan, type Plan, useCheckout, usePortal } from "./hooks";

const count = new Intl.NumberFormat("en-US");

/** 1 -> "1 seat", 5 -> "5 seats", null -> "Unlimited seats". */
function plural(value: number | null, noun: string): string {
  return `${formatLimit(value)} ${noun}${value === 1 ? "" : "s"}`;
}

/** The plans side by side, the workspace's marked; Upgrade leaves for Stripe Checkout. */
export function PlanCards({ billing }: { billing: Billing }) {
  const checkout = useCheckout();
  const portal = usePortal();
  const current = billing.plans.find((p) => p.current);

  const upgrade = (plan: Plan) =>
    checkout.mutate(plan.name as PaidPlan, {
      onError: (error) => toast.error("Could not open Checkout", problemMessage(error)),
    });
  const manage = () =>
    portal.mutate(undefined, {
      onError: (error) => toast.error("Could not open the billing portal", problemMessage(error)),
    });

  return (
    <ul className="grid gap-4 min-[1440px]:grid-cols-4 sm:grid-cols-2" aria-label="Plans">
      {billing.plans.map((plan) => {
        const cheaper = current && plan.monthly_price_minor < current.monthly_price_minor;
        const leaving = checkout.isPending && checkout.variables === plan.name;
        return (
          <li
            key={plan.name}
            aria-current={plan.current ? "true" : undefined}
            data-plan={plan.name}
            className={cn(
              "flex flex-col gap-4 rounded-xl border bg-card p-5",
              plan.current && "border-primary ring-1 ring-primary",
            )}
          >
            <div className="grid gap-1">
              <div className="flex items-center justify-between gap-2">
                <h4 className="font-semibold">{plan.display_name}</h4>
                {plan.current ? <Badge variant="primary">Current plan</Badge> : null}
              </div>
              <p className="text-2xl font-semibold whitespace-nowrap tabular-nums">
                {formatAmount(plan.monthly_price_minor, plan.currency)}
                <span className="text-sm font-normal text-muted-foreground"> / month</span>
              </p>
              <p className="text-sm text-muted-foreground">{plan.description}</p>
            </div>
            <ul className="grid gap-1.5 text-sm">
              {[
                `${count.format(plan.included_segments)} segments included`,
                plan.segment_price_minor
                  ? `then ${formatUnitPrice(plan.segment_price_minor, plan.currency)} per segment`
                  : "no overage: campaigns stop at the allowance",
                `about ${count.format(plan.approx_ai_replies)} AI replies`,
                `${count.format(plan.mps)} segments per second`,
                `${plural(plan.seats, "seat")} · ${plural(plan.numbers, "number")}`,
                plural(plan.contacts, "contact"),
              ].map((line) => (
                <li key={line} className="flex gap-2">
                  <Check className="mt-0.5 size-4 shrink-0 text-primary" aria-hidden />
                  <span>{line}</span>
                </li>
              ))}
            </ul>
            <div className="mt-auto">
              {plan.current ? null : plan.purchasable && billing.can_checkout ? (
                <Button
                  className="w-full"
                  disabled={checkout.isPending}
                  onClick={() => upgrade(plan)}
                >
                  {leaving ? (
                    <Spinner className="text-primary-foreground" label="Opening Checkout" />
                  ) : null}
                  Upgrade to {plan.display_name}
                </Button>
              ) : billing.can_manage && plan.monthly_price_minor > 0 ? (
                <Button
                  variant="outline"
                  className="w-full"
                  disabled={portal.isPending}
                  onClick={manage}
                  title="Opens the Stripe billing portal"
                >
                  {cheaper ? "Downgrade" : "Switch"} to {plan.display_name}
                </Button>
              ) : null}
            </div>
          </li>
        );
      })}
    </ul>
  );
}
