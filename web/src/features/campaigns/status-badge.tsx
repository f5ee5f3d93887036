import { Badge } from "@/components/ui/badge";
import { SUCCESS_TEXT } from "@/features/templates/segment-counter";

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
    <Badge
      variant={VARIANT[status]}
      data-status={status}
      className={VARIANT[status] === "success" ? SUCCESS_TEXT : undefined}
    >
      {STATUS_LABEL[status]}
    </Badge>
  );
}
