"use client";

import { Clock, MessageSquareReply, Pause, Play, Radio, Send, XCircle } from "lucide-react";
import dynamic from "next/dynamic";
import Link from "next/link";
import { useEffect, useState } from "react";

import { problemMessage } from "@/api/problem";
import { PageHeader } from "@/components/shell/app-frame";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Progress } from "@/components/ui/progress";
import { Select } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import { EmptyState, ErrorState, LoadingState } from "@/components/ui/states";
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from "@/components/ui/table";
import { toast } from "@/components/ui/toast";
import { LoadMore } from "@/components/ui/load-more";
import { formatCount, formatDateTime, formatMoney, formatPercent, formatPhone } from "@/lib/format";

import {
  type Campaign,
  type CampaignStats,
  pollEvery,
  useCampaign,
  useCampaignMessages,
  statsPollEvery,
  useCampaignStats,
  useControl,
} from "./hooks";
import { addSample, figures, type Sample } from "./live-figures";
import { CampaignStatusBadge } from "./status-badge";

// The chart library loads with the chart, not with the page's first script.
const ThroughputChart = dynamic(() => import("./throughput-chart").then((m) => m.ThroughputChart), {
  ssr: false,
  loading: () => <Skeleton className="h-56 w-full" />,
});

export const MESSAGE_STATUSES = [
  "queued",
  "scheduled",
  "sending",
  "sent",
  "delivered",
  "undelivered",
  "failed",
  "suppressed",
] as const;

function Stat({
  label,
  value,
  hint,
  testId,
}: {
  label: string;
  value: string;
  hint?: React.ReactNode;
  testId: string;
}) {
  return (
    <div className="grid content-start gap-1 rounded-xl border bg-card p-4 shadow-[0_1px_2px_0_rgb(0_0_0/0.04)]">
      <dt className="text-xs font-medium text-muted-foreground">{label}</dt>
      <dd className="text-2xl font-semibold tracking-tight tabular-nums" data-testid={testId}>
        {value}
      </dd>
      {hint ? <dd className="text-xs text-muted-foreground">{hint}</dd> : null}
    </div>
  );
}

function Actions({ campaign }: { campaign: Campaign }) {
  const control = useControl(campaign.id);
  const run = (action: "pause" | "resume" | "cancel", done: string) => async () => {
    try {
      await control.mutateAsync(action);
      toast.success(done);
    } catch (error) {
      toast.error("That did not work", problemMessage(error));
      throw error;
    }
  };
  const canCancel = ["scheduled", "running", "paused"].includes(campaign.status);
  return (
    <>
      {campaign.status === "running" ? (
        <ConfirmDialog
          trigger={
            <Button variant="outline">
              <Pause aria-hidden="true" />
              Pause
            </Button>
          }
          title="Pause this campaign?"
          description="No new message goes out from within a second. Resume it later: nobody is sent to twice."
          confirmLabel="Pause"
          pending={control.isPending}
          onConfirm={run("pause", "Campaign paused")}
        />
      ) : null}
      {campaign.status === "paused" ? (
        <ConfirmDialog
          trigger={
            <Button>
              <Play aria-hidden="true" />
              Resume
            </Button>
          }
          title="Resume this campaign?"
          description="It carries on with the contacts not sent to yet, at the same pace."
          confirmLabel="Resume"
          pending={control.isPending}
          onConfirm={run("resume", "Campaign resumed")}
        />
      ) : null}
      {canCancel ? (
        <ConfirmDialog
          trigger={
            <Button variant="outline">
              <XCircle aria-hidden="true" />
              Cancel campaign
            </Button>
          }
          title="Cancel this campaign?"
          description="Contacts not sent to yet will never get it. Messages already sent stay sent. This cannot be undone."
          confirmLabel="Cancel campaign"
          destructive
          pending={control.isPending}
          onConfirm={run("cancel", "Campaign cancelled")}
        />
      ) : null}
    </>
  );
}

function useThroughput(stats: CampaignStats | undefined, updatedAt: number): Sample[] {
  const [series, setSeries] = useState<Sample[]>([]);
  useEffect(() => {
    if (!stats || !updatedAt) return;
    // One sample per poll (a 304 counts: nothing moved in that interval).
    // eslint-disable-next-line react-hooks/set-state-in-effect -- appends to a series
    setSeries((s) => addSample(s, stats, updatedAt));
  }, [stats, updatedAt]);
  return series;
}

