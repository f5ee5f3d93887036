"use client";

import { TriangleAlert } from "lucide-react";
import Link from "next/link";

import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { atLeast } from "@/features/tenancy/roles";
import { useRole } from "@/features/tenancy/session";
import { formatDateTime } from "@/lib/format";

import { type PastDue, useBilling } from "./hooks";

/**
 * The past-due banner: the last payment failed. Campaigns keep sending until the grace
 * period ends, then bulk sending stops (replies still go out) until the invoice is paid.
 *
 * Without props it reads the overview itself (admins and owners only: the API's rule), so
 * the app frame can show it on every page: `<PastDueBanner />`.
 */
export function PastDueBanner({
  pastDue,
  action,
}: {
  pastDue?: PastDue | null;
  /** What to offer: on the billing page, the portal button; elsewhere a link to the page. */
  action?: React.ReactNode;
}) {
  const role = useRole();
  const own = useBilling({ enabled: pastDue === undefined && atLeast(role, "admin") });
  const state = pastDue === undefined ? own.data?.past_due : pastDue;
  if (!state) return null;
  return (
    <Alert variant={state.bulk_sending_blocked ? "error" : "warning"} data-testid="past-due">
      <TriangleAlert aria-hidden />
      <div className="grid flex-1 gap-2 sm:flex sm:items-center sm:justify-between">
        <p>
          <span className="font-semibold">Payment failed. </span>
          {state.bulk_sending_blocked
            ? `Campaigns are paused since ${formatDateTime(state.grace_ends_at)}; replies still go out. Update the payment method to send campaigns again.`
            : `Campaigns keep sending until ${formatDateTime(state.grace_ends_at)}. Update the payment method before then.`}
        </p>
        {action ?? (
          <Button asChild size="sm" variant="outline" className="w-fit">
            <Link href="/settings/billing">Billing</Link>
          </Button>
        )}
      </div>
    </Alert>
  );
}
