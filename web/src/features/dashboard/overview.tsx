"use client";

import { AlertTriangle, CalendarClock, PhoneOff, Send } from "lucide-react";
import dynamic from "next/dynamic";
import Link from "next/link";

import { problemMessage } from "@/api/problem";
import { pageExists } from "@/components/shell/rooms";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Progress } from "@/components/ui/progress";
import { Skeleton } from "@/components/ui/skeleton";
import { EmptyState, ErrorState, LoadingState } from "@/components/ui/states";
import { formatCount, formatDateTime, formatMoney, formatPercent, formatPhone } from "@/lib/format";

import {
  type ActivityRange,
  type CampaignProgress,
  useActivity,
  useCampaignsInFlight,
  useNumbersInTrouble,
} from "./hooks";

// The chart library loads with the chart, not with the page's first script.
const ActivityChart = dynamic(() => import("./activity-chart").then((m) => m.ActivityChart), {
  ssr: false,
  loading: () => <Skeleton className="h-72 w-full" />,
});

function Stat({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <div className="grid gap-1 rounded-xl border bg-card p-4 shadow-[0_1px_2px_0_rgb(0_0_0/0.04)]">
      <dt className="text-xs font-medium text-muted-foreground">{label}</dt>
      <dd className="text-2xl font-semibold tracking-tight tabular-nums">{value}</dd>
      {hint ? <dd className="text-xs text-muted-foreground">{hint}</dd> : null}
    </div>
  );
}

const RANGE_LABEL: Record<ActivityRange, string> = {
  "24h": "last 24 hours",
  "7d": "last 7 days",
  "30d": "last 30 days",
};

export function ActivitySection({ range }: { range: ActivityRange }) {
  const activity = useActivity(range);
  if (activity.isPending) {
    return (
      <div className="grid gap-4">
        <div className="grid grid-cols-2 gap-3 md:grid-cols-3 xl:grid-cols-6">
          {Array.from({ length: 6 }, (_, i) => (
            <Skeleton key={i} className="h-[88px] rounded-xl" />
          ))}
        </div>
        <Skeleton className="h-80 rounded-xl" />
      </div>
    );
  }
  if (activity.isError) {
    return (
      <ErrorState
        title="Activity could not be loaded"
        error={problemMessage(activity.error)}
        onRetry={() => void activity.refetch()}
      />
    );
  }
  const { totals } = activity.data;
  const quiet = activity.data.points.every(
    (p) => p.sent + p.delivered + p.failed + p.replies + p.opt_outs === 0,
  );
  return (
    <div className="grid gap-4">
      <dl className="grid grid-cols-2 gap-3 md:grid-cols-3 xl:grid-cols-6">
        <Stat label="Sent" value={formatCount(totals.sent)} />
        <Stat label="Delivered" value={formatCount(totals.delivered)} />
        <Stat
          label="Delivery rate"
          value={formatPercent(activity.data.delivery_rate)}
          hint={activity.data.delivery_rate === null ? "No outcomes yet" : undefined}
        />
        <Stat label="Failed" value={formatCount(totals.failed)} />
        <Stat label="Replies" value={formatCount(totals.replies)} />
        <Stat
          label="Spend (estimate)"
          value={formatMoney(activity.data.estimated_spend_minor, activity.data.currency)}
          hint={`${formatCount(activity.data.segments)} segment${activity.data.segments === 1 ? "" : "s"}`}
        />
      </dl>
      <Card>
        <CardHeader>
          <CardTitle>Messages</CardTitle>
          <CardDescription>
            {RANGE_LABEL[range]}, {formatCount(totals.opt_outs)} opt-out
            {totals.opt_outs === 1 ? "" : "s"}
          </CardDescription>
        </CardHeader>
        <CardContent>
          {quiet ? (
            <EmptyState icon={Send} title={`No messages in the ${RANGE_LABEL[range]}`}>
              Sent and received messages appear here as they happen.
            </EmptyState>
          ) : (
            <ActivityChart activity={activity.data} />
          )}
        </CardContent>
      </Card>
    </div>
  );
}

