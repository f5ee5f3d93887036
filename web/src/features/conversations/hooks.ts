/**
 * Inbox queries and mutations (TanStack Query over the generated client), and the live
 * poll: `useLiveInbox` asks `GET /v1/conversations/changes` every 1.5 s with the previous
 * cursor and ETag (a 304 costs the server one index range scan and no body), and
 * invalidates the list, the counts and the open thread when something changed.
 */
import {
  keepPreviousData,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from "@tanstack/react-query";
import { useEffect, useRef } from "react";

import { api, authFetch, unwrap } from "@/api/client";
import { ApiProblem, toProblem } from "@/api/problem";
import type { components, paths } from "@/api/schema";

export type Conversation = components["schemas"]["ConversationOut"];
export type Counts = components["schemas"]["ConversationCounts"];
export type Message = components["schemas"]["MessageOut"];
export type Lead = components["schemas"]["LeadOut"];
export type Draft = components["schemas"]["DraftOut"];
export type ReplyPreview = components["schemas"]["ReplyPreviewOut"];
export type Patch = components["schemas"]["ConversationPatch"];
export type LeadStage = NonNullable<components["schemas"]["ConversationQuery"]["lead_stage"]>;
export type AiMode = NonNullable<Patch["ai_mode"]>;

export const LEAD_STAGES: readonly LeadStage[] = [
  "new",
  "engaged",
  "qualified",
  "unqualified",
  "handoff",
];

/** The list's views (the left pane), as the URL's `view`. */
export type View = "open" | "mine" | "unassigned" | "unread" | "snoozed" | "closed" | "all";

export interface InboxFilters {
  view: View;
  campaign: string | null;
  stage: LeadStage | null;
  q: string | null;
  /** Campaign-only threads (no inbound) too: off in the inbox's work queue. */
  everything: boolean;
}

export const inboxKeys = {
  all: ["conversations"] as const,
  list: (f: InboxFilters) => ["conversations", "list", f] as const,
  counts: (everything: boolean) => ["conversations", "counts", everything] as const,
  one: (id: string) => ["conversations", "one", id] as const,
  thread: (id: string) => ["conversations", "thread", id] as const,
  lead: (id: string) => ["conversations", "lead", id] as const,
  draft: (id: string) => ["conversations", "draft", id] as const,
};

const PAGE = 30;

function listQuery(f: InboxFilters) {
  const query: NonNullable<paths["/v1/conversations"]["get"]["parameters"]["query"]> = {
    limit: PAGE,
  };
  if (!f.everything) query.has_inbound = true;
  if (f.view === "open" || f.view === "snoozed" || f.view === "closed") query.status = f.view;
  if (f.view === "mine") Object.assign(query, { assignee: "me", status: "open" });
  if (f.view === "unassigned") Object.assign(query, { assignee: "none", status: "open" });
  if (f.view === "unread") Object.assign(query, { unread: true, status: "open" });
  if (f.campaign) query.campaign_id = f.campaign;
  if (f.stage) query.lead_stage = f.stage;
  if (f.q) query.q = f.q;
  return query;
}

export function useConversations(f: InboxFilters) {
  return useInfiniteQuery({
    queryKey: inboxKeys.list(f),
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET("/v1/conversations", {
          params: { query: { ...listQuery(f), ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor ?? null,
    placeholderData: keepPreviousData,
  });
}

export function useCounts(everything: boolean) {
  return useQuery({
    queryKey: inboxKeys.counts(everything),
    queryFn: () =>
      unwrap(
        api.GET("/v1/conversations/counts", {
          params: { query: everything ? {} : { has_inbound: true } },
        }),
      ),
    placeholderData: keepPreviousData,
  });
}

export function useConversation(id: string | null) {
  return useQuery({
    queryKey: inboxKeys.one(id ?? ""),
    queryFn: () =>
      unwrap(
        api.GET("/v1/conversations/{conversation_id}", {
          params: { path: { conversation_id: id ?? "" } },
        }),
      ),
    enabled: Boolean(id),
  });
}

/** In flight: queued or sending, or sent less than two minutes ago (a receipt may come). */
function inFlight(m: Message): boolean {
  if (m.status === "queued" || m.status === "sending") return true;
  return (
    m.status === "sent" && Date.now() - new Date(m.sent_at ?? m.created_at).getTime() < 120_000
  );
}

/** The thread, newest page first; `fetchNextPage` loads older messages. */
export function useThread(id: string | null) {
  return useInfiniteQuery({
    queryKey: inboxKeys.thread(id ?? ""),
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET("/v1/conversations/{conversation_id}/messages", {
          params: {
            path: { conversation_id: id ?? "" },
            query: { limit: PAGE, ...(pageParam ? { before: pageParam } : {}) },
          },
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => (page.has_older ? page.before_cursor : null),
    enabled: Boolean(id),
    // Delivery receipts do not touch the conversation: follow them while one is in flight.
    refetchInterval: (query) => {
      const pages = query.state.data?.pages ?? [];
      const pending = pages.some((p) => p.data.some(inFlight));
      return pending ? 2_000 : false;
    },
  });
}

export function useLead(id: string | null) {
  return useQuery({
    queryKey: inboxKeys.lead(id ?? ""),
    queryFn: () =>
      unwrap(
        api.GET("/v1/conversations/{conversation_id}/lead", {
          params: { path: { conversation_id: id ?? "" } },
        }),
      ),
    enabled: Boolean(id),
  });
}

/** The AI's pending draft, or null when there is none (404). */
export function useDraft(id: string | null) {
  return useQuery({
    queryKey: inboxKeys.draft(id ?? ""),
    queryFn: async (): Promise<Draft | null> => {
      try {
        return await unwrap(
          api.GET("/v1/conversations/{conversation_id}/ai/draft", {
            params: { path: { conversation_id: id ?? "" } },
          }),
        );
      } catch (error) {
        if (error instanceof ApiProblem && error.status === 404) return null;
        throw error;
      }
    },
    enabled: Boolean(id),
  });
}

export function useMembers() {
  return useQuery({
    queryKey: ["members"],
    queryFn: () => unwrap(api.GET("/v1/members")),
    select: (list) => list.data,
    staleTime: 60_000,
  });
}

export function useTemplates() {
  return useQuery({
    queryKey: ["templates", "picker"],
    queryFn: () => unwrap(api.GET("/v1/templates", { params: { query: { limit: 100 } } })),
    select: (page) => page.data,
    staleTime: 60_000,
  });
}

export function useCampaignChoices() {
  return useQuery({
    queryKey: ["campaigns", "picker"],
    queryFn: () => unwrap(api.GET("/v1/campaigns", { params: { query: { limit: 100 } } })),
    select: (page) => page.data,
    staleTime: 60_000,
  });
}

/** Refreshes everything the inbox shows about one conversation (and the lists). */
function useRefresh() {
  const client = useQueryClient();
  return (id?: string) => {
    void client.invalidateQueries({ queryKey: ["conversations", "list"] });
    void client.invalidateQueries({ queryKey: ["conversations", "counts"] });
    if (id) {
      void client.invalidateQueries({ queryKey: inboxKeys.one(id) });
      void client.invalidateQueries({ queryKey: inboxKeys.thread(id) });
      void client.invalidateQueries({ queryKey: inboxKeys.draft(id) });
      void client.invalidateQueries({ queryKey: inboxKeys.lead(id) });
    }
  };
}

export function usePatchConversations() {
  const client = useQueryClient();
  const refresh = useRefresh();
  return useMutation({
    mutationFn: async ({ ids, patch }: { ids: string[]; patch: Patch }) =>
      Promise.all(
        ids.map((id) =>
          unwrap(
            api.PATCH("/v1/conversations/{conversation_id}", {
              params: { path: { conversation_id: id } },
              body: patch,
            }),
          ),
        ),
      ),
    onSuccess: (updated) => {
      for (const c of updated) client.setQueryData(inboxKeys.one(c.id), c);
    },
    onSettled: (_data, _error, { ids }) => {
      refresh();
      for (const id of ids) void client.invalidateQueries({ queryKey: inboxKeys.one(id) });
    },
  });
}

export function useMarkRead() {
  const client = useQueryClient();
  const refresh = useRefresh();
  return useMutation({
    mutationFn: async ({ ids, read }: { ids: string[]; read: boolean }) =>
      Promise.all(
        ids.map((id) => {
          const options = { params: { path: { conversation_id: id } } };
          return unwrap(
            read
              ? api.POST("/v1/conversations/{conversation_id}/read", options)
              : api.DELETE("/v1/conversations/{conversation_id}/read", options),
          );
        }),
      ),
    onSuccess: (updated) => {
      for (const c of updated) client.setQueryData(inboxKeys.one(c.id), c);
      refresh();
    },
  });
}

export function previewReply(
  id: string,
  body: { body: string } | { template_id: string },
): Promise<ReplyPreview> {
  return unwrap(
    api.POST("/v1/conversations/{conversation_id}/messages/preview", {
      params: { path: { conversation_id: id } },
      body,
    }),
  );
}

export function useSetLead(id: string) {
  const client = useQueryClient();
  const refresh = useRefresh();
  return useMutation({
    mutationFn: (body: components["schemas"]["LeadIn"]) =>
      unwrap(
        api.PUT("/v1/conversations/{conversation_id}/lead", {
          params: { path: { conversation_id: id } },
          body,
        }),
      ),
    onSuccess: (lead) => {
      client.setQueryData(inboxKeys.lead(id), lead);
      refresh(id);
    },
  });
}

export function useDraftActions(id: string) {
  const client = useQueryClient();
  const refresh = useRefresh();
  const path = { params: { path: { conversation_id: id } } };
  const done = () => {
    client.setQueryData(inboxKeys.draft(id), null);
    refresh(id);
  };
  return {
    send: useMutation({
      mutationFn: (body: string | null) =>
        unwrap(
          api.POST("/v1/conversations/{conversation_id}/ai/draft/send", {
            ...path,
            body: { body },
          }),
        ),
      onSuccess: done,
    }),
    discard: useMutation({
      mutationFn: () => unwrap(api.DELETE("/v1/conversations/{conversation_id}/ai/draft", path)),
      onSuccess: done,
    }),
    suggest: useMutation({
      mutationFn: () => unwrap(api.POST("/v1/conversations/{conversation_id}/ai/suggest", path)),
      onSuccess: (draft) => client.setQueryData(inboxKeys.draft(id), draft),
    }),
  };
}

type Changes = components["schemas"]["ChangesOut"];

/** Polling cadence of the live inbox: a new inbound shows within ~2 s (bench/inbox_live.py). */
export const LIVE_INTERVAL_MS = 1_500;

/**
 * The live inbox: one conditional request per interval. On a change (a 200 after the
 * first answer), the lists and counts refetch, and so does the open thread when it is among
 * the changed conversations (or the answer was truncated).
 */
export function useLiveInbox(openId: string | null) {
  const client = useQueryClient();
  const state = useRef<{ cursor: string | null; etag: string | null }>({
    cursor: null,
    etag: null,
  });
  const openRef = useRef(openId);
  useEffect(() => {
    openRef.current = openId;
  }, [openId]);
  return useQuery({
    queryKey: ["conversations", "live"],
    queryFn: async () => {
      const { cursor, etag } = state.current;
      const url = `/v1/conversations/changes${cursor ? `?since=${encodeURIComponent(cursor)}` : ""}`;
      const headers: Record<string, string> = etag ? { "If-None-Match": etag } : {};
      const response = await authFetch(new Request(url, { headers }));
      if (response.status === 304) return cursor;
      const body: unknown = await response.json().catch(() => undefined);
      if (!response.ok) throw toProblem(response, body);
      const changes = body as Changes;
      state.current = { cursor: changes.cursor, etag: response.headers.get("ETag") };
      if (cursor !== null) {
        void client.invalidateQueries({ queryKey: ["conversations", "list"] });
        void client.invalidateQueries({ queryKey: ["conversations", "counts"] });
        const open = openRef.current;
        if (open && (changes.truncated || changes.changed.some((c) => c.id === open))) {
          void client.invalidateQueries({ queryKey: inboxKeys.one(open) });
          void client.invalidateQueries({ queryKey: inboxKeys.thread(open) });
          void client.invalidateQueries({ queryKey: inboxKeys.draft(open) });
          void client.invalidateQueries({ queryKey: inboxKeys.lead(open) });
        }
      }
      return changes.cursor;
    },
    refetchInterval: LIVE_INTERVAL_MS,
    // The tab's title shows the unread count: keep it true in a background tab too.
    refetchIntervalInBackground: true,
    refetchOnWindowFocus: "always",
    retry: false,
  });
}
