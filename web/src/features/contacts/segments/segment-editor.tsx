"use client";

import { Users } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import * as React from "react";

import { ApiProblem, problemMessage } from "@/api/problem";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { ErrorState, LoadingState, Spinner } from "@/components/ui/states";
import { toast } from "@/components/ui/toast";
import { formatCount } from "@/lib/format";

import { filterKey, fromFilter, type Group, newGroup, newRule, toFilter } from "./builder";
import {
  type Segment,
  useDebounced,
  useDeleteSegment,
  useFilterCount,
  useSaveSegment,
  useSegment,
} from "./hooks";
import { RuleBuilder } from "./rule-builder";

function LiveCount({ tree }: { tree: Group }) {
  const { filter, problems } = toFilter(tree);
  const ready = Object.keys(problems).length === 0;
  const key = ready ? filterKey(filter) : null;
  const settled = useDebounced(key, 400);
  const count = useFilterCount(settled ? filter : null, settled ?? "");
  const waiting = key !== settled || count.isFetching;
  return (
    <Card className="lg:sticky lg:top-20">
      <CardHeader>
        <CardTitle>Audience</CardTitle>
        <CardDescription>Contacts matching now; counted as you edit.</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-2">
        <p
          className="flex items-center gap-2"
          aria-live="polite"
          aria-atomic="true"
          data-testid="live-count"
        >
          <Users className="size-5 text-muted-foreground" aria-hidden="true" />
          {count.data !== undefined ? (
            <span>
              <span className="text-2xl font-semibold tabular-nums">{formatCount(count.data)}</span>{" "}
              <span className="text-sm text-muted-foreground">
                contact{count.data === 1 ? "" : "s"}
              </span>
            </span>
          ) : (
            <span className="text-sm text-muted-foreground">—</span>
          )}
          {waiting && ready ? <Spinner label="Counting" /> : null}
        </p>
        {!ready ? (
          <p className="text-xs text-muted-foreground">
            Finish the highlighted conditions to count.
          </p>
        ) : count.isError ? (
          <p role="alert" className="text-xs text-destructive">
            {problemMessage(count.error)}
          </p>
        ) : null}
      </CardContent>
    </Card>
  );
}

function Editor({ segment }: { segment: Segment | null }) {
  const router = useRouter();
  const save = useSaveSegment();
  const remove = useDeleteSegment();
  const [name, setName] = React.useState(segment?.name ?? "");
  const [description, setDescription] = React.useState(segment?.description ?? "");
  const [tree, setTree] = React.useState<Group>(() =>
    segment ? fromFilter(segment.filter) : newGroup("all", [newRule("tag")]),
  );
  const [tried, setTried] = React.useState(false);
  const [errors, setErrors] = React.useState<{
    name?: string;
    description?: string;
    root?: string;
  }>({});
  const { filter, problems } = toFilter(tree);

  const onSave = async (e: React.FormEvent) => {
    e.preventDefault();
    setTried(true);
    const local: typeof errors = {};
    if (!name.trim()) local.name = "Give the segment a name.";
    else if (name.length > 200) local.name = "At most 200 characters.";
    if (description.length > 2000) local.description = "At most 2000 characters.";
    setErrors(local);
    if (Object.keys(local).length || Object.keys(problems).length) return;
    try {
      const saved = await save.mutateAsync({
        id: segment?.id ?? null,
        name: name.trim(),
        description: description.trim() || null,
        filter,
      });
      toast.success(segment ? "Segment saved" : "Segment created");
      router.replace(`/contacts/segments?edit=${saved.id}`);
    } catch (error) {
      const fields = error instanceof ApiProblem ? error.errors : [];
      const next: typeof errors = {};
      for (const f of fields) {
        if (f.field === "body.name") next.name = f.message;
        else if (f.field === "body.description") next.description = f.message;
        else next.root = `${f.field.replace(/^body\./, "")}: ${f.message}`;
      }
      if (!Object.keys(next).length) next.root = problemMessage(error);
      setErrors(next);
    }
  };

  return (
    <form onSubmit={onSave} noValidate className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_18rem]">
      <div className="grid content-start gap-6">
        <Card>
          <CardContent className="grid gap-4 pt-5 sm:grid-cols-2">
            <Field id="segment-name" label="Name" error={errors.name}>
              <Input maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
            </Field>
            <Field id="segment-description" label="Description" error={errors.description}>
              <Input
                maxLength={2000}
                value={description}
                onChange={(e) => setDescription(e.target.value)}
              />
            </Field>
          </CardContent>
        </Card>
        <RuleBuilder value={tree} onChange={setTree} problems={problems} showProblems={tried} />
        {errors.root ? <Alert variant="error">{errors.root}</Alert> : null}
        <div className="flex flex-wrap items-center justify-between gap-2">
          <div className="flex gap-2">
            <Button type="button" variant="outline" asChild>
              <Link href="/contacts/segments">Back to segments</Link>
            </Button>
            {segment ? (
              <ConfirmDialog
                trigger={
                  <Button type="button" variant="outline">
                    Delete
                  </Button>
                }
                title={`Delete ${segment.name}?`}
                description="The contacts stay; only this saved audience goes. Campaigns already launched keep their audience."
                confirmLabel="Delete segment"
                destructive
                pending={remove.isPending}
                onConfirm={async () => {
                  try {
                    await remove.mutateAsync(segment.id);
                    toast.success("Segment deleted");
                    router.replace("/contacts/segments");
                  } catch (error) {
                    toast.error("Could not delete", problemMessage(error));
                    throw error;
                  }
                }}
              />
            ) : null}
          </div>
          <div className="flex gap-2">
            {segment ? (
              <Button type="button" variant="outline" asChild>
                <Link href={`/contacts?segment=${segment.id}`}>View contacts</Link>
              </Button>
            ) : null}
            <Button type="submit" disabled={save.isPending}>
              {save.isPending ? (
                <Spinner className="text-primary-foreground" label="Saving" />
              ) : null}
              {segment ? "Save segment" : "Create segment"}
            </Button>
          </div>
        </div>
      </div>
      <aside aria-label="Live count">
        <LiveCount tree={tree} />
      </aside>
    </form>
  );
}

/** `id` "new" for a new segment, else the segment to edit. */
export function SegmentEditor({ id }: { id: string }) {
  const segment = useSegment(id === "new" ? "" : id);
  if (id === "new") return <Editor segment={null} />;
  if (segment.isPending) return <LoadingState rows={5} label="Loading the segment" />;
  if (segment.isError) {
    return (
      <ErrorState error={problemMessage(segment.error)} onRetry={() => void segment.refetch()} />
    );
  }
  return <Editor key={segment.data.id + segment.data.updated_at} segment={segment.data} />;
}
