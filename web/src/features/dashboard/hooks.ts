/**
 * Dashboard queries (TanStack Query over the generated client). The convention for every
 * feature: one hook per API call, the query key starts with the domain, data comes back
 * unwrapped and failures as ApiProblem.
 */
import { keepPreviousData, useQuery } from "@tanstack/react-query";

import { api, unwrap } from "@/api/client";
import type { components } from "@/api/schema";
import { browserTimeZone } from "@/lib/format";

export type ActivityRange = NonNullable<components["schemas"]["ActivityQuery"]["range"]>;
export type Activity = components["schemas"]["ActivityOut"];
export type CampaignProgress = components["schemas"]["CampaignProgress"];
export type Onboarding = components["schemas"]["OnboardingOut"];

export const dashboardKeys = {
  all: ["dashboard"] as const,
  activity: (range: ActivityRange, tz: string) => ["dashboard", "activity", range, tz] as const,
  campaigns: ["dashboard", "campaigns"] as const,
  troubledNumbers: ["dashboard", "numbers", "failing"] as const,
  onboarding: ["onboarding"] as const,
};

/** Live enough for an overview: refreshed every 30 s while the page is visible. */
const LIVE = { refetchInterval: 30_000, refetchIntervalInBackground: false } as const;

export function useActivity(range: ActivityRange) {
  const tz = browserTimeZone();
  return useQuery({
    queryKey: dashboardKeys.activity(range, tz),
    queryFn: () => unwrap(api.GET("/v1/dashboard/activity", { params: { query: { range, tz } } })),
    placeholderData: keepPreviousData,
    ...LIVE,
  });
}

export function useCampaignsInFlight() {
  return useQuery({
    queryKey: dashboardKeys.campaigns,
    queryFn: () => unwrap(api.GET("/v1/dashboard/campaigns")),
    select: (page) => page.data,
    ...LIVE,
  });
}

export function useNumbersInTrouble() {
  return useQuery({
    queryKey: dashboardKeys.troubledNumbers,
    queryFn: () =>
      unwrap(api.GET("/v1/numbers", { params: { query: { status: "failing", limit: 10 } } })),
    select: (page) => page.data,
    ...LIVE,
  });
}

export function useOnboarding() {
  return useQuery({
    queryKey: dashboardKeys.onboarding,
    queryFn: () => unwrap(api.GET("/v1/onboarding")),
  });
}
