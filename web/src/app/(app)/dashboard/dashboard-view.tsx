"use client";

import { useRouter, useSearchParams } from "next/navigation";
import { Suspense } from "react";

import { PageHeader } from "@/components/shell/app-frame";
import { SegmentedControl } from "@/components/ui/toggle-group";
import type { ActivityRange } from "@/features/dashboard/hooks";
import { OnboardingChecklist } from "@/features/dashboard/onboarding-checklist";
import {
  ActivitySection,
  CampaignsInFlight,
  NumbersInTrouble,
} from "@/features/dashboard/overview";

const RANGES = [
  { value: "24h", label: "24 h" },
  { value: "7d", label: "7 days" },
  { value: "30d", label: "30 days" },
] as const satisfies readonly { value: ActivityRange; label: string }[];

function isRange(value: string | null): value is ActivityRange {
  return RANGES.some((r) => r.value === value);
}

/** The page example: it reads its state from the URL and composes features; no fetching. */
function Dashboard() {
  const router = useRouter();
  const params = useSearchParams();
  const asked = params.get("range");
  const range: ActivityRange = isRange(asked) ? asked : "7d";

  return (
    <>
      <PageHeader
        title="Dashboard"
        description="How your messages are doing, and what needs you."
        actions={
          <SegmentedControl
            label="Time range"
            value={range}
            options={RANGES}
            onValueChange={(next) => router.replace(`/dashboard?range=${next}`, { scroll: false })}
          />
        }
      />
      <OnboardingChecklist />
      <div className="grid gap-6">
        <ActivitySection range={range} />
        <div className="grid gap-6 lg:grid-cols-2">
          <CampaignsInFlight />
          <NumbersInTrouble />
        </div>
      </div>
    </>
  );
}

export function DashboardView() {
  return (
    <Suspense>
      <Dashboard />
    </Suspense>
  );
}
