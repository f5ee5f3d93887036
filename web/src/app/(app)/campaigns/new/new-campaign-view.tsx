"use client";

import { ArrowLeft } from "lucide-react";
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { Suspense } from "react";

import { PageHeader } from "@/components/shell/app-frame";
import { Button } from "@/components/ui/button";
import { CampaignWizard } from "@/features/campaigns/campaign-wizard";

function NewCampaign() {
  const id = useSearchParams().get("id");
  return (
    <div className="grid max-w-4xl gap-2">
      <Button asChild variant="ghost" size="sm" className="-ml-2 w-fit">
        <Link href="/campaigns">
          <ArrowLeft aria-hidden="true" />
          Campaigns
        </Link>
      </Button>
      <PageHeader
        title={id ? "Finish the campaign" : "New campaign"}
        description="Who gets it, what it says, how it is sent; then review and launch."
      />
      <CampaignWizard draftId={id} />
    </div>
  );
}

export function NewCampaignView() {
  return (
    <Suspense>
      <NewCampaign />
    </Suspense>
  );
}
