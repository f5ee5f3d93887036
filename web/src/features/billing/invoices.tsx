"use client";

import { ExternalLink, FileText, Receipt } from "lucide-react";

import { problemMessage } from "@/api/problem";
import { StatusBadge } from "@/components/ui/status-badge";
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

import { formatAmount, statusLabel } from "./format";
import { type Invoice, type UpcomingInvoice, useInvoices } from "./hooks";

const day = new Intl.DateTimeFormat("en-US", { dateStyle: "medium" });
const formatDay = (iso: string | null | undefined) => (iso ? day.format(new Date(iso)) : "—");

function period(start: string | null | undefined, end: string | null | undefined): string {
  return start && end ? `${formatDay(start)} – ${formatDay(end)}` : formatDay(start ?? end);
}

export function UpcomingInvoiceSummary({ invoice }: { invoice: UpcomingInvoice | null }) {
  if (!invoice) {
    return (
      <p className="text-sm text-muted-foreground">
        Nothing to pay: the free plan has no invoice. Upgrade to send beyond its allowance.
      </p>
    );
  }
  return (
    <div className="grid gap-3" data-testid="upcoming-invoice">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <p className="text-2xl font-semibold tabular-nums">
          {formatAmount(invoice.amount_due_minor, invoice.currency)}
        </p>
        <p className="text-sm text-muted-foreground">
          {invoice.next_payment_attempt
            ? `Due ${formatDay(invoice.next_payment_attempt)}`
            : period(invoice.period_start, invoice.period_end)}
        </p>
      </div>
      {invoice.source === "estimate" ? (
        <p className="text-xs text-muted-foreground">
          An estimate from the plan and the usage recorded here (Stripe did not answer).
        </p>
      ) : null}
      <ul className="grid gap-1 text-sm">
        {invoice.lines.map((line, i) => (
          <li key={i} className="flex justify-between gap-4">
            <span className="min-w-0 text-muted-foreground">{line.description}</span>
            <span className="tabular-nums">
              {formatAmount(line.amount_minor, invoice.currency)}
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}

function statusVariant(status: string | null | undefined) {
  if (status === "paid") return "success" as const;
  if (status === "open") return "warning" as const;
  if (status === "uncollectible") return "danger" as const;
  return "neutral" as const;
}

function InvoiceLinks({ invoice }: { invoice: Invoice }) {
  const label = invoice.number ?? invoice.id;
  return (
    <span className="flex justify-end gap-3">
      {invoice.hosted_invoice_url ? (
        <a
          href={invoice.hosted_invoice_url}
          target="_blank"
          rel="noreferrer"
          className="inline-flex items-center gap-1 text-primary hover:underline"
          aria-label={`View invoice ${label}`}
        >
          View
          <ExternalLink className="size-3.5" aria-hidden />
        </a>
      ) : null}
      {invoice.invoice_pdf ? (
        <a
          href={invoice.invoice_pdf}
          target="_blank"
          rel="noreferrer"
          className="inline-flex items-center gap-1 text-primary hover:underline"
          aria-label={`PDF of invoice ${label}`}
        >
          PDF
          <FileText className="size-3.5" aria-hidden />
        </a>
      ) : null}
    </span>
  );
}

/** Stripe's invoices of the workspace, newest first, 10 at a time. */
export function InvoiceList({ enabled }: { enabled: boolean }) {
  const invoices = useInvoices(enabled);
  const rows = invoices.data?.pages.flatMap((p) => p.data) ?? [];
  if (!enabled || (invoices.isSuccess && rows.length === 0)) {
    return (
      <EmptyState icon={Receipt} title="No invoices yet">
        Invoices appear here once the workspace has a paid plan.
      </EmptyState>
    );
  }
  if (invoices.isPending) return <LoadingState rows={3} label="Loading invoices" />;
  if (invoices.isError) {
    return (
      <ErrorState error={problemMessage(invoices.error)} onRetry={() => void invoices.refetch()} />
    );
  }
  return (
    <div className="grid gap-3">
      <Table aria-label="Invoices">
        <TableHeader>
          <TableRow>
            <TableHead>Invoice</TableHead>
            <TableHead>Period</TableHead>
            <TableHead>Status</TableHead>
            <TableHead className="text-right">Amount</TableHead>
            <TableHead>
              <span className="sr-only">Links</span>
            </TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {rows.map((invoice) => (
            <TableRow key={invoice.id} data-invoice={invoice.id}>
              <TableCell className="font-medium whitespace-nowrap">
                {invoice.number ?? invoice.id}
                <span className="block text-xs font-normal text-muted-foreground">
                  {formatDay(invoice.created)}
                </span>
              </TableCell>
              <TableCell className="whitespace-nowrap">
                {period(invoice.period_start, invoice.period_end)}
              </TableCell>
              <TableCell>
                <StatusBadge tone={statusVariant(invoice.status)}>
                  {statusLabel(invoice.status ?? "draft")}
                </StatusBadge>
              </TableCell>
              <TableCell className="text-right whitespace-nowrap tabular-nums">
                {formatAmount(invoice.total_minor, invoice.currency)}
              </TableCell>
              <TableCell>
                <InvoiceLinks invoice={invoice} />
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <LoadMore pages={invoices} />
    </div>
  );
}
