"use client";

import { Download, ShieldCheck } from "lucide-react";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { Suspense, useState } from "react";

import { problemMessage } from "@/api/problem";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader } from "@/components/ui/card";
import { Label } from "@/components/ui/label";
import { Select } from "@/components/ui/select";
import { EmptyState, ErrorState, LoadingState, Spinner } from "@/components/ui/states";
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from "@/components/ui/table";
import { toast } from "@/components/ui/toast";
import { formatDateTime, formatPhone } from "@/lib/format";

import {
  type ConsentKind,
  type ConsentSource,
  downloadConsentCsv,
  useConsentLog,
  useKeywords,
} from "./hooks";
import { CardHeading, StatusBadge, SectionHeader } from "./section";

const KINDS: { value: ConsentKind; label: string }[] = [
  { value: "opt_out", label: "Opt-outs" },
  { value: "opt_in", label: "Opt-ins" },
];
const SOURCES: { value: ConsentSource; label: string }[] = [
  { value: "keyword", label: "Keyword texted" },
  { value: "api", label: "API" },
  { value: "agent", label: "Agent" },
  { value: "import", label: "Import" },
  { value: "provider_error", label: "Carrier report" },
];
const SOURCE_LABEL = Object.fromEntries(SOURCES.map((s) => [s.value, s.label])) as Record<
  ConsentSource,
  string
>;

function Keywords() {
  const keywords = useKeywords();
  return (
    <Card>
      <CardHeader>
        <CardHeading>Keywords in force</CardHeading>
        <CardDescription>
          A contact who texts one of these is opted out or back in at once and gets the matching
          reply; no message reaches an opted-out number afterwards.
        </CardDescription>
      </CardHeader>
      <CardContent>
        {keywords.isPending ? (
          <LoadingState rows={3} label="Loading keywords" />
        ) : keywords.isError ? (
          <ErrorState
            error={problemMessage(keywords.error)}
            onRetry={() => void keywords.refetch()}
          />
        ) : (
          <div className="grid gap-4">
            <dl className="grid gap-3 text-sm sm:grid-cols-[8rem_minmax(0,1fr)]">
              {(
                [
                  ["Opt out", keywords.data.opt_out],
                  ["Opt back in", keywords.data.opt_in],
                  ["Help", keywords.data.help],
                ] as const
              ).map(([label, words]) => (
                <div key={label} className="contents">
                  <dt className="font-medium">{label}</dt>
                  <dd className="flex flex-wrap gap-1.5">
                    {words.map((word) => (
                      <Badge key={word} variant="outline" className="font-mono">
                        {word}
                      </Badge>
                    ))}
                  </dd>
                </div>
              ))}
            </dl>
            <p className="text-xs text-muted-foreground">{keywords.data.matching}</p>
          </div>
        )}
      </CardContent>
    </Card>
  );
}

function useFilters() {
  const params = useSearchParams();
  const kind = params.get("kind");
  const source = params.get("source");
  return {
    kind: KINDS.some((k) => k.value === kind) ? (kind as ConsentKind) : null,
    source: SOURCES.some((s) => s.value === source) ? (source as ConsentSource) : null,
    cursor: params.get("cursor"),
  };
}

