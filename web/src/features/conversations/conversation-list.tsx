"use client";

import type { InfiniteData, UseInfiniteQueryResult } from "@tanstack/react-query";
import {
  Bot,
  Inbox as InboxIcon,
  Keyboard,
  Search,
  SlidersHorizontal,
  UserRound,
} from "lucide-react";
import { type RefObject, useState } from "react";

import { problemMessage } from "@/api/problem";
import type { components } from "@/api/schema";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Checkbox } from "@/components/ui/checkbox";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { EmptyState, ErrorState, LoadingState } from "@/components/ui/states";
import { formatPhone } from "@/lib/format";
import { cn } from "@/lib/utils";

import { BulkBar } from "./bulk-bar";
import { FilterSelects, STAGE_LABELS, VIEW_LABELS, viewCount } from "./filters-pane";
import { type Conversation, type Counts, type InboxFilters, useMembers, type View } from "./hooks";

type Page = components["schemas"]["ConversationList"];

export function contactName(c: Conversation["contact"]): string {
  const name = [c.first_name, c.last_name].filter(Boolean).join(" ");
  return name || formatPhone(c.phone);
}

/** "14:05" today, "Mon" this week, "Dec 3" before. */
export function shortTime(iso: string | null | undefined): string {
  if (!iso) return "";
  const at = new Date(iso);
  const now = new Date();
  if (at.toDateString() === now.toDateString()) {
    return at.toLocaleTimeString("en-US", { hour: "numeric", minute: "2-digit" });
  }
  if (now.getTime() - at.getTime() < 6 * 86_400_000) {
    return at.toLocaleDateString("en-US", { weekday: "short" });
  }
  return at.toLocaleDateString("en-US", { month: "short", day: "numeric" });
}

