"use client";

import { ChevronDown, ChevronRight, History, RotateCw } from "lucide-react";
import * as React from "react";

import { problemMessage } from "@/api/problem";
import { Button } from "@/components/ui/button";
import { Label } from "@/components/ui/label";
import { Select } from "@/components/ui/select";
import { StatusBadge } from "@/components/ui/status-badge";
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
import { type QueryChanges, useQueryParams } from "@/lib/use-query-params";

import {
  type Attempt,
  type Delivery,
  type DeliveryFilters,
  type DeliveryStatus,
  useDeliveries,
  useEventTypes,
  useReplay,
} from "./hooks";

/** Attempts can be seconds apart: their times keep the seconds; today's omit the date. */
const timeOnly = new Intl.DateTimeFormat("en-US", { timeStyle: "medium" });
const withDay = new Intl.DateTimeFormat("en-US", {
  month: "short",
  day: "numeric",
  hour: "numeric",
  minute: "2-digit",
  second: "2-digit",
});
function formatDateTime(iso: string): string {
  const at = new Date(iso);
  return at.toDateString() === new Date().toDateString() ? timeOnly.format(at) : withDay.format(at);
}

const STATUSES: { value: DeliveryStatus; label: string }[] = [
  { value: "pending", label: "Pending" },
  { value: "succeeded", label: "Succeeded" },
  { value: "failed", label: "Failed" },
];

function isStatus(value: string | null): value is DeliveryStatus {
  return STATUSES.some((s) => s.value === value);
}

/** The filters of the log live in the URL (`status`, `event`), so a filtered view is a link. */
export function useDeliveryFilters(): [
  DeliveryFilters,
  (change: Partial<DeliveryFilters>) => void,
] {
  const [params, setParams] = useQueryParams();
  const status = params.get("status");
  const filters: DeliveryFilters = {
    status: isStatus(status) ? status : undefined,
    eventType: params.get("event") || undefined,
  };
  const set = (change: Partial<DeliveryFilters>) => {
    const changes: QueryChanges = {};
    if ("status" in change) changes.status = change.status;
    if ("eventType" in change) changes.event = change.eventType;
    setParams(changes);
  };
  return [filters, set];
}

export function DeliveryStatusBadge({ status }: { status: DeliveryStatus }) {
  const tone = status === "succeeded" ? "success" : status === "failed" ? "danger" : "warning";
  const label = STATUSES.find((s) => s.value === status)?.label ?? status;
  return <StatusBadge tone={tone}>{label}</StatusBadge>;
}

function httpLabel(code: number | null | undefined, error: string | null | undefined): string {
  if (code) return String(code);
  return error ? "No answer" : "—";
}

function latencyLabel(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? "—" : `${ms} ms`;
}

/** Every delivery to one endpoint, newest first, with its attempts; live while pending. */
export function DeliveryLog({ endpointId, canReplay }: { endpointId: string; canReplay: boolean }) {
  const [filters, setFilters] = useDeliveryFilters();
  const deliveries = useDeliveries(endpointId, filters);
  const eventTypes = useEventTypes();
  const rows = deliveries.data?.pages.flatMap((p) => p.data) ?? [];
  const filtered = Boolean(filters.status || filters.eventType);

  return (
    <section aria-labelledby="delivery-log-title" className="grid grid-cols-[minmax(0,1fr)] gap-3">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div className="grid gap-1">
          <h3 id="delivery-log-title" className="text-base font-semibold">
            Delivery log
          </h3>
          <p className="text-sm text-muted-foreground">
            Each event sent here with its attempts. Only 2xx answers succeed; failures are retried
            for up to 5 days.
          </p>
        </div>
        <div className="flex flex-wrap items-end gap-2">
          <div className="grid gap-1">
            <Label htmlFor="filter-status" className="text-xs text-muted-foreground">
              Status
            </Label>
            <Select
              id="filter-status"
              value={filters.status ?? ""}
              onChange={(e) =>
                setFilters({ status: isStatus(e.target.value) ? e.target.value : undefined })
              }
              className="w-36"
            >
              <option value="">Any status</option>
              {STATUSES.map((s) => (
                <option key={s.value} value={s.value}>
                  {s.label}
                </option>
              ))}
            </Select>
          </div>
          <div className="grid gap-1">
            <Label htmlFor="filter-event" className="text-xs text-muted-foreground">
              Event type
            </Label>
            <Select
              id="filter-event"
              value={filters.eventType ?? ""}
              onChange={(e) => setFilters({ eventType: e.target.value || undefined })}
              className="w-52"
            >
              <option value="">Any event type</option>
              {(eventTypes.data ?? []).map((t) => (
                <option key={t.type} value={t.type}>
                  {t.type}
                </option>
              ))}
            </Select>
          </div>
        </div>
      </div>
      {deliveries.isPending ? (
        <LoadingState rows={5} label="Loading deliveries" />
      ) : deliveries.isError ? (
        <ErrorState
          error={problemMessage(deliveries.error)}
          onRetry={() => void deliveries.refetch()}
        />
      ) : rows.length === 0 ? (
        <EmptyState icon={History} title={filtered ? "No delivery matches" : "No deliveries yet"}>
          {filtered
            ? "Change or clear the filters to see other deliveries."
            : "Events you subscribed to appear here as they are sent. Send a test event to try the endpoint."}
        </EmptyState>
      ) : (
        <div className="rounded-xl border bg-card">
          <Table aria-label="Deliveries">
            <TableHeader>
              <TableRow>
                <TableHead className="w-8">
                  <span className="sr-only">Details</span>
                </TableHead>
                <TableHead>Event</TableHead>
                <TableHead>Status</TableHead>
                <TableHead>HTTP</TableHead>
                <TableHead>Latency</TableHead>
                <TableHead>Attempts</TableHead>
                <TableHead>Next retry</TableHead>
                <TableHead>
                  <span className="sr-only">Actions</span>
                </TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {rows.map((delivery) => (
                <DeliveryRow
                  key={delivery.id}
                  delivery={delivery}
                  endpointId={endpointId}
                  canReplay={canReplay}
                />
              ))}
            </TableBody>
          </Table>
        </div>
      )}
      <LoadMore pages={deliveries} />
    </section>
  );
}

