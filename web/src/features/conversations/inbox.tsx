"use client";

import { useCallback, useEffect, useMemo, useRef, useState } from "react";

import { useQueryParams } from "@/lib/use-query-params";
import { cn } from "@/lib/utils";

import { ConversationList } from "./conversation-list";
import { FiltersPane } from "./filters-pane";
import {
  type Conversation,
  type InboxFilters,
  LEAD_STAGES,
  type LeadStage,
  useConversations,
  useCounts,
  useLiveInbox,
  type View,
} from "./hooks";
import { ShortcutsDialog, useInboxShortcuts } from "./shortcuts";
import { ThreadPane, type ThreadHandle } from "./thread-pane";

const VIEWS: readonly View[] = ["open", "mine", "unassigned", "unread", "snoozed", "closed", "all"];

function readFilters(params: URLSearchParams): InboxFilters {
  const view = params.get("view");
  const stage = params.get("stage");
  return {
    view: VIEWS.includes(view as View) ? (view as View) : "open",
    campaign: params.get("campaign") || null,
    stage: LEAD_STAGES.includes(stage as LeadStage) ? (stage as LeadStage) : null,
    q: params.get("q") || null,
    everything: params.get("all") === "1",
  };
}

/** The inbox: filters | conversations | thread (with the contact and the lead). On a phone
 * (below 768 px) one pane at a time: the list, then the thread with a way back. */
export function Inbox() {
  const [params, setParams] = useQueryParams();
  const filters = useMemo(() => readFilters(params), [params]);
  const openId = params.get("id");

  useLiveInbox(openId);
  const list = useConversations(filters);
  const counts = useCounts(filters.everything);
  const conversations: Conversation[] = useMemo(
    () => list.data?.pages.flatMap((p) => p.data) ?? [],
    [list.data],
  );

  // The tab's title: the unread count, so a background tab shows new messages.
  const unread = counts.data?.unread ?? 0;
  useEffect(() => {
    document.title = unread > 0 ? `(${unread}) Inbox · SMS Platform` : "Inbox · SMS Platform";
  }, [unread]);

  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [shortcutsOpen, setShortcutsOpen] = useState(false);
  const searchRef = useRef<HTMLInputElement>(null);
  const thread = useRef<ThreadHandle>(null);

  const open = useCallback((id: string | null) => setParams({ id }), [setParams]);
  const move = useCallback(
    (step: 1 | -1) => {
      if (conversations.length === 0) return;
      const at = conversations.findIndex((c) => c.id === openId);
      const next = at === -1 ? 0 : Math.min(Math.max(at + step, 0), conversations.length - 1);
      const target = conversations[next];
      if (target) {
        open(target.id);
        document.getElementById(`conversation-${target.id}`)?.scrollIntoView({ block: "nearest" });
      }
    },
    [conversations, open, openId],
  );

  useInboxShortcuts({
    next: () => move(1),
    previous: () => move(-1),
    reply: () => thread.current?.focusComposer(),
    close: () => thread.current?.toggleClosed(),
    assign: () => thread.current?.openAssign(),
    snooze: () => thread.current?.openSnooze(),
    search: () => searchRef.current?.focus(),
    help: () => setShortcutsOpen(true),
  });

  return (
    <div className="grid h-[calc(100dvh-3.5rem)] min-h-0 md:grid-cols-[11rem_18rem_minmax(0,1fr)] xl:grid-cols-[13rem_21rem_minmax(0,1fr)]">
      <h1 className="sr-only">Inbox</h1>
      <FiltersPane
        className="hidden border-r md:flex"
        filters={filters}
        counts={counts.data}
        onChange={setParams}
      />
      <ConversationList
        className={cn("border-r", openId ? "hidden md:flex" : "flex")}
        filters={filters}
        counts={counts.data}
        onChange={setParams}
        query={list}
        conversations={conversations}
        openId={openId}
        onOpen={open}
        selected={selected}
        onSelect={setSelected}
        searchRef={searchRef}
        onShowShortcuts={() => setShortcutsOpen(true)}
      />
      <ThreadPane
        ref={thread}
        className={openId ? "flex" : "hidden md:flex"}
        conversationId={openId}
        onBack={() => open(null)}
      />
      <ShortcutsDialog open={shortcutsOpen} onOpenChange={setShortcutsOpen} />
    </div>
  );
}
