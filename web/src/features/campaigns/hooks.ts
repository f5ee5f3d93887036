/**
 * Campaign queries and mutations. The detail page polls the campaign and its stats with
 * conditional requests (ETag / If-None-Match -> 304, see conditional.ts): every 2 s while
 * it sends, every 5 s while it waits, and not at all once it is over.
 */
import {
  keepPreviousData,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from "@tanstack/react-query";

import { api, unwrap } from "@/api/client";
import type { components } from "@/api/schema";

import { conditionalCache } from "./conditional";
import type { CampaignPatch } from "./wizard";

export type Campaign = components["schemas"]["CampaignOut"];
export type CampaignStatus = Campaign["status"];
export type CampaignStats = components["schemas"]["CampaignStats"];
export type CampaignPreview = components["schemas"]["PreviewOut"];
export type Audience = components["schemas"]["Audience"];
export type Message = components["schemas"]["MessageOut"];

export const STATUSES: readonly CampaignStatus[] = [
  "draft",
  "scheduled",
  "running",
  "paused",
  "completed",
  "cancelled",
];

export const campaignKeys = {
  all: ["campaigns"] as const,
  list: (status: CampaignStatus | null) => ["campaigns", "list", status] as const,
  inFlight: ["dashboard", "campaigns"] as const,
  one: (id: string) => ["campaigns", "one", id] as const,
  stats: (id: string) => ["campaigns", "stats", id] as const,
  messages: (id: string, status: string | null) => ["campaigns", "messages", id, status] as const,
  preview: (id: string) => ["campaigns", "preview", id] as const,
  audienceCount: (audience: Audience) => ["campaigns", "audience-count", audience] as const,
  pools: ["number-pools"] as const,
  segments: ["segments", "all"] as const,
};

const LIVE: CampaignStatus[] = ["running"];
const WAITING: CampaignStatus[] = ["scheduled", "paused"];
const WAIT_POLL_MS = 5_000;

/** How often a campaign in this state is polled (false: it no longer changes). */
export function pollEvery(status: CampaignStatus | undefined): number | false {
  if (!status) return false;
  if (LIVE.includes(status)) return 2_000;
  if (WAITING.includes(status)) return WAIT_POLL_MS;
  return false;
}

export function useCampaigns(status: CampaignStatus | null) {
  return useInfiniteQuery({
    queryKey: campaignKeys.list(status),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET("/v1/campaigns", {
          params: {
            query: {
              limit: 25,
              ...(status ? { status } : {}),
              ...(pageParam ? { cursor: pageParam } : {}),
            },
          },
        }),
      ),
    getNextPageParam: (page) => page.next_cursor ?? undefined,
    placeholderData: keepPreviousData,
    refetchInterval: 10_000,
  });
}

/** Progress of the scheduled, running and paused campaigns, in one request (no N+1). */
export function useProgress() {
  return useQuery({
    queryKey: campaignKeys.inFlight,
    queryFn: () => unwrap(api.GET("/v1/dashboard/campaigns")),
    select: (page) => new Map(page.data.map((c) => [c.id, c])),
    refetchInterval: 5_000,
  });
}

export function useCampaign(id: string | null) {
  return useQuery({
    queryKey: campaignKeys.one(id ?? ""),
    queryFn: () =>
      conditionalCache.get(`campaign:${id}`, (header) =>
        api.GET("/v1/campaigns/{campaign_id}", {
          params: { path: { campaign_id: id! }, header },
        }),
      ),
    enabled: Boolean(id),
    refetchInterval: (query) => pollEvery(query.state.data?.status),
    refetchOnWindowFocus: true,
  });
}

/** How long after the end delivery receipts are still awaited (and the figures polled). */
const RECEIPTS_WINDOW_MS = 10 * 60_000;

/**
 * Stats polling: as the campaign, and after it ends while messages still await their
 * delivery receipt (for a few minutes: some carriers never send one).
 */
export function statsPollEvery(
  campaign: Pick<Campaign, "status" | "completed_at" | "cancelled_at">,
  stats: CampaignStats | undefined,
  now = Date.now(),
): number | false {
  const live = pollEvery(campaign.status);
  if (live !== false) return live;
  const ended = campaign.completed_at ?? campaign.cancelled_at;
  if (!ended || !stats || now - new Date(ended).getTime() > RECEIPTS_WINDOW_MS) return false;
  return stats.sent + stats.queued + stats.sending > 0 ? WAIT_POLL_MS : false;
}

export function useCampaignStats(campaign: Campaign) {
  const id = campaign.id;
  return useQuery({
    queryKey: campaignKeys.stats(id),
    queryFn: () =>
      conditionalCache.get(`stats:${id}`, (header) =>
        api.GET("/v1/campaigns/{campaign_id}/stats", {
          params: { path: { campaign_id: id }, header },
        }),
      ),
    refetchInterval: (query) => statsPollEvery(campaign, query.state.data),
    refetchOnWindowFocus: true,
    staleTime: 0,
  });
}

