"use client";

import { Suspense } from "react";

import { BillingOverview } from "@/features/billing/billing-overview";

/** /settings/billing (and ?checkout=success|cancelled on the way back from Stripe). */
export function BillingView() {
  return (
    <Suspense>
      <BillingOverview />
    </Suspense>
  );
}
