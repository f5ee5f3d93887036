/**
 * Billing (shared/billing): the overview (plan, usage, upcoming invoice, past due),
 * invoices, and the two ways out to Stripe (Checkout, the customer portal).
 */
import { useInfiniteQuery, useMutation, useQuery } from "@tanstack/react-query";

import { api, unwrap } from "@/api/client";
import type { components } from "@/api/schema";

export type Billing = components["schemas"]["BillingOut"];
export type Plan = components["schemas"]["PlanOut"];
export type MeterUsage = components["schemas"]["MeterUsageOut"];
export type Limit = components["schemas"]["LimitOut"];
export type UpcomingInvoice = components["schemas"]["UpcomingInvoiceOut"];
export type Invoice = components["schemas"]["InvoiceOut"];
export type PastDue = components["schemas"]["PastDueOut"];
export type PaidPlan = components["schemas"]["CheckoutIn"]["plan"];

export const billingKeys = {
  all: ["billing"] as const,
  overview: ["billing", "overview"] as const,
  invoices: ["billing", "invoices"] as const,
};

/**
 * The overview. `activating`: right after Checkout, polled every 2 s until Stripe's
 * webhook has made the subscription live; otherwise refreshed every minute and on focus.
 */
export function useBilling(options: { enabled?: boolean; activating?: boolean } = {}) {
  const { enabled = true, activating = false } = options;
  return useQuery({
    queryKey: billingKeys.overview,
    queryFn: () => unwrap(api.GET("/v1/billing")),
    enabled,
    refetchInterval: (query) => (activating && !query.state.data?.subscription ? 2_000 : 60_000),
    refetchOnWindowFocus: true,
  });
}

export function useInvoices(enabled: boolean) {
  return useInfiniteQuery({
    queryKey: billingKeys.invoices,
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET("/v1/billing/invoices", {
          params: { query: { limit: 10, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor ?? null,
    enabled,
  });
}

/** Leaves for Stripe: the browser goes to the answered URL (Checkout or the portal). */
function leaveFor(url: string) {
  window.location.assign(url);
}

export function useCheckout() {
  return useMutation({
    mutationFn: (plan: PaidPlan) => unwrap(api.POST("/v1/billing/checkout", { body: { plan } })),
    onSuccess: (redirect) => leaveFor(redirect.url),
  });
}

export function usePortal() {
  return useMutation({
    mutationFn: () => unwrap(api.POST("/v1/billing/portal")),
    onSuccess: (redirect) => leaveFor(redirect.url),
  });
}