/** Whether a campaign still changes: it sends or waits, or it ended under 10 minutes ago
 * (delivery receipts still arrive). Called from polling callbacks, not during render. */
function stillMoving(campaign: Campaign, now = Date.now()): boolean {
  if (pollEvery(campaign.status) !== false) return true;
  const ended = campaign.completed_at ?? campaign.cancelled_at;
  return Boolean(ended && now - new Date(ended).getTime() < RECEIPTS_WINDOW_MS);
}

export function useCampaignMessages(campaign: Campaign, status: string | null) {
  const id = campaign.id;
  return useInfiniteQuery({
    queryKey: campaignKeys.messages(id, status),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET("/v1/campaigns/{campaign_id}/messages", {
          params: {
            path: { campaign_id: id },
            query: {
              limit: 25,
              ...(status ? { status } : {}),
              ...(pageParam ? { cursor: pageParam } : {}),
            },
          },
        }),
      ),
    getNextPageParam: (page) => page.next_cursor ?? undefined,
    placeholderData: keepPreviousData,
    refetchInterval: () => (stillMoving(campaign) ? 5_000 : false),
  });
}

export function usePools() {
  return useQuery({
    queryKey: campaignKeys.pools,
    queryFn: () => unwrap(api.GET("/v1/number-pools")),
    select: (page) => page.data,
  });
}

export function useSegments() {
  return useQuery({
    queryKey: campaignKeys.segments,
    queryFn: () => unwrap(api.GET("/v1/segments", { params: { query: { limit: 100 } } })),
    select: (page) => page.data,
  });
}

/** The live audience count; `audience` is debounced by the caller. */
export function useAudienceCount(audience: Audience, enabled: boolean) {
  return useQuery({
    queryKey: campaignKeys.audienceCount(audience),
    queryFn: ({ signal }) =>
      unwrap(api.POST("/v1/campaigns/audience-count", { body: audience, signal })),
    enabled,
    placeholderData: keepPreviousData,
    retry: false,
  });
}

export function useCampaignPreview(id: string | null, enabled: boolean) {
  return useQuery({
    queryKey: campaignKeys.preview(id ?? ""),
    queryFn: () =>
      unwrap(
        api.POST("/v1/campaigns/{campaign_id}/preview", {
          params: { path: { campaign_id: id! } },
          body: { sample_size: 3 },
        }),
      ),
    enabled: Boolean(id) && enabled,
    placeholderData: keepPreviousData,
    retry: false,
  });
}

export function useSaveDraft() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, patch }: { id: string | null; patch: CampaignPatch }) => {
      if (id) {
        return unwrap(
          api.PATCH("/v1/campaigns/{campaign_id}", {
            params: { path: { campaign_id: id } },
            body: patch,
          }),
        );
      }
      return unwrap(
        api.POST("/v1/campaigns", {
          body: { ...patch, name: patch.name ?? "" } as components["schemas"]["CampaignIn"],
        }),
      );
    },
    onSuccess: (campaign) => {
      client.setQueryData(campaignKeys.one(campaign.id), campaign);
      void client.invalidateQueries({ queryKey: campaignKeys.preview(campaign.id) });
      void client.invalidateQueries({ queryKey: ["campaigns", "list"] });
    },
  });
}

type Control = "launch" | "pause" | "resume" | "cancel";

export function useControl(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (action: Control) => {
      const path = { params: { path: { campaign_id: id } } };
      switch (action) {
        case "launch":
          return (await unwrap(api.POST("/v1/campaigns/{campaign_id}/launch", path))).campaign;
        case "pause":
          return unwrap(api.POST("/v1/campaigns/{campaign_id}/pause", path));
        case "resume":
          return unwrap(api.POST("/v1/campaigns/{campaign_id}/resume", path));
        case "cancel":
          return unwrap(api.POST("/v1/campaigns/{campaign_id}/cancel", path));
      }
    },
    onSuccess: (campaign) => {
      client.setQueryData(campaignKeys.one(id), campaign);
      void client.invalidateQueries({ queryKey: campaignKeys.stats(id) });
      void client.invalidateQueries({ queryKey: ["campaigns", "list"] });
      void client.invalidateQueries({ queryKey: campaignKeys.inFlight });
    },
  });
}

export function useDeleteCampaign(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () =>
      unwrap(api.DELETE("/v1/campaigns/{campaign_id}", { params: { path: { campaign_id: id } } })),
    onSuccess: () => {
      client.removeQueries({ queryKey: campaignKeys.one(id) });
      void client.invalidateQueries({ queryKey: ["campaigns", "list"] });
    },
  });
}
