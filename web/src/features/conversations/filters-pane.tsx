"use client";

import { Select } from "@/components/ui/select";
import { Switch } from "@/components/ui/switch";
import { formatCount } from "@/lib/format";
import { cn } from "@/lib/utils";

import {
  type Counts,
  type InboxFilters,
  LEAD_STAGES,
  useCampaignChoices,
  type View,
} from "./hooks";

export const VIEW_LABELS: Record<View, string> = {
  open: "Open",
  mine: "Mine",
  unassigned: "Unassigned",
  unread: "Unread",
  snoozed: "Snoozed",
  closed: "Closed",
  all: "All",
};

export const STAGE_LABELS: Record<string, string> = {
  new: "New",
  engaged: "Engaged",
  qualified: "Qualified",
  unqualified: "Unqualified",
  handoff: "Handoff",
};

export function viewCount(view: View, counts: Counts | undefined): number | null {
  if (!counts) return null;
  switch (view) {
    case "open":
      return counts.open;
    case "mine":
      return counts.mine ?? null;
    case "unassigned":
      return counts.unassigned;
    case "unread":
      return counts.unread;
    case "snoozed":
      return counts.snoozed ?? 0;
    case "closed":
      return counts.closed ?? 0;
    default:
      return null;
  }
}

type Change = (changes: Record<string, string | null>) => void;

/** The left pane: views with their counts, then campaign and lead stage. */
export function FiltersPane({
  className,
  filters,
  counts,
  onChange,
}: {
  className?: string;
  filters: InboxFilters;
  counts: Counts | undefined;
  onChange: Change;
}) {
  const views: View[] = ["open", "mine", "unassigned", "unread", "snoozed", "closed", "all"];
  return (
    <nav
      aria-label="Inbox views"
      className={cn("min-h-0 flex-col gap-5 overflow-y-auto bg-card p-3", className)}
    >
      <ul className="grid gap-0.5">
        {views.map((view) => {
          const count = viewCount(view, counts);
          const active = filters.view === view;
          return (
            <li key={view}>
              <button
                type="button"
                aria-current={active ? "page" : undefined}
                onClick={() => onChange({ view: view === "open" ? null : view, id: null })}
                className={cn(
                  "flex w-full items-center justify-between rounded-md px-2.5 py-1.5 text-sm hover:bg-muted focus-visible:outline-2 focus-visible:outline-ring",
                  active && "bg-accent font-medium text-accent-foreground",
                )}
              >
                <span>{VIEW_LABELS[view]}</span>
                {count !== null ? (
                  <span
                    className="text-xs text-muted-foreground tabular-nums"
                    data-testid={`count-${view}`}
                  >
                    {formatCount(count)}
                  </span>
                ) : null}
              </button>
            </li>
          );
        })}
      </ul>
      <FilterSelects filters={filters} counts={counts} onChange={onChange} />
    </nav>
  );
}

/** Campaign, lead stage, and whether campaign-only threads show (also in the phone's list). */
export function FilterSelects({
  filters,
  counts,
  onChange,
}: {
  filters: InboxFilters;
  counts: Counts | undefined;
  onChange: Change;
}) {
  const campaigns = useCampaignChoices();
  return (
    <div className="grid gap-3">
      <label className="grid gap-1 text-xs font-medium text-muted-foreground">
        Lead stage
        <Select
          value={filters.stage ?? ""}
          onChange={(e) => onChange({ stage: e.target.value || null })}
        >
          <option value="">Any stage</option>
          {LEAD_STAGES.map((stage) => (
            <option key={stage} value={stage}>
              {STAGE_LABELS[stage]}
              {counts?.by_lead_stage?.[stage] ? ` (${counts.by_lead_stage[stage]} open)` : ""}
            </option>
          ))}
        </Select>
      </label>
      <label className="grid gap-1 text-xs font-medium text-muted-foreground">
        Campaign
        <Select
          value={filters.campaign ?? ""}
          onChange={(e) => onChange({ campaign: e.target.value || null })}
        >
          <option value="">Any campaign</option>
          {(campaigns.data ?? []).map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </Select>
      </label>
      <label className="flex items-center justify-between gap-2 text-xs text-muted-foreground">
        <span>Include campaign-only threads</span>
        <Switch
          checked={filters.everything}
          onCheckedChange={(on) => onChange({ all: on ? "1" : null })}
        />
      </label>
    </div>
  );
}
