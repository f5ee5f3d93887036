"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { Gauge, MoreHorizontal, Pause, Phone, Play, Trash2 } from "lucide-react";
import * as React from "react";
import { useForm } from "react-hook-form";

import { applyProblem, problemMessage } from "@/api/problem";
import { Alert } from "@/components/ui/alert";
import { StatusBadge } from "@/components/ui/status-badge";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Dialog, DialogContent, DialogFooter } from "@/components/ui/dialog";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
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
import { LoadMore } from "@/components/ui/load-more";
import { atLeast } from "@/features/tenancy/roles";
import { useRole } from "@/features/tenancy/session";
import { formatDateTime, formatPhone } from "@/lib/format";

import {
  type NumberStatus,
  type PhoneNumber,
  useNumbers,
  useReleaseNumber,
  useUpdateNumber,
} from "./hooks";
import { mpsSchema, type MpsValues } from "./schemas";
import { MPS_MAX, numberHealth } from "./status";

function RateDialog({ number, onClose }: { number: PhoneNumber; onClose: () => void }) {
  const update = useUpdateNumber();
  const form = useForm<MpsValues>({
    resolver: zodResolver(mpsSchema),
    defaultValues: { mps: String(number.mps) },
  });
  const { errors, isSubmitting } = form.formState;
  const onSubmit = form.handleSubmit(async (values) => {
    try {
      await update.mutateAsync({ id: number.id, mps: Number(values.mps) });
      toast.success(
        `${formatPhone(number.phone_number)} now sends ${String(values.mps)} per second`,
      );
      onClose();
    } catch (error) {
      applyProblem(form, error, { fields: ["mps"] });
    }
  });
  return (
    <Dialog open onOpenChange={(open) => !open && onClose()}>
      <DialogContent
        title={`Rate of ${formatPhone(number.phone_number)}`}
        description="Messages per second this number may send. Carriers set the ceiling: about 1 for a long code, 30 or more for a toll-free or short code."
      >
        <form onSubmit={onSubmit} noValidate className="grid gap-4">
          <Field
            id="mps"
            label="Messages per second"
            error={errors.mps?.message}
            hint={`More than 0, at most ${MPS_MAX}.`}
          >
            <Input
              type="number"
              step="0.1"
              min="0"
              max={MPS_MAX}
              autoFocus
              {...form.register("mps")}
            />
          </Field>
          {errors.root?.server ? <Alert variant="error">{errors.root.server.message}</Alert> : null}
          <DialogFooter>
            <Button type="button" variant="outline" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" disabled={isSubmitting}>
              {isSubmitting ? <Spinner className="text-primary-foreground" label="Saving" /> : null}
              Save rate
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}

type Pending = { kind: "rate" | "release"; number: PhoneNumber } | null;

function NumberActions({ number, onPick }: { number: PhoneNumber; onPick: (p: Pending) => void }) {
  const update = useUpdateNumber();
  const phone = formatPhone(number.phone_number);
  const setStatus = async (status: "active" | "paused") => {
    try {
      await update.mutateAsync({ id: number.id, status });
      toast.success(status === "active" ? `${phone} resumed` : `${phone} paused`);
    } catch (error) {
      toast.error(`Could not change ${phone}`, problemMessage(error));
    }
  };
  if (number.status === "released") return null;
  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button variant="ghost" size="icon" aria-label={`Actions for ${phone}`}>
          <MoreHorizontal aria-hidden="true" />
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="end">
        {number.status === "active" ? (
          <DropdownMenuItem onSelect={() => void setStatus("paused")}>
            <Pause aria-hidden="true" /> Pause
          </DropdownMenuItem>
        ) : (
          <DropdownMenuItem onSelect={() => void setStatus("active")}>
            <Play aria-hidden="true" /> Resume
          </DropdownMenuItem>
        )}
        <DropdownMenuItem onSelect={() => onPick({ kind: "rate", number })}>
          <Gauge aria-hidden="true" /> Change rate
        </DropdownMenuItem>
        <DropdownMenuItem
          className="text-destructive [&_svg]:text-destructive"
          onSelect={() => onPick({ kind: "release", number })}
        >
          <Trash2 aria-hidden="true" /> Release
        </DropdownMenuItem>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}

export function NumbersTable({ status }: { status: NumberStatus | null }) {
  const numbers = useNumbers(status);
  const release = useReleaseNumber();
  const canManage = atLeast(useRole(), "admin");
  const [pending, setPending] = React.useState<Pending>(null);

  if (numbers.isPending) return <LoadingState rows={4} label="Loading numbers" />;
  if (numbers.isError) {
    return (
      <ErrorState error={problemMessage(numbers.error)} onRetry={() => void numbers.refetch()} />
    );
  }
  const rows = numbers.data.pages.flatMap((p) => p.data);
  if (rows.length === 0) {
    return (
      <EmptyState icon={Phone} title={status ? `No ${status} number` : "No number yet"}>
        {status
          ? "Numbers in this state show up here."
          : "Buy a number, or import the ones of your Twilio account, to start sending."}
      </EmptyState>
    );
  }
  return (
    <>
      <Table aria-label="Numbers">
        <TableHeader>
          <TableRow>
            <TableHead>Number</TableHead>
            <TableHead>Type</TableHead>
            <TableHead>Health</TableHead>
            <TableHead className="text-right">Rate</TableHead>
            <TableHead>Added</TableHead>
            {canManage ? (
              <TableHead>
                <span className="sr-only">Actions</span>
              </TableHead>
            ) : null}
          </TableRow>
        </TableHeader>
        <TableBody>
          {rows.map((n) => {
            const health = numberHealth(n);
            return (
              <TableRow key={n.id} data-number={n.phone_number}>
                <TableCell>
                  <div className="grid">
                    <span className="font-medium tabular-nums">{formatPhone(n.phone_number)}</span>
                    <span className="text-xs text-muted-foreground">
                      {n.provider}
                      {n.friendly_name && n.friendly_name !== n.phone_number
                        ? ` · ${n.friendly_name}`
                        : ""}
                    </span>
                  </div>
                </TableCell>
                <TableCell className="capitalize">{n.number_type.replace("_", " ")}</TableCell>
                <TableCell>
                  <div className="grid justify-items-start gap-1">
                    <StatusBadge tone={health.variant}>{health.label}</StatusBadge>
                    {health.why ? (
                      <span className="max-w-64 text-xs text-muted-foreground">{health.why}</span>
                    ) : null}
                  </div>
                </TableCell>
                <TableCell className="text-right tabular-nums">{n.mps} / s</TableCell>
                <TableCell className="whitespace-nowrap text-muted-foreground">
                  {formatDateTime(n.created_at)}
                </TableCell>
                {canManage ? (
                  <TableCell className="w-12 text-right">
                    <NumberActions number={n} onPick={setPending} />
                  </TableCell>
                ) : null}
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
      <LoadMore pages={numbers} className="mt-4" />
      {pending?.kind === "rate" ? (
        <RateDialog number={pending.number} onClose={() => setPending(null)} />
      ) : null}
      <ConfirmDialog
        open={pending?.kind === "release"}
        onOpenChange={(open) => !open && setPending(null)}
        title={`Release ${pending ? formatPhone(pending.number.phone_number) : ""}?`}
        description="The number goes back to the provider and leaves every pool. Its messages stay in the history. You may not get the same number back."
        confirmLabel="Release number"
        destructive
        pending={release.isPending}
        onConfirm={async () => {
          if (!pending) return;
          try {
            await release.mutateAsync(pending.number.id);
            toast.success(`${formatPhone(pending.number.phone_number)} released`);
          } catch (error) {
            toast.error("Could not release the number", problemMessage(error));
            throw error;
          }
        }}
      />
    </>
  );
}
