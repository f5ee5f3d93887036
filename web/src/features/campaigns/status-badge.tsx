import { Badge } from "@/components/ui/badge";

import type { CampaignStatus } from "./hooks";

const VARIANT = {
  draft: "neutral",
  scheduled: "primary",
  running: "success",
  paused: "warning",
  completed: "outline",
  cancelled: "danger",
} as const satisfies Record<CampaignStatus, string>;

export const STATUS_LABEL: Record<CampaignStatus, string> = {
  draft: "Draft",
  scheduled: "Scheduled",
  running: "Sending",
  paused: "Paused",
  completed: "Completed",
  cancelled: "Cancelled",
};

export function CampaignStatusBadge({ status }: { status: CampaignStatus }) {
  return (
    <Badge variant={VARIANT[status]} data-status={status}>
      {STATUS_LABEL[status]}
    </Badge>
  );
}
