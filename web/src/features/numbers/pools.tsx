"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { Layers, Pencil, Plus, Trash2 } from "lucide-react";
import * as React from "react";
import { Controller, useForm } from "react-hook-form";

import { applyProblem, problemMessage } from "@/api/problem";
import { Alert } from "@/components/ui/alert";
import { StatusBadge } from "@/components/ui/status-badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Checkbox } from "@/components/ui/checkbox";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Dialog, DialogContent, DialogFooter } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { EmptyState, ErrorState, LoadingState, Spinner } from "@/components/ui/states";
import { Switch } from "@/components/ui/switch";
import { Textarea } from "@/components/ui/textarea";
import { toast } from "@/components/ui/toast";
import { formatPhone } from "@/lib/format";

import {
  type PhoneNumber,
  type Pool,
  useAllNumbers,
  useDeletePool,
  usePools,
  useSavePool,
} from "./hooks";
import { poolSchema, type PoolValues } from "./schemas";
import { numberHealth } from "./status";

function PoolDialog({ pool, onClose }: { pool: Pool | null; onClose: () => void }) {
  const numbers = useAllNumbers();
  const save = useSavePool();
  const form = useForm<PoolValues>({
    resolver: zodResolver(poolSchema),
    defaultValues: {
      name: pool?.name ?? "",
      description: pool?.description ?? "",
      sticky: pool?.sticky ?? true,
      numberIds: pool?.number_ids ?? [],
    },
  });
  const { errors, isSubmitting } = form.formState;
  const onSubmit = form.handleSubmit(async (values) => {
    try {
      await save.mutateAsync({
        id: pool?.id ?? null,
        pool: {
          name: values.name.trim(),
          description: values.description.trim() || null,
          sticky: values.sticky,
        },
        numberIds: values.numberIds,
      });
      toast.success(pool ? `Pool “${values.name}” saved` : `Pool “${values.name}” created`);
      onClose();
    } catch (error) {
      applyProblem(form, error, {
        fields: ["name", "description", "sticky", "number_ids"] as const,
      });
    }
  });
  return (
    <Dialog open onOpenChange={(open) => !open && onClose()}>
      <DialogContent
        title={pool ? `Edit ${pool.name}` : "New pool"}
        description="Campaigns send from a pool: they spread messages over its numbers at the sum of their rates."
      >
        <form onSubmit={onSubmit} noValidate className="grid gap-4">
          <Field id="pool-name" label="Name" error={errors.name?.message}>
            <Input autoFocus maxLength={200} {...form.register("name")} />
          </Field>
          <Field id="pool-description" label="Description" error={errors.description?.message}>
            <Textarea rows={2} maxLength={2000} {...form.register("description")} />
          </Field>
          <div className="flex items-start justify-between gap-4">
            <div className="grid gap-1">
              <Label htmlFor="pool-sticky">Sticky sender</Label>
              <p id="pool-sticky-hint" className="text-xs text-muted-foreground">
                A contact always hears from the same number of the pool.
              </p>
            </div>
            <Controller
              control={form.control}
              name="sticky"
              render={({ field }) => (
                <Switch
                  id="pool-sticky"
                  aria-describedby="pool-sticky-hint"
                  checked={field.value}
                  onCheckedChange={field.onChange}
                />
              )}
            />
          </div>
          <fieldset className="grid gap-2">
            <legend className="mb-2 text-sm font-medium">Numbers</legend>
            {numbers.isPending ? (
              <LoadingState rows={3} label="Loading numbers" />
            ) : numbers.isError ? (
              <ErrorState
                error={problemMessage(numbers.error)}
                onRetry={() => void numbers.refetch()}
              />
            ) : numbers.data.length === 0 ? (
              <p className="text-sm text-muted-foreground">Buy or import numbers first.</p>
            ) : (
              <Controller
                control={form.control}
                name="numberIds"
                render={({ field }) => (
                  <ul className="max-h-64 divide-y overflow-y-auto rounded-lg border">
                    {numbers.data.map((n: PhoneNumber) => {
                      const id = `pool-number-${n.id}`;
                      const health = numberHealth(n);
                      return (
                        <li key={n.id} className="flex items-center gap-3 px-3 py-2">
                          <Checkbox
                            id={id}
                            checked={field.value.includes(n.id)}
                            onCheckedChange={(checked) =>
                              field.onChange(
                                checked
                                  ? [...field.value, n.id]
                                  : field.value.filter((x) => x !== n.id),
                              )
                            }
                          />
                          <Label htmlFor={id} className="flex-1 font-normal tabular-nums">
                            {formatPhone(n.phone_number)}
                          </Label>
                          <span className="text-xs text-muted-foreground tabular-nums">
                            {n.mps} / s
                          </span>
                          {n.status !== "active" ? (
                            <StatusBadge tone={health.variant}>{health.label}</StatusBadge>
                          ) : null}
                        </li>
                      );
                    })}
                  </ul>
                )}
              />
            )}
          </fieldset>
          {errors.root?.server ? <Alert variant="error">{errors.root.server.message}</Alert> : null}
          <DialogFooter>
            <Button type="button" variant="outline" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" disabled={isSubmitting}>
              {isSubmitting ? <Spinner className="text-primary-foreground" label="Saving" /> : null}
              {pool ? "Save pool" : "Create pool"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}

function PoolCard({
  pool,
  byId,
  onEdit,
}: {
  pool: Pool;
  byId: Map<string, PhoneNumber>;
  onEdit: () => void;
}) {
  const remove = useDeletePool();
  const members = pool.number_ids.map((id) => byId.get(id)).filter((n): n is PhoneNumber => !!n);
  return (
    <Card data-pool={pool.name}>
      <CardHeader className="flex flex-row items-start justify-between gap-3">
        <div className="grid gap-1">
          <CardTitle>{pool.name}</CardTitle>
          <CardDescription>
            {pool.number_ids.length} number{pool.number_ids.length === 1 ? "" : "s"} ·{" "}
            {pool.capacity_mps} messages / s{pool.sticky ? " · sticky sender" : ""}
          </CardDescription>
        </div>
        <div className="flex gap-1">
          <Button variant="ghost" size="icon" aria-label={`Edit ${pool.name}`} onClick={onEdit}>
            <Pencil aria-hidden="true" />
          </Button>
          <ConfirmDialog
            trigger={
              <Button variant="ghost" size="icon" aria-label={`Delete ${pool.name}`}>
                <Trash2 aria-hidden="true" />
              </Button>
            }
            title={`Delete ${pool.name}?`}
            description="The numbers stay in the workspace; campaigns that use this pool can no longer send from it."
            confirmLabel="Delete pool"
            destructive
            pending={remove.isPending}
            onConfirm={async () => {
              try {
                await remove.mutateAsync(pool.id);
                toast.success(`Pool “${pool.name}” deleted`);
              } catch (error) {
                toast.error("Could not delete the pool", problemMessage(error));
                throw error;
              }
            }}
          />
        </div>
      </CardHeader>
      <CardContent>
        {pool.description ? (
          <p className="mb-3 text-sm text-muted-foreground">{pool.description}</p>
        ) : null}
        {members.length === 0 ? (
          <p className="text-sm text-muted-foreground">No number yet: edit the pool to add some.</p>
        ) : (
          <ul className="flex flex-wrap gap-2" aria-label={`Numbers of ${pool.name}`}>
            {members.map((n) => (
              <li key={n.id}>
                <StatusBadge tone={numberHealth(n).variant}>
                  <span className="tabular-nums">{formatPhone(n.phone_number)}</span>
                  {n.status !== "active" ? ` · ${numberHealth(n).label}` : ""}
                </StatusBadge>
              </li>
            ))}
          </ul>
        )}
      </CardContent>
    </Card>
  );
}

export function PoolsSection() {
  const pools = usePools();
  const numbers = useAllNumbers();
  const [editing, setEditing] = React.useState<Pool | "new" | null>(null);
  const byId = React.useMemo(
    () => new Map((numbers.data ?? []).map((n) => [n.id, n] as const)),
    [numbers.data],
  );
  return (
    <div className="grid gap-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <p className="text-sm text-muted-foreground">
          A pool is a set of numbers a campaign rotates over.
        </p>
        <Button onClick={() => setEditing("new")}>
          <Plus aria-hidden="true" />
          New pool
        </Button>
      </div>
      {pools.isPending ? (
        <LoadingState rows={3} label="Loading pools" />
      ) : pools.isError ? (
        <ErrorState error={problemMessage(pools.error)} onRetry={() => void pools.refetch()} />
      ) : pools.data.length === 0 ? (
        <EmptyState icon={Layers} title="No pool yet">
          Group numbers into a pool to send a campaign from all of them at once.
        </EmptyState>
      ) : (
        <div className="grid gap-4 lg:grid-cols-2">
          {pools.data.map((pool) => (
            <PoolCard key={pool.id} pool={pool} byId={byId} onEdit={() => setEditing(pool)} />
          ))}
        </div>
      )}
      {editing ? (
        <PoolDialog pool={editing === "new" ? null : editing} onClose={() => setEditing(null)} />
      ) : null}
    </div>
  );
}