function ConsentLog() {
  const router = useRouter();
  const pathname = usePathname();
  const filters = useFilters();
  const [history, setHistory] = useState<string[]>([]);
  const [exporting, setExporting] = useState(false);
  const log = useConsentLog(filters);

  function go(next: {
    kind?: ConsentKind | null;
    source?: ConsentSource | null;
    cursor?: string | null;
  }) {
    const merged = {
      kind: filters.kind,
      source: filters.source,
      cursor: null as string | null,
      ...next,
    };
    const query = new URLSearchParams();
    if (merged.kind) query.set("kind", merged.kind);
    if (merged.source) query.set("source", merged.source);
    if (merged.cursor) query.set("cursor", merged.cursor);
    const qs = query.toString();
    router.replace(qs ? `${pathname}?${qs}` : pathname, { scroll: false });
  }

  function filter(next: { kind?: ConsentKind | null; source?: ConsentSource | null }) {
    setHistory([]);
    go({ ...next, cursor: null });
  }

  async function exportCsv() {
    setExporting(true);
    try {
      await downloadConsentCsv(filters);
    } catch (error) {
      toast.error("Export failed", problemMessage(error));
    } finally {
      setExporting(false);
    }
  }

  return (
    <Card>
      <CardHeader>
        <div className="flex flex-wrap items-start justify-between gap-3">
          <div className="grid gap-1">
            <CardHeading>Consent log</CardHeading>
            <CardDescription>
              Every opt-out and opt-in, with where it came from: the record carriers and regulators
              ask for.
            </CardDescription>
          </div>
          <Button variant="outline" onClick={() => void exportCsv()} disabled={exporting}>
            {exporting ? <Spinner label="Exporting" /> : <Download aria-hidden="true" />}
            Export CSV
          </Button>
        </div>
        <div className="mt-3 flex flex-wrap gap-4">
          <div className="grid gap-1.5">
            <Label htmlFor="consent-kind">Kind</Label>
            <Select
              id="consent-kind"
              className="w-40"
              value={filters.kind ?? ""}
              onChange={(e) => filter({ kind: (e.target.value || null) as ConsentKind | null })}
            >
              <option value="">All</option>
              {KINDS.map((k) => (
                <option key={k.value} value={k.value}>
                  {k.label}
                </option>
              ))}
            </Select>
          </div>
          <div className="grid gap-1.5">
            <Label htmlFor="consent-source">Source</Label>
            <Select
              id="consent-source"
              className="w-44"
              value={filters.source ?? ""}
              onChange={(e) => filter({ source: (e.target.value || null) as ConsentSource | null })}
            >
              <option value="">All</option>
              {SOURCES.map((s) => (
                <option key={s.value} value={s.value}>
                  {s.label}
                </option>
              ))}
            </Select>
          </div>
        </div>
      </CardHeader>
      <CardContent className="px-0 pb-0 sm:px-0">
        {log.isPending ? (
          <LoadingState rows={5} label="Loading the consent log" className="px-5 pb-5" />
        ) : log.isError ? (
          <div className="px-5 pb-5">
            <ErrorState error={problemMessage(log.error)} onRetry={() => void log.refetch()} />
          </div>
        ) : log.data.data.length === 0 ? (
          <div className="px-5 pb-5">
            <EmptyState
              icon={ShieldCheck}
              title={
                filters.kind || filters.source
                  ? "Nothing matches these filters"
                  : "No opt-outs or opt-ins yet"
              }
            >
              When a contact texts STOP or START, an agent or the API changes their consent, or a
              carrier reports a number unsubscribed, it is recorded here.
            </EmptyState>
          </div>
        ) : (
          <>
            <Table aria-label="Consent events" aria-busy={log.isFetching}>
              <TableHeader>
                <TableRow>
                  <TableHead className="pl-5">When</TableHead>
                  <TableHead>Phone</TableHead>
                  <TableHead>Change</TableHead>
                  <TableHead>Source</TableHead>
                  <TableHead className="pr-5">Detail</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {log.data.data.map((event) => (
                  <TableRow key={event.id}>
                    <TableCell className="pl-5 whitespace-nowrap">
                      {formatDateTime(event.occurred_at)}
                    </TableCell>
                    <TableCell className="font-mono text-xs whitespace-nowrap">
                      {formatPhone(event.phone)}
                    </TableCell>
                    <TableCell>
                      {event.kind === "opt_out" ? (
                        <StatusBadge tone="danger">Opted out</StatusBadge>
                      ) : (
                        <StatusBadge tone="success">Opted in</StatusBadge>
                      )}
                    </TableCell>
                    <TableCell className="whitespace-nowrap">
                      {SOURCE_LABEL[event.source]}
                    </TableCell>
                    <TableCell className="pr-5 text-muted-foreground">
                      {event.keyword ? (
                        <span className="font-mono text-xs">“{event.keyword}”</span>
                      ) : null}
                      {event.keyword && event.reason ? " · " : null}
                      {event.reason}
                      {!event.keyword && !event.reason ? "—" : null}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
            <nav
              aria-label="Consent log pages"
              className="flex items-center justify-end gap-2 border-t px-5 py-3"
            >
              <Button
                variant="outline"
                size="sm"
                disabled={history.length === 0 && !filters.cursor}
                onClick={() => {
                  const previous = history.at(-1) ?? null;
                  setHistory((h) => h.slice(0, -1));
                  go({ cursor: previous });
                }}
              >
                Newer
              </Button>
              <Button
                variant="outline"
                size="sm"
                disabled={!log.data.next_cursor}
                onClick={() => {
                  setHistory((h) => [...h, filters.cursor ?? ""]);
                  go({ cursor: log.data.next_cursor });
                }}
              >
                Older
              </Button>
            </nav>
          </>
        )}
      </CardContent>
    </Card>
  );
}

export function ComplianceSettings() {
  return (
    <>
      <SectionHeader
        title="Compliance"
        description="Opt-out handling is always on: you cannot text a contact who opted out. The HELP answer is set under Workspace."
      />
      <div className="grid grid-cols-[minmax(0,1fr)] gap-6">
        <Keywords />
        <Suspense>
          <ConsentLog />
        </Suspense>
      </div>
    </>
  );
}
