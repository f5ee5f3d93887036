"use client";

import { ArrowLeft } from "lucide-react";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { Suspense } from "react";

import { Button } from "@/components/ui/button";
import { ErrorState } from "@/components/ui/states";
import { CampaignDetail, MESSAGE_STATUSES } from "@/features/campaigns/campaign-detail";

function Campaign() {
  const router = useRouter();
  const params = useSearchParams();
  const id = params.get("id");
  const asked = params.get("status");
  const status = MESSAGE_STATUSES.some((s) => s === asked) ? asked : null;
  return (
    <div className="grid gap-2">
      <Button asChild variant="ghost" size="sm" className="-ml-2 w-fit">
        <Link href="/campaigns">
          <ArrowLeft aria-hidden="true" />
          Campaigns
        </Link>
      </Button>
      {id ? (
        <CampaignDetail
          id={id}
          messageStatus={status}
          onMessageStatus={(next) =>
            router.replace(`/campaigns/view?id=${id}${next ? `&status=${next}` : ""}`, {
              scroll: false,
            })
          }
        />
      ) : (
        <ErrorState title="No campaign given" error="Open a campaign from the list." />
      )}
    </div>
  );
}

export function CampaignView() {
  return (
    <Suspense>
      <Campaign />
    </Suspense>
  );
}
