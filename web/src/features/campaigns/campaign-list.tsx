"use client";

import { CalendarClock, Plus, Send } from "lucide-react";
import Link from "next/link";

import { problemMessage } from "@/api/problem";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Progress } from "@/components/ui/progress";
import { Select } from "@/components/ui/select";
import { EmptyState, ErrorState, LoadingState } from "@/components/ui/states";
import { LoadMore } from "@/components/ui/load-more";
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from "@/components/ui/table";
import { formatCount, formatDateTime } from "@/lib/format";

import { type Campaign, type CampaignStatus, STATUSES, useCampaigns, useProgress } from "./hooks";
import { CampaignStatusBadge, STATUS_LABEL } from "./status-badge";

export function NewCampaignButton() {
  return (
    <Button asChild>
      <Link href="/campaigns/new">
        <Plus aria-hidden="true" />
        New campaign
      </Link>
    </Button>
  );
}

export function StatusFilter({
  value,
  onChange,
}: {
  value: CampaignStatus | null;
  onChange: (next: CampaignStatus | null) => void;
}) {
  return (
    <Select
      aria-label="Status"
      className="w-44"
      value={value ?? ""}
      onChange={(e) => onChange((e.target.value || null) as CampaignStatus | null)}
    >
      <option value="">All statuses</option>
      {STATUSES.map((s) => (
        <option key={s} value={s}>
          {STATUS_LABEL[s]}
        </option>
      ))}
    </Select>
  );
}

function ProgressCell({
  campaign,
  done,
  audience,
}: {
  campaign: Campaign;
  done: number | undefined;
  audience: number | undefined;
}) {
  if (campaign.status === "draft") return <span className="text-muted-foreground">Not sent</span>;
  if (campaign.status === "scheduled") {
    return (
      <span className="flex items-center gap-1.5 text-muted-foreground">
        <CalendarClock className="size-3.5" aria-hidden="true" />
        {campaign.send_at ? formatDateTime(campaign.send_at) : "Scheduled"}
      </span>
    );
  }
  const size = audience ?? campaign.audience_size ?? 0;
  const settled =
    done ?? (campaign.status === "completed" || campaign.status === "cancelled" ? size : 0);
  const percent = size ? Math.round((settled / size) * 100) : 100;
  return (
    <div className="grid min-w-40 gap-1">
      <Progress value={percent} aria-label={`${campaign.name}: ${percent}% sent`} />
      <span className="text-xs text-muted-foreground tabular-nums">
        {formatCount(settled)} of {formatCount(size)}
      </span>
    </div>
  );
}

/** Campaigns, newest first, 25 a page (the API's cursor), filtered by status from the URL. */
export function CampaignList({ status }: { status: CampaignStatus | null }) {
  const campaigns = useCampaigns(status);
  const progress = useProgress();
  if (campaigns.isPending) return <LoadingState rows={5} label="Loading campaigns" />;
  if (campaigns.isError) {
    return (
      <ErrorState
        error={problemMessage(campaigns.error)}
        onRetry={() => void campaigns.refetch()}
      />
    );
  }
  const rows = campaigns.data.pages.flatMap((p) => p.data);
  if (rows.length === 0) {
    return status ? (
      <EmptyState icon={Send} title={`No ${STATUS_LABEL[status].toLowerCase()} campaigns`}>
        Choose another status to see the others.
      </EmptyState>
    ) : (
      <EmptyState icon={Send} title="No campaigns yet" action={<NewCampaignButton />}>
        A campaign sends one message to an audience (segments and tags), from a pool of your
        numbers, at the pace they allow and inside quiet hours in each contact&apos;s time zone.
      </EmptyState>
    );
  }
  return (
    <Card className="overflow-hidden p-0">
      <Table>
        <TableHeader>
          <TableRow>
            <TableHead className="w-full">Name</TableHead>
            <TableHead>Status</TableHead>
            <TableHead>Progress</TableHead>
            <TableHead>Created</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {rows.map((c) => {
            const live = progress.data?.get(c.id);
            const href =
              c.status === "draft" ? `/campaigns/new?id=${c.id}` : `/campaigns/view?id=${c.id}`;
            return (
              <TableRow key={c.id}>
                <TableCell className="max-w-0 truncate font-medium">
                  <Link href={href} className="hover:underline">
                    {c.name}
                  </Link>
                </TableCell>
                <TableCell>
                  <CampaignStatusBadge status={c.status} />
                </TableCell>
                <TableCell>
                  <ProgressCell campaign={c} done={live?.done} audience={live?.audience} />
                </TableCell>
                <TableCell className="whitespace-nowrap text-muted-foreground">
                  {formatDateTime(c.created_at)}
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
      <LoadMore pages={campaigns} label="Show more" size="sm" className="border-t p-3" />
    </Card>
  );
}
