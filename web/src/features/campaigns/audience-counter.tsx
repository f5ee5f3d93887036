"use client";

import { Users } from "lucide-react";
import { useMemo } from "react";

import { problemMessage } from "@/api/problem";
import { Spinner } from "@/components/ui/states";
import { formatCount } from "@/lib/format";
import { useDebouncedValue } from "@/lib/use-debounced-value";

import { type Audience, useAudienceCount } from "./hooks";

/** "1,204 contacts": the audience's size now, recounted 300 ms after it changes. */
export function AudienceCounter({ audience }: { audience: Audience }) {
  // Compared by content: the wizard makes a new object on every render.
  const key = JSON.stringify(audience);
  const settledKey = useDebouncedValue(key, 300);
  const settled = useMemo(() => JSON.parse(settledKey) as Audience, [settledKey]);
  const empty = !(settled.segment_ids?.length || settled.tags?.length);
  const count = useAudienceCount(settled, !empty);
  const pending = key !== settledKey || count.isFetching;
  const value = empty ? 0 : count.data?.count;
  return (
    <div
      className="flex items-center gap-3 rounded-lg border bg-muted/40 px-4 py-3"
      aria-live="polite"
      data-testid="audience-count"
      data-count={value ?? ""}
    >
      <Users className="size-5 text-muted-foreground" aria-hidden="true" />
      <div className="grid">
        <span className="text-lg font-semibold tabular-nums">
          {value === undefined ? "…" : `${formatCount(value)} contact${value === 1 ? "" : "s"}`}
        </span>
        <span className="text-xs text-muted-foreground">
          {count.isError
            ? problemMessage(count.error)
            : "would receive it now (opted-out contacts and repeats left out)"}
        </span>
      </div>
      {pending && !empty ? <Spinner className="ml-auto" label="Counting" /> : null}
    </div>
  );
}