function DeliveryRow({
  delivery,
  endpointId,
  canReplay,
}: {
  delivery: Delivery;
  endpointId: string;
  canReplay: boolean;
}) {
  const [open, setOpen] = React.useState(false);
  const replay = useReplay(endpointId);
  const last = delivery.attempt_log[0];
  const detailsId = `delivery-${delivery.id}`;
  const nextRetry = delivery.status === "pending" ? delivery.next_attempt_at : null;

  return (
    <>
      <TableRow data-delivery={delivery.id} data-status={delivery.status}>
        <TableCell className="pr-0">
          <Button
            variant="ghost"
            size="icon"
            className="size-7"
            aria-expanded={open}
            aria-controls={detailsId}
            aria-label={`Attempts of ${delivery.event_type} at ${formatDateTime(delivery.created_at)}`}
            onClick={() => setOpen(!open)}
          >
            {open ? <ChevronDown aria-hidden /> : <ChevronRight aria-hidden />}
          </Button>
        </TableCell>
        <TableCell>
          <code className="font-mono text-xs">{delivery.event_type}</code>
          <span className="block text-xs whitespace-nowrap text-muted-foreground">
            {formatDateTime(delivery.created_at)}
          </span>
        </TableCell>
        <TableCell>
          <DeliveryStatusBadge status={delivery.status} />
        </TableCell>
        <TableCell className="tabular-nums">
          {httpLabel(delivery.last_status_code, delivery.last_error)}
        </TableCell>
        <TableCell className="whitespace-nowrap tabular-nums">
          {latencyLabel(last?.latency_ms)}
        </TableCell>
        <TableCell className="tabular-nums">{delivery.attempts}</TableCell>
        <TableCell className="text-xs whitespace-nowrap">
          {nextRetry ? formatDateTime(nextRetry) : "—"}
        </TableCell>
        <TableCell className="text-right">
          {canReplay ? (
            <Button
              variant="outline"
              size="sm"
              disabled={replay.isPending}
              aria-label={`Replay ${delivery.event_type} of ${formatDateTime(delivery.created_at)}`}
              onClick={() =>
                replay.mutate(delivery.id, {
                  onSuccess: () => toast.success("Replay sent", "Same webhook-id, new signature."),
                  onError: (error) => toast.error("Could not replay", problemMessage(error)),
                })
              }
            >
              <RotateCw aria-hidden />
              Replay
            </Button>
          ) : null}
        </TableCell>
      </TableRow>
      {open ? (
        <TableRow id={detailsId} className="bg-muted/30 hover:bg-muted/30">
          <TableCell colSpan={8} className="py-3">
            <DeliveryDetails delivery={delivery} />
          </TableCell>
        </TableRow>
      ) : null}
    </>
  );
}

function DeliveryDetails({ delivery }: { delivery: Delivery }) {
  return (
    <div className="grid gap-3 text-sm">
      <p className="text-xs text-muted-foreground">
        webhook-id <code className="font-mono text-foreground">{delivery.webhook_id}</code>
        {delivery.delivered_at ? ` · delivered ${formatDateTime(delivery.delivered_at)}` : null}
      </p>
      {delivery.attempt_log.length === 0 ? (
        <p className="text-muted-foreground">No attempt yet: the first one is on its way.</p>
      ) : (
        <ol className="grid gap-2" aria-label="Attempts, newest first">
          {delivery.attempt_log.map((attempt) => (
            <AttemptItem key={attempt.id} attempt={attempt} />
          ))}
        </ol>
      )}
    </div>
  );
}

function AttemptItem({ attempt }: { attempt: Attempt }) {
  const ok =
    attempt.status_code !== null && attempt.status_code >= 200 && attempt.status_code < 300;
  return (
    <li className="grid gap-1.5 rounded-md border bg-card p-3">
      <div className="flex flex-wrap items-center gap-x-4 gap-y-1 text-xs">
        <span className="font-medium">{formatDateTime(attempt.started_at)}</span>
        <StatusBadge tone={ok ? "success" : "danger"}>
          {attempt.status_code ? `HTTP ${attempt.status_code}` : "No answer"}
        </StatusBadge>
        <span className="text-muted-foreground">{latencyLabel(attempt.latency_ms)}</span>
        {attempt.next_retry_at ? (
          <span className="text-muted-foreground">
            Next retry {formatDateTime(attempt.next_retry_at)}
          </span>
        ) : null}
      </div>
      {attempt.error && !/^HTTP \d+$/.test(attempt.error) ? (
        <p className="text-xs text-destructive">{attempt.error}</p>
      ) : null}
      {attempt.response_body ? (
        <pre className="max-h-40 overflow-auto rounded bg-muted p-2 font-mono text-xs break-all whitespace-pre-wrap">
          {attempt.response_body}
        </pre>
      ) : null}
    </li>
  );
}
