"use client";

import { useRouter, useSearchParams } from "next/navigation";
import { Suspense } from "react";

import { PageHeader } from "@/components/shell/app-frame";
import { CampaignList, NewCampaignButton, StatusFilter } from "@/features/campaigns/campaign-list";
import { type CampaignStatus, STATUSES } from "@/features/campaigns/hooks";

function isStatus(value: string | null): value is CampaignStatus {
  return STATUSES.some((s) => s === value);
}

function Campaigns() {
  const router = useRouter();
  const asked = useSearchParams().get("status");
  const status = isStatus(asked) ? asked : null;
  return (
    <>
      <PageHeader
        title="Campaigns"
        description="One message to many contacts, sent at your numbers' pace."
        actions={
          <>
            <StatusFilter
              value={status}
              onChange={(next) =>
                router.replace(next ? `/campaigns?status=${next}` : "/campaigns", {
                  scroll: false,
                })
              }
            />
            <NewCampaignButton />
          </>
        }
      />
      <CampaignList status={status} />
    </>
  );
}

export function CampaignsView() {
  return (
    <Suspense>
      <Campaigns />
    </Suspense>
  );
}
