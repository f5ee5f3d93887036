"use client";

import { Filter, Plus, Upload } from "lucide-react";
import Link from "next/link";
import * as React from "react";
import { Suspense } from "react";

import { PageHeader } from "@/components/shell/app-frame";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { ContactFormDialog } from "@/features/contacts/contact-form";
import {
  type ContactFilters,
  ContactFiltersBar,
  ContactsTable,
} from "@/features/contacts/contacts-list";
import { useQueryParams } from "@/lib/use-query-params";

const KEYS = {
  q: "q",
  tag: "tag",
  segment: "segment",
  optedOut: "opted_out",
  cols: "cols",
} as const;

function readFilters(params: URLSearchParams): ContactFilters {
  const optedOut = params.get(KEYS.optedOut);
  return {
    q: params.get(KEYS.q) ?? "",
    tag: params.get(KEYS.tag) ?? "",
    segment: params.get(KEYS.segment) ?? "",
    optedOut: optedOut === "true" || optedOut === "false" ? optedOut : "",
    cols: (params.get(KEYS.cols) ?? "").split(",").filter(Boolean),
  };
}

/** The contacts room: filters and columns live in the URL (a view can be shared by link). */
function Contacts() {
  const [params, setParams] = useQueryParams();
  const filters = readFilters(params);
  const [creating, setCreating] = React.useState(false);
  const [fieldKeys, setFieldKeys] = React.useState<string[]>([]);

  const onChange = React.useCallback(
    (next: Partial<ContactFilters>) => {
      const changes: Record<string, string> = {};
      for (const [name, value] of Object.entries(next)) {
        changes[KEYS[name as keyof ContactFilters]] = Array.isArray(value)
          ? value.join(",")
          : value;
      }
      setParams(changes);
    },
    [setParams],
  );
  // A new filter starts from the first page (the table is keyed by the query).
  const listKey = [filters.q, filters.tag, filters.segment, filters.optedOut].join("|");

  return (
    <>
      <PageHeader
        title="Contacts"
        description="The people you text: their fields, tags and consent."
        actions={
          <div className="flex flex-wrap gap-2">
            <Button variant="outline" asChild>
              <Link href="/contacts/segments">
                <Filter aria-hidden="true" /> Segments
              </Link>
            </Button>
            <Button variant="outline" asChild>
              <Link href="/contacts/import">
                <Upload aria-hidden="true" /> Import CSV
              </Link>
            </Button>
            <Button onClick={() => setCreating(true)}>
              <Plus aria-hidden="true" /> New contact
            </Button>
          </div>
        }
      />
      <Card>
        <CardContent className="grid gap-4 pt-5">
          <ContactFiltersBar filters={filters} onChange={onChange} fieldKeys={fieldKeys} />
          <ContactsTable key={listKey} filters={filters} onFieldKeys={setFieldKeys} />
        </CardContent>
      </Card>
      {creating ? <ContactFormDialog contact={null} onClose={() => setCreating(false)} /> : null}
    </>
  );
}

/** A guard: in the browser tests a client-side navigation to /contacts once left the
 * document without a <title> (the exported HTML has it); this puts it back if missing. */
function useTitleFallback(title: string) {
  React.useEffect(() => {
    if (!document.title) document.title = title;
  });
}

export function ContactsView() {
  useTitleFallback("Contacts · SMS Platform");
  return (
    <Suspense>
      <Contacts />
    </Suspense>
  );
}