export function ConversationList({
  className,
  filters,
  counts,
  onChange,
  query,
  conversations,
  openId,
  onOpen,
  selected,
  onSelect,
  searchRef,
  onShowShortcuts,
}: {
  className?: string;
  filters: InboxFilters;
  counts: Counts | undefined;
  onChange: (changes: Record<string, string | null>) => void;
  query: UseInfiniteQueryResult<InfiniteData<Page>>;
  conversations: Conversation[];
  openId: string | null;
  onOpen: (id: string) => void;
  selected: ReadonlySet<string>;
  onSelect: (next: ReadonlySet<string>) => void;
  searchRef: RefObject<HTMLInputElement | null>;
  onShowShortcuts: () => void;
}) {
  const members = useMembers();
  const memberName = (id: string | null) =>
    id ? (members.data?.find((m) => m.user_id === id)?.name ?? "A member") : null;
  const [phoneFilters, setPhoneFilters] = useState(false);

  const toggle = (id: string, on: boolean) => {
    const next = new Set(selected);
    if (on) next.add(id);
    else next.delete(id);
    onSelect(next);
  };
  const views: View[] = ["open", "mine", "unassigned", "unread", "snoozed", "closed", "all"];

  return (
    <section
      aria-label="Conversations"
      className={cn("min-h-0 min-w-0 flex-col bg-card", className)}
    >
      <div className="grid gap-2 border-b p-3">
        <div className="flex gap-2">
          <SearchBox
            key={filters.q ?? ""}
            initial={filters.q ?? ""}
            searchRef={searchRef}
            onSearch={(q) => onChange({ q, id: null })}
          />
          <Button
            type="button"
            variant="ghost"
            size="icon"
            aria-label="Keyboard shortcuts"
            className="hidden md:inline-flex"
            onClick={onShowShortcuts}
          >
            <Keyboard />
          </Button>
          <Button
            type="button"
            variant="outline"
            size="icon"
            className="md:hidden"
            aria-label="Filters"
            aria-expanded={phoneFilters}
            onClick={() => setPhoneFilters((v) => !v)}
          >
            <SlidersHorizontal />
          </Button>
        </div>
        <div className="md:hidden">
          <Select
            aria-label="View"
            value={filters.view}
            onChange={(e) => onChange({ view: e.target.value === "open" ? null : e.target.value })}
          >
            {views.map((view) => {
              const count = viewCount(view, counts);
              return (
                <option key={view} value={view}>
                  {VIEW_LABELS[view]}
                  {count !== null ? ` (${count})` : ""}
                </option>
              );
            })}
          </Select>
          {phoneFilters ? (
            <div className="mt-3">
              <FilterSelects filters={filters} counts={counts} onChange={onChange} />
            </div>
          ) : null}
        </div>
        {selected.size > 0 ? (
          <BulkBar ids={[...selected]} onDone={() => onSelect(new Set())} />
        ) : null}
      </div>
      <div className="min-h-0 flex-1 overflow-y-auto">
        {query.isPending ? (
          <LoadingState rows={8} label="Loading conversations" className="p-4" />
        ) : query.isError ? (
          <ErrorState
            className="m-3"
            error={problemMessage(query.error)}
            onRetry={() => void query.refetch()}
          />
        ) : conversations.length === 0 ? (
          <EmptyState icon={InboxIcon} title="Nothing here" className="m-3">
            {filters.q
              ? "No conversation matches this search."
              : filters.view === "open" && !filters.everything
                ? "Conversations appear here when a contact texts you. A campaign message nobody answered stays out of the inbox."
                : "No conversation in this view."}
          </EmptyState>
        ) : (
          <ul aria-label="Conversation list">
            {conversations.map((c) => {
              const active = c.id === openId;
              const assignee = memberName(c.assignee_id ?? null);
              return (
                <li
                  key={c.id}
                  id={`conversation-${c.id}`}
                  className={cn(
                    "flex items-start gap-2 border-b px-3 py-2.5",
                    active ? "bg-accent" : "hover:bg-muted/60",
                  )}
                >
                  <Checkbox
                    className="mt-1"
                    aria-label={`Select ${contactName(c.contact)}`}
                    checked={selected.has(c.id)}
                    onCheckedChange={(on) => toggle(c.id, on === true)}
                  />
                  <button
                    type="button"
                    aria-current={active ? "true" : undefined}
                    data-unread={c.unread ? "true" : undefined}
                    className="grid min-w-0 flex-1 gap-0.5 text-left focus-visible:outline-2 focus-visible:outline-ring"
                    onClick={() => onOpen(c.id)}
                  >
                    <span className="flex items-center gap-2">
                      <span className={cn("truncate text-sm", c.unread && "font-semibold")}>
                        {contactName(c.contact)}
                      </span>
                      {c.unread ? (
                        <span
                          className="size-2 shrink-0 rounded-full bg-primary"
                          aria-label="Unread"
                        />
                      ) : null}
                      <span className="ml-auto shrink-0 text-xs text-muted-foreground">
                        {shortTime(c.last_message_at)}
                      </span>
                    </span>
                    <span
                      className={cn(
                        "truncate text-sm",
                        c.unread ? "text-foreground" : "text-muted-foreground",
                      )}
                    >
                      {c.last_message_preview || "No message yet"}
                    </span>
                    <span className="flex flex-wrap items-center gap-1 pt-0.5">
                      {c.needs_human ? (
                        <Badge variant="warning" title={c.needs_human_reason ?? undefined}>
                          <Bot className="size-3" aria-hidden /> Needs human
                        </Badge>
                      ) : null}
                      {c.lead_stage !== "new" ? (
                        <Badge variant={c.lead_stage === "qualified" ? "success" : "neutral"}>
                          {STAGE_LABELS[c.lead_stage] ?? c.lead_stage}
                        </Badge>
                      ) : null}
                      {c.status !== "open" ? <Badge variant="outline">{c.status}</Badge> : null}
                      {assignee ? (
                        <span className="inline-flex items-center gap-1 text-xs text-muted-foreground">
                          <UserRound className="size-3" aria-hidden /> {assignee}
                        </span>
                      ) : null}
                    </span>
                  </button>
                </li>
              );
            })}
          </ul>
        )}
        {query.hasNextPage ? (
          <div className="p-3">
            <Button
              variant="outline"
              className="w-full"
              disabled={query.isFetchingNextPage}
              onClick={() => void query.fetchNextPage()}
            >
              {query.isFetchingNextPage ? "Loading…" : "Load more"}
            </Button>
          </div>
        ) : null}
      </div>
    </section>
  );
}

function SearchBox({
  initial,
  searchRef,
  onSearch,
}: {
  initial: string;
  searchRef: RefObject<HTMLInputElement | null>;
  onSearch: (q: string | null) => void;
}) {
  const [search, setSearch] = useState(initial);
  return (
    <form
      role="search"
      className="relative flex-1"
      onSubmit={(e) => {
        e.preventDefault();
        onSearch(search.trim() || null);
      }}
    >
      <Search
        aria-hidden
        className="pointer-events-none absolute top-1/2 left-2.5 size-4 -translate-y-1/2 text-muted-foreground"
      />
      <Input
        ref={searchRef}
        type="search"
        aria-label="Search conversations"
        placeholder="Search messages, names, numbers"
        className="pl-8"
        value={search}
        onChange={(e) => setSearch(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Escape") (e.target as HTMLInputElement).blur();
        }}
      />
    </form>
  );
}