function LiveStats({ campaign }: { campaign: Campaign }) {
  const stats = useCampaignStats(campaign);
  const series = useThroughput(stats.data, stats.dataUpdatedAt);
  if (stats.isPending) {
    return (
      <div className="grid grid-cols-2 gap-3 md:grid-cols-3 xl:grid-cols-6">
        {Array.from({ length: 6 }, (_, i) => (
          <Skeleton key={i} className="h-[88px] rounded-xl" />
        ))}
      </div>
    );
  }
  if (stats.isError) {
    return (
      <ErrorState
        title="The figures could not be loaded"
        error={problemMessage(stats.error)}
        onRetry={() => void stats.refetch()}
      />
    );
  }
  const s = stats.data;
  const f = figures(s);
  const every = statsPollEvery(campaign, s);
  return (
    <div className="grid gap-6">
      <Card>
        <CardContent className="grid gap-3 pt-6">
          <div className="flex flex-wrap items-center justify-between gap-2 text-sm">
            <span className="font-medium tabular-nums" data-testid="progress-text">
              {formatCount(f.done)} of {formatCount(f.audience)} contacts done ({f.percent}%)
            </span>
            <span
              className="flex items-center gap-1.5 text-xs text-muted-foreground"
              aria-live="off"
            >
              {every !== false ? (
                <>
                  <Radio className="size-3.5 text-success" aria-hidden="true" />
                  {pollEvery(campaign.status) !== false
                    ? `Live · every ${every / 1000} s`
                    : "Waiting for delivery receipts"}
                </>
              ) : (
                "Final figures"
              )}
            </span>
          </div>
          <Progress value={f.percent} aria-label={`${f.percent}% of the audience done`} />
          {s.waiting_for_quiet_hours ? (
            <p className="flex items-center gap-1.5 text-sm text-muted-foreground">
              <Clock className="size-4" aria-hidden="true" />
              {formatCount(s.waiting_for_quiet_hours)} waiting for quiet hours to end in their
              contacts&apos; time zones
              {s.next_due_at ? `; next due ${formatDateTime(s.next_due_at)}` : ""}.
            </p>
          ) : null}
        </CardContent>
      </Card>
      <dl className="grid grid-cols-2 gap-3 md:grid-cols-3 xl:grid-cols-6">
        <Stat
          label="Sent"
          value={formatCount(f.handedOver)}
          hint={`${formatCount(s.queued + s.sending + s.pending)} to go`}
          testId="stat-sent"
        />
        <Stat
          label="Delivered"
          value={formatCount(f.delivered)}
          hint={`${formatPercent(f.deliveryRate)} delivery rate`}
          testId="stat-delivered"
        />
        <Stat
          label="Failed"
          value={formatCount(f.failed)}
          hint={s.skipped ? `${formatCount(s.skipped)} skipped (opted out meanwhile)` : undefined}
          testId="stat-failed"
        />
        <Stat label="Replies" value={formatCount(s.replies)} testId="stat-replies" />
        <Stat label="Opt-outs" value={formatCount(s.opted_out_during)} testId="stat-optouts" />
        <Stat
          label="Cost"
          value={formatMoney(s.actual_cost_minor)}
          hint={`${formatMoney(s.estimated_cost_minor)} estimated · ${formatCount(s.segments)} segments`}
          testId="stat-cost"
        />
      </dl>
      <div className="grid gap-6 lg:grid-cols-[minmax(0,2fr)_minmax(0,1fr)]">
        <Card>
          <CardHeader>
            <CardTitle>Throughput</CardTitle>
            <CardDescription>
              Messages per second while this page is open ({s.throughput_per_second} now)
            </CardDescription>
          </CardHeader>
          <CardContent>
            {series.length > 1 ? (
              <ThroughputChart series={series} />
            ) : every !== false ? (
              <EmptyState icon={Send} title="Measuring">
                The chart fills in with every refresh while the campaign sends.
              </EmptyState>
            ) : (
              <EmptyState icon={Send} title="Not sending now">
                The chart draws while the campaign sends, from this page&apos;s refreshes.
              </EmptyState>
            )}
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Failures by error code</CardTitle>
            <CardDescription>As the carriers reported them</CardDescription>
          </CardHeader>
          <CardContent>
            {f.failures.length === 0 ? (
              <p className="text-sm text-muted-foreground">No failures.</p>
            ) : (
              <ul className="grid gap-2 text-sm" aria-label="Failures by error code">
                {f.failures.map((x) => (
                  <li key={x.code} className="flex items-center justify-between gap-2">
                    <span>
                      <code className="mr-2 text-xs text-muted-foreground">{x.code}</code>
                      {x.label}
                    </span>
                    <span className="font-medium tabular-nums">{formatCount(x.count)}</span>
                  </li>
                ))}
              </ul>
            )}
          </CardContent>
        </Card>
      </div>
    </div>
  );
}