function CampaignRow({ campaign }: { campaign: CampaignProgress }) {
  const percent = campaign.audience ? Math.round((campaign.done / campaign.audience) * 100) : 0;
  const href = `/campaigns/view?id=${campaign.id}`;
  const name = pageExists("/campaigns/view") ? (
    <Link href={href} className="truncate font-medium hover:underline">
      {campaign.name}
    </Link>
  ) : (
    <span className="truncate font-medium">{campaign.name}</span>
  );
  return (
    <li className="grid gap-2 py-3 first:pt-0 last:pb-0">
      <div className="flex items-center justify-between gap-3 text-sm">
        {name}
        <Badge
          variant={
            campaign.status === "running"
              ? "success"
              : campaign.status === "paused"
                ? "warning"
                : "primary"
          }
        >
          {campaign.status}
        </Badge>
      </div>
      {campaign.status === "scheduled" ? (
        <p className="flex items-center gap-1.5 text-xs text-muted-foreground">
          <CalendarClock className="size-3.5" aria-hidden="true" />
          {campaign.send_at ? `Starts ${formatDateTime(campaign.send_at)}` : "Scheduled"}
        </p>
      ) : (
        <div className="grid gap-1">
          <Progress value={percent} aria-label={`${campaign.name}: ${percent}% sent`} />
          <p className="text-xs text-muted-foreground tabular-nums">
            {formatCount(campaign.done)} of {formatCount(campaign.audience)} ({percent}%)
            {campaign.pause_reason ? ` · paused: ${campaign.pause_reason}` : ""}
          </p>
        </div>
      )}
    </li>
  );
}

export function CampaignsInFlight() {
  const campaigns = useCampaignsInFlight();
  return (
    <Card>
      <CardHeader>
        <CardTitle>Campaigns in flight</CardTitle>
        <CardDescription>Running, paused and scheduled</CardDescription>
      </CardHeader>
      <CardContent>
        {campaigns.isPending ? (
          <LoadingState rows={3} label="Loading campaigns" />
        ) : campaigns.isError ? (
          <ErrorState
            error={problemMessage(campaigns.error)}
            onRetry={() => void campaigns.refetch()}
          />
        ) : campaigns.data.length === 0 ? (
          <EmptyState
            icon={Send}
            title="No campaign is sending"
            action={
              pageExists("/campaigns") ? (
                <Button asChild size="sm">
                  <Link href="/campaigns">Create a campaign</Link>
                </Button>
              ) : undefined
            }
          >
            A campaign sends one message to an audience, at the pace your numbers allow.
          </EmptyState>
        ) : (
          <ul className="divide-y">
            {campaigns.data.map((c) => (
              <CampaignRow key={c.id} campaign={c} />
            ))}
          </ul>
        )}
      </CardContent>
    </Card>
  );
}

export function NumbersInTrouble() {
  const numbers = useNumbersInTrouble();
  return (
    <Card>
      <CardHeader>
        <CardTitle>Numbers in trouble</CardTitle>
        <CardDescription>Paused by their delivery health</CardDescription>
      </CardHeader>
      <CardContent>
        {numbers.isPending ? (
          <LoadingState rows={2} label="Loading numbers" />
        ) : numbers.isError ? (
          <ErrorState
            error={problemMessage(numbers.error)}
            onRetry={() => void numbers.refetch()}
          />
        ) : numbers.data.length === 0 ? (
          <EmptyState icon={PhoneOff} title="All numbers are healthy">
            A number whose failures cross the threshold pauses itself and shows up here.
          </EmptyState>
        ) : (
          <ul className="divide-y">
            {numbers.data.map((n) => (
              <li key={n.id} className="flex items-start gap-3 py-3 text-sm first:pt-0 last:pb-0">
                <AlertTriangle className="mt-0.5 size-4 shrink-0 text-warning" aria-hidden="true" />
                <div className="grid gap-0.5">
                  <span className="font-medium tabular-nums">{formatPhone(n.phone_number)}</span>
                  <span className="text-muted-foreground">
                    {n.status_reason ?? "Paused after repeated failures"}
                  </span>
                </div>
              </li>
            ))}
          </ul>
        )}
      </CardContent>
    </Card>
  );
}
