"use client";

import { ChevronLeft, ChevronRight, Search, Tag, Trash2, Users, X } from "lucide-react";
import Link from "next/link";
import * as React from "react";

import { problemMessage } from "@/api/problem";
import { Badge } from "@/components/ui/badge";
import { StatusBadge } from "@/components/ui/status-badge";
import { Button } from "@/components/ui/button";
import { Checkbox } from "@/components/ui/checkbox";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Dialog, DialogContent, DialogFooter } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
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

import { ColumnChooser } from "./column-chooser";
import {
  type Contact,
  type ContactQuery,
  PAGE_SIZE,
  useBulkContacts,
  useContacts,
  useSegments,
  useTags,
} from "./hooks";
import { parseTags, tagsProblem } from "./schemas";

export interface ContactFilters {
  q: string;
  tag: string;
  segment: string;
  optedOut: "" | "true" | "false";
  cols: string[];
}

export function contactName(c: Pick<Contact, "first_name" | "last_name">): string {
  return [c.first_name, c.last_name].filter(Boolean).join(" ");
}

function display(value: unknown): string {
  if (value === undefined || value === null) return "";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

/** The search box: the URL follows the text after a short pause (one request, not one per key). */
function SearchBox({ value, onChange }: { value: string; onChange: (q: string) => void }) {
  const [text, setText] = React.useState(value);
  // The URL changed from elsewhere (back button, a cleared filter): show its text.
  const [shown, setShown] = React.useState(value);
  if (shown !== value) {
    setShown(value);
    setText(value);
  }
  React.useEffect(() => {
    if (text === value) return;
    const timer = setTimeout(() => onChange(text), 300);
    return () => clearTimeout(timer);
  }, [text, value, onChange]);
  return (
    <div className="relative w-full sm:w-72">
      <Search
        aria-hidden="true"
        className="pointer-events-none absolute top-1/2 left-2.5 size-4 -translate-y-1/2 text-muted-foreground"
      />
      <Input
        type="search"
        aria-label="Search contacts"
        placeholder="Name, email or phone"
        className="pl-8"
        maxLength={200}
        value={text}
        onChange={(e) => setText(e.target.value)}
      />
    </div>
  );
}

function TagDialog({
  mode,
  count,
  onClose,
  onSubmit,
}: {
  mode: "add" | "remove";
  count: number;
  onClose: () => void;
  onSubmit: (tags: string[]) => Promise<void>;
}) {
  const [text, setText] = React.useState("");
  const [error, setError] = React.useState<string | null>(null);
  const [busy, setBusy] = React.useState(false);
  const tags = useTags();
  return (
    <Dialog open onOpenChange={(open) => !open && onClose()}>
      <DialogContent
        title={mode === "add" ? `Tag ${count} contacts` : `Untag ${count} contacts`}
        description={
          mode === "add"
            ? "The tags are added to every selected contact."
            : "The tags are removed from every selected contact that has them."
        }
      >
        <form
          noValidate
          className="grid gap-4"
          onSubmit={async (e) => {
            e.preventDefault();
            const parsed = parseTags(text);
            const problem = parsed.length === 0 ? "Enter at least one tag." : tagsProblem(text);
            setError(problem);
            if (problem) return;
            setBusy(true);
            try {
              await onSubmit(parsed);
              onClose();
            } catch (err) {
              setError(problemMessage(err));
            } finally {
              setBusy(false);
            }
          }}
        >
          <Field id="bulk-tags" label="Tags" error={error ?? undefined} hint="Separated by commas">
            <Input
              autoFocus
              list="bulk-tag-options"
              value={text}
              onChange={(e) => setText(e.target.value)}
            />
          </Field>
          <datalist id="bulk-tag-options">
            {tags.data?.map((t) => (
              <option key={t.tag} value={t.tag} />
            ))}
          </datalist>
          <DialogFooter>
            <Button type="button" variant="outline" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" disabled={busy}>
              {busy ? <Spinner className="text-primary-foreground" label="Saving" /> : null}
              {mode === "add" ? "Add tags" : "Remove tags"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}

function BulkBar({ ids, onDone }: { ids: string[]; onDone: () => void }) {
  const bulk = useBulkContacts();
  const [dialog, setDialog] = React.useState<"add" | "remove" | null>(null);
  const n = ids.length;
  return (
    <div
      role="region"
      aria-label="Bulk actions"
      className="flex flex-wrap items-center gap-2 rounded-lg border bg-accent px-3 py-2 text-sm"
    >
      <span className="font-medium" aria-live="polite">
        {n} selected
      </span>
      <div className="ml-auto flex flex-wrap gap-2">
        <Button size="sm" variant="outline" onClick={() => setDialog("add")}>
          <Tag aria-hidden="true" /> Tag
        </Button>
        <Button size="sm" variant="outline" onClick={() => setDialog("remove")}>
          <X aria-hidden="true" /> Untag
        </Button>
        <ConfirmDialog
          trigger={
            <Button size="sm" variant="destructive">
              <Trash2 aria-hidden="true" /> Delete
            </Button>
          }
          title={`Delete ${n} contact${n === 1 ? "" : "s"}?`}
          description="Their personal data is erased: names, email, fields, tags and message bodies. An opted-out number stays opted out."
          confirmLabel={`Delete ${n} contact${n === 1 ? "" : "s"}`}
          destructive
          pending={bulk.isPending}
          onConfirm={async () => {
            try {
              const out = await bulk.mutateAsync({ contact_ids: ids, delete: true });
              toast.success(`${out.deleted} contact${out.deleted === 1 ? "" : "s"} deleted`);
              onDone();
            } catch (error) {
              toast.error("Could not delete", problemMessage(error));
              throw error;
            }
          }}
        />
      </div>
      {dialog ? (
        <TagDialog
          mode={dialog}
          count={n}
          onClose={() => setDialog(null)}
          onSubmit={async (tags) => {
            const out = await bulk.mutateAsync(
              dialog === "add"
                ? { contact_ids: ids, add_tags: tags }
                : { contact_ids: ids, remove_tags: tags },
            );
            toast.success(
              dialog === "add"
                ? `${out.tags_added} tag${out.tags_added === 1 ? "" : "s"} added`
                : `${out.tags_removed} tag${out.tags_removed === 1 ? "" : "s"} removed`,
            );
            onDone();
          }}
        />
      ) : null}
    </div>
  );
}

export function ContactFiltersBar({
  filters,
  onChange,
  fieldKeys,
}: {
  filters: ContactFilters;
  onChange: (next: Partial<ContactFilters>) => void;
  fieldKeys: string[];
}) {
  const tags = useTags();
  const segments = useSegments();
  const onSearch = React.useCallback((q: string) => onChange({ q }), [onChange]);
  return (
    <div className="flex flex-wrap items-end gap-3">
      <SearchBox value={filters.q} onChange={onSearch} />
      <div className="grid gap-1.5">
        <Label htmlFor="filter-tag">Tag</Label>
        <Select
          id="filter-tag"
          className="w-40"
          value={filters.tag}
          onChange={(e) => onChange({ tag: e.target.value })}
        >
          <option value="">Any tag</option>
          {filters.tag && !tags.data?.some((t) => t.tag === filters.tag) ? (
            <option value={filters.tag}>{filters.tag}</option>
          ) : null}
          {tags.data?.map((t) => (
            <option key={t.tag} value={t.tag}>
              {t.tag} ({t.contacts})
            </option>
          ))}
        </Select>
      </div>
      <div className="grid gap-1.5">
        <Label htmlFor="filter-segment">Segment</Label>
        <Select
          id="filter-segment"
          className="w-44"
          value={filters.segment}
          onChange={(e) => onChange({ segment: e.target.value })}
        >
          <option value="">Everyone</option>
          {segments.data?.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </Select>
      </div>
      <div className="grid gap-1.5">
        <Label htmlFor="filter-opted-out">Consent</Label>
        <Select
          id="filter-opted-out"
          className="w-36"
          value={filters.optedOut}
          onChange={(e) => onChange({ optedOut: e.target.value as ContactFilters["optedOut"] })}
        >
          <option value="">All</option>
          <option value="false">Reachable</option>
          <option value="true">Opted out</option>
        </Select>
      </div>
      <div className="ml-auto">
        <ColumnChooser
          keys={fieldKeys}
          chosen={filters.cols}
          onChange={(cols) => onChange({ cols })}
        />
      </div>
    </div>
  );
}

/** The contacts of the workspace, a server page at a time (the API's cursor). */
export function ContactsTable({
  filters,
  onFieldKeys,
}: {
  filters: ContactFilters;
  onFieldKeys: (keys: string[]) => void;
}) {
  // Cursors of the pages before this one: "Previous" pops one.
  const [cursors, setCursors] = React.useState<string[]>([]);
  const cursor = cursors.at(-1);
  const query: ContactQuery = {
    limit: PAGE_SIZE,
    ...(cursor ? { cursor } : {}),
    ...(filters.q.trim() ? { q: filters.q.trim() } : {}),
    ...(filters.tag ? { tag: filters.tag } : {}),
    ...(filters.segment ? { segment_id: filters.segment } : {}),
    ...(filters.optedOut ? { opted_out: filters.optedOut === "true" } : {}),
  };
  const contacts = useContacts(query);
  const [selected, setSelected] = React.useState<Set<string>>(new Set());
  const rows = React.useMemo(() => contacts.data?.data ?? [], [contacts.data]);

  // The custom fields of this page (and the chosen ones), as one text: the effect runs
  // when they change, not on every render (a new array each time would loop).
  const colsText = filters.cols.join(",");
  const keysText = React.useMemo(() => {
    const seen = new Set<string>(colsText ? colsText.split(",") : []);
    for (const c of rows) for (const k of Object.keys(c.fields)) seen.add(k);
    return [...seen].sort().join(",");
  }, [rows, colsText]);
  React.useEffect(() => onFieldKeys(keysText ? keysText.split(",") : []), [keysText, onFieldKeys]);

  if (contacts.isPending) return <LoadingState rows={8} label="Loading contacts" />;
  if (contacts.isError) {
    return (
      <ErrorState error={problemMessage(contacts.error)} onRetry={() => void contacts.refetch()} />
    );
  }
  const filtered = !!(filters.q || filters.tag || filters.segment || filters.optedOut);
  if (rows.length === 0 && cursors.length === 0) {
    return filtered ? (
      <EmptyState icon={Search} title="No contact matches">
        Try other words, or clear the filters.
      </EmptyState>
    ) : (
      <EmptyState
        icon={Users}
        title="No contact yet"
        action={
          <Button asChild size="sm">
            <Link href="/contacts/import">Import a CSV</Link>
          </Button>
        }
      >
        Contacts are the people you text. Add them one by one, or import a CSV file.
      </EmptyState>
    );
  }
  const onPage = rows.map((c) => c.id);
  const chosenHere = onPage.filter((id) => selected.has(id)).length;
  const allState = chosenHere === 0 ? false : chosenHere === onPage.length ? true : "indeterminate";
  const toggle = (id: string, on: boolean) =>
    setSelected((s) => {
      const next = new Set(s);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });

  return (
    <div className="grid gap-3">
      {selected.size > 0 ? (
        <BulkBar ids={[...selected]} onDone={() => setSelected(new Set())} />
      ) : null}
      <Table aria-label="Contacts" aria-busy={contacts.isFetching}>
        <TableHeader>
          <TableRow>
            <TableHead className="w-10">
              <Checkbox
                aria-label="Select every contact on this page"
                checked={allState}
                onCheckedChange={(on) =>
                  setSelected((s) => {
                    const next = new Set(s);
                    for (const id of onPage) {
                      if (on === true) next.add(id);
                      else next.delete(id);
                    }
                    return next;
                  })
                }
              />
            </TableHead>
            <TableHead>Name</TableHead>
            <TableHead>Phone</TableHead>
            <TableHead>Email</TableHead>
            <TableHead>Tags</TableHead>
            {filters.cols.map((k) => (
              <TableHead key={k}>{k}</TableHead>
            ))}
            <TableHead>Added</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {rows.map((c) => {
            const name = contactName(c);
            return (
              <TableRow key={c.id} data-state={selected.has(c.id) ? "selected" : undefined}>
                <TableCell>
                  <Checkbox
                    aria-label={`Select ${name || formatPhone(c.phone)}`}
                    checked={selected.has(c.id)}
                    onCheckedChange={(on) => toggle(c.id, on === true)}
                  />
                </TableCell>
                <TableCell className="font-medium">
                  <Link href={`/contacts/view?id=${c.id}`} className="hover:underline">
                    {name || <span className="text-muted-foreground">No name</span>}
                  </Link>
                  {c.opted_out ? (
                    <StatusBadge tone="danger" className="ml-2">
                      Opted out
                    </StatusBadge>
                  ) : null}
                </TableCell>
                <TableCell className="whitespace-nowrap tabular-nums">
                  {formatPhone(c.phone)}
                </TableCell>
                <TableCell className="max-w-56 truncate text-muted-foreground">{c.email}</TableCell>
                <TableCell>
                  <div className="flex max-w-64 flex-wrap gap-1">
                    {c.tags.slice(0, 4).map((t) => (
                      <Badge key={t} variant="outline">
                        {t}
                      </Badge>
                    ))}
                    {c.tags.length > 4 ? (
                      <Badge variant="outline">+{c.tags.length - 4}</Badge>
                    ) : null}
                  </div>
                </TableCell>
                {filters.cols.map((k) => (
                  <TableCell key={k} className="max-w-48 truncate">
                    {display(c.fields[k])}
                  </TableCell>
                ))}
                <TableCell className="whitespace-nowrap text-muted-foreground">
                  {formatDateTime(c.created_at)}
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
      <nav aria-label="Pages" className="flex items-center justify-between gap-2">
        <span className="text-xs text-muted-foreground">
          Page {cursors.length + 1}
          {contacts.isFetching ? " · loading" : ""}
        </span>
        <div className="flex gap-2">
          <Button
            variant="outline"
            size="sm"
            disabled={cursors.length === 0}
            onClick={() => setCursors((c) => c.slice(0, -1))}
          >
            <ChevronLeft aria-hidden="true" /> Previous
          </Button>
          <Button
            variant="outline"
            size="sm"
            disabled={!contacts.data.next_cursor}
            onClick={() => {
              const next = contacts.data.next_cursor;
              if (next) setCursors((c) => [...c, next]);
            }}
          >
            Next <ChevronRight aria-hidden="true" />
          </Button>
        </div>
      </nav>
    </div>
  );
}