function Messages({
  campaign,
  status,
  onStatus,
}: {
  campaign: Campaign;
  status: string | null;
  onStatus: (next: string | null) => void;
}) {
  const messages = useCampaignMessages(campaign, status);
  const rows = messages.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <Card>
      <CardHeader className="flex flex-row flex-wrap items-center justify-between gap-3">
        <div className="grid gap-1">
          <CardTitle>Messages</CardTitle>
          <CardDescription>Newest first</CardDescription>
        </div>
        <Select
          aria-label="Message status"
          className="w-44"
          value={status ?? ""}
          onChange={(e) => onStatus(e.target.value || null)}
        >
          <option value="">All statuses</option>
          {MESSAGE_STATUSES.map((s) => (
            <option key={s} value={s}>
              {s[0]!.toUpperCase() + s.slice(1)}
            </option>
          ))}
        </Select>
      </CardHeader>
      <CardContent className="px-0">
        {messages.isPending ? (
          <LoadingState rows={4} label="Loading messages" className="px-6" />
        ) : messages.isError ? (
          <ErrorState
            error={problemMessage(messages.error)}
            onRetry={() => void messages.refetch()}
            className="mx-6"
          />
        ) : rows.length === 0 ? (
          <EmptyState className="mx-6" title={status ? `No ${status} messages` : "No messages yet"}>
            {status ? "Choose another status." : "Messages appear here as they are written."}
          </EmptyState>
        ) : (
          <Table aria-label="Messages">
            <TableHeader>
              <TableRow>
                <TableHead className="pl-6">To</TableHead>
                <TableHead>Status</TableHead>
                <TableHead>Error</TableHead>
                <TableHead>Segments</TableHead>
                <TableHead className="pr-6">Sent</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {rows.map((m) => (
                <TableRow key={m.id}>
                  <TableCell className="pl-6 whitespace-nowrap tabular-nums">
                    {formatPhone(m.to_number)}
                  </TableCell>
                  <TableCell>
                    <Badge
                      className={m.status === "delivered" ? "text-success-strong" : undefined}
                      variant={
                        m.status === "delivered"
                          ? "success"
                          : m.status === "failed" || m.status === "undelivered"
                            ? "danger"
                            : "neutral"
                      }
                    >
                      {m.status}
                    </Badge>
                  </TableCell>
                  <TableCell className="text-muted-foreground" title={m.error_message ?? undefined}>
                    {m.error_code ?? "—"}
                  </TableCell>
                  <TableCell className="tabular-nums">
                    {m.segments} · {m.encoding}
                  </TableCell>
                  <TableCell className="pr-6 whitespace-nowrap text-muted-foreground">
                    {(m.sent_at ?? m.delivered_at ?? m.failed_at)
                      ? formatDateTime((m.sent_at ?? m.delivered_at ?? m.failed_at)!)
                      : m.due_at
                        ? `Due ${formatDateTime(m.due_at)}`
                        : "—"}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
        <LoadMore pages={messages} label="Show more" size="sm" className="border-t p-3" />
      </CardContent>
    </Card>
  );
}

function Summary({ campaign }: { campaign: Campaign }) {
  const parts = [
    campaign.launched_at ? `Launched ${formatDateTime(campaign.launched_at)}` : null,
    campaign.status === "scheduled" && campaign.send_at
      ? `Starts ${formatDateTime(campaign.send_at)}`
      : null,
    campaign.completed_at ? `completed ${formatDateTime(campaign.completed_at)}` : null,
    campaign.cancelled_at ? `cancelled ${formatDateTime(campaign.cancelled_at)}` : null,
    campaign.quiet_hours
      ? `quiet hours ${campaign.quiet_hours.start}–${campaign.quiet_hours.end} local`
      : "no quiet hours",
    campaign.rate_cap_mps ? `capped at ${campaign.rate_cap_mps} msg/s` : null,
  ].filter(Boolean);
  return (
    <span className="flex flex-wrap items-center gap-2">
      <CampaignStatusBadge status={campaign.status} />
      <span>{parts.join(" · ")}</span>
    </span>
  );
}

/** A campaign: live progress and outcomes, throughput, messages; pause, resume, cancel. */
export function CampaignDetail({
  id,
  messageStatus,
  onMessageStatus,
}: {
  id: string;
  messageStatus: string | null;
  onMessageStatus: (next: string | null) => void;
}) {
  const campaign = useCampaign(id);
  if (campaign.isPending) return <LoadingState rows={8} label="Loading the campaign" />;
  if (campaign.isError) {
    return (
      <ErrorState
        title="This campaign could not be loaded"
        error={problemMessage(campaign.error)}
        onRetry={() => void campaign.refetch()}
      />
    );
  }
  const c = campaign.data;
  return (
    <>
      <PageHeader
        title={c.name}
        description={<Summary campaign={c} />}
        actions={
          c.status === "draft" ? (
            <Button asChild>
              <Link href={`/campaigns/new?id=${c.id}`}>Finish the draft</Link>
            </Button>
          ) : (
            <Actions campaign={c} />
          )
        }
      />
      <div className="grid gap-6">
        {c.status === "paused" && c.pause_reason ? (
          <Alert variant="warning">Paused: {c.pause_reason}</Alert>
        ) : null}
        {c.body || c.template_id ? (
          <p className="flex items-start gap-2 text-sm text-muted-foreground">
            <MessageSquareReply className="mt-0.5 size-4 shrink-0" aria-hidden="true" />
            <span className="break-words whitespace-pre-wrap">
              {c.body ?? `Template, version ${c.template_version}`}
            </span>
          </p>
        ) : null}
        <LiveStats campaign={c} />
        <Messages campaign={c} status={messageStatus} onStatus={onMessageStatus} />
      </div>
    </>
  );
}
