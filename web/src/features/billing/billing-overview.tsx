"use client";

import { CreditCard } from "lucide-react";
import { usePathname, useRouter, useSearchParams } from "next/navigation";

import { problemMessage } from "@/api/problem";
import { Alert } from "@/components/ui/alert";
import { StatusBadge } from "@/components/ui/status-badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader } from "@/components/ui/card";
import { ErrorState, LoadingState, Spinner } from "@/components/ui/states";
import { toast } from "@/components/ui/toast";
import { atLeast } from "@/features/tenancy/roles";
import { useRole } from "@/features/tenancy/session";

import { statusLabel } from "./format";
import { type Billing, useBilling, usePortal } from "./hooks";
import { InvoiceList, UpcomingInvoiceSummary } from "./invoices";
import { PastDueBanner } from "./past-due-banner";
import { PlanCards } from "./plan-cards";
import { UsageBars } from "./usage-bars";

const day = new Intl.DateTimeFormat("en-US", { dateStyle: "medium" });
const formatDay = (iso: string) => day.format(new Date(iso));

function SectionTitle({ children }: { children: React.ReactNode }) {
  return <h3 className="text-base leading-tight font-semibold">{children}</h3>;
}

/**
 * Back from Stripe Checkout (`?checkout=success&session_id=...` or `?checkout=cancelled`):
 * says what happened; after a payment, the overview is polled until Stripe's webhook has
 * made the subscription live. Dismissing clears the query.
 */
function CheckoutReturn({ billing }: { billing: Billing | undefined }) {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const outcome = params.get("checkout");
  if (outcome !== "success" && outcome !== "cancelled") return null;
  const dismiss = (
    <Button
      variant="ghost"
      size="sm"
      className="ml-auto"
      onClick={() => router.replace(pathname, { scroll: false })}
    >
      Dismiss
    </Button>
  );
  if (outcome === "cancelled") {
    return (
      <Alert variant="info">
        <span>Checkout was cancelled: nothing was charged and the plan is unchanged.</span>
        {dismiss}
      </Alert>
    );
  }
  const plan = billing?.plans.find((p) => p.current);
  const live = billing?.subscription && plan && plan.monthly_price_minor > 0;
  return live ? (
    <Alert variant="success">
      <span>Payment received: the {plan.display_name} plan is active. Thank you!</span>
      {dismiss}
    </Alert>
  ) : (
    <Alert variant="info">
      <Spinner label="Activating" />
      <span>Payment received. Activating your plan (this takes a few seconds)…</span>
    </Alert>
  );
}

function ManageButton({ billing }: { billing: Billing }) {
  const portal = usePortal();
  if (!billing.can_manage) return null;
  return (
    <Button
      variant="outline"
      disabled={portal.isPending}
      onClick={() =>
        portal.mutate(undefined, {
          onError: (error) =>
            toast.error("Could not open the billing portal", problemMessage(error)),
        })
      }
    >
      {portal.isPending ? <Spinner label="Opening the portal" /> : <CreditCard aria-hidden />}
      Manage billing
    </Button>
  );
}

function Subscription({ billing }: { billing: Billing }) {
  const plan = billing.plans.find((p) => p.current);
  const sub = billing.subscription;
  return (
    <div className="flex flex-wrap items-center justify-between gap-3">
      <div className="grid gap-1">
        <p className="flex flex-wrap items-center gap-2 text-sm">
          <span className="font-semibold">{plan?.display_name ?? billing.plan} plan</span>
          {sub ? (
            <StatusBadge
              tone={
                sub.status === "active" || sub.status === "trialing"
                  ? "success"
                  : sub.status === "past_due"
                    ? "warning"
                    : "neutral"
              }
              data-testid="subscription-status"
            >
              {statusLabel(sub.status)}
            </StatusBadge>
          ) : null}
        </p>
        <p className="text-sm text-muted-foreground">
          Current period {formatDay(billing.period_start)} – {formatDay(billing.period_end)}
          {sub?.cancel_at_period_end ? " · cancels at the end of the period" : ""}
          {sub?.trial_end && sub.status === "trialing"
            ? ` · trial until ${formatDay(sub.trial_end)}`
            : ""}
        </p>
      </div>
      <ManageButton billing={billing} />
    </div>
  );
}

/** Settings > Billing: plan, usage, upcoming invoice, invoices, plans; owner and admin. */
export function BillingOverview() {
  const role = useRole();
  const allowed = atLeast(role, "admin");
  const params = useSearchParams();
  const billing = useBilling({
    enabled: allowed,
    activating: params.get("checkout") === "success",
  });

  return (
    <div className="grid grid-cols-[minmax(0,1fr)] gap-6">
      <div className="grid gap-1">
        <h2 className="text-lg font-semibold">Billing</h2>
        <p className="text-sm text-muted-foreground">
          Your plan, this period&apos;s usage and invoices. Payments are handled by Stripe.
        </p>
      </div>
      {!allowed ? (
        <Alert variant="info">Only the workspace&apos;s owners and admins see its billing.</Alert>
      ) : billing.isPending ? (
        <LoadingState rows={6} label="Loading billing" />
      ) : billing.isError ? (
        <ErrorState error={problemMessage(billing.error)} onRetry={() => void billing.refetch()} />
      ) : (
        <BillingContent billing={billing.data} />
      )}
    </div>
  );
}

function BillingContent({ billing }: { billing: Billing }) {
  return (
    <>
      <CheckoutReturn billing={billing} />
      <PastDueBanner pastDue={billing.past_due} action={<ManageButton billing={billing} />} />
      {!billing.stripe_configured ? (
        <Alert variant="info">
          Billing is off on this platform (Stripe is not configured): every workspace uses the free
          plan and no limit is enforced.
        </Alert>
      ) : null}
      <Card>
        <CardContent className="pt-5">
          <Subscription billing={billing} />
        </CardContent>
      </Card>
      <div className="grid gap-6 lg:grid-cols-[3fr_2fr]">
        <Card>
          <CardHeader>
            <SectionTitle>Usage this period</SectionTitle>
            <CardDescription>Against what the plan includes.</CardDescription>
          </CardHeader>
          <CardContent>
            <UsageBars usage={billing.usage} limits={billing.limits} />
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <SectionTitle>Upcoming invoice</SectionTitle>
            <CardDescription>What the next invoice will say, so far.</CardDescription>
          </CardHeader>
          <CardContent>
            <UpcomingInvoiceSummary invoice={billing.upcoming_invoice ?? null} />
          </CardContent>
        </Card>
      </div>
      <section aria-labelledby="plans-title" className="grid gap-3">
        <h3 id="plans-title" className="text-base font-semibold">
          Plans
        </h3>
        <PlanCards billing={billing} />
      </section>
      <Card>
        <CardHeader>
          <SectionTitle>Invoices</SectionTitle>
        </CardHeader>
        <CardContent>
          <InvoiceList enabled={billing.stripe_configured} />
        </CardContent>
      </Card>
    </>
  );
}
