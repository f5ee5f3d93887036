/**
 * Outgoing webhooks (shared/webhooks): endpoints, the event catalogue, the delivery log.
 * One hook per API call over the generated client; failures come back as ApiProblem.
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

export type Endpoint = components["schemas"]["WebhookEndpointOut"];
export type EndpointCreated = components["schemas"]["WebhookEndpointCreated"];
export type EndpointIn = components["schemas"]["WebhookEndpointIn"];
export type EndpointPatch = components["schemas"]["WebhookEndpointPatch"];
export type EventType = components["schemas"]["WebhookEventType"];
export type Delivery = components["schemas"]["WebhookDeliveryOut"];
export type Attempt = components["schemas"]["WebhookAttemptOut"];
export type DeliveryStatus = Delivery["status"];

export interface DeliveryFilters {
  status?: DeliveryStatus | undefined;
  eventType?: string | undefined;
}

export const webhookKeys = {
  all: ["webhooks"] as const,
  eventTypes: ["webhooks", "event-types"] as const,
  endpoints: ["webhooks", "endpoints"] as const,
  endpoint: (id: string) => ["webhooks", "endpoints", id] as const,
  deliveries: (id: string, filters: DeliveryFilters) =>
    ["webhooks", "deliveries", id, filters.status ?? null, filters.eventType ?? null] as const,
  allDeliveries: (id: string) => ["webhooks", "deliveries", id] as const,
};

/** Not something to subscribe to: the test event goes to one endpoint on request. */
export const TEST_EVENT = "ping";

export function useEventTypes() {
  return useQuery({
    queryKey: webhookKeys.eventTypes,
    queryFn: () => unwrap(api.GET("/v1/webhook-events")),
    select: (list) => list.data,
    staleTime: 60 * 60_000, // the catalogue changes with a deploy, not while a page is open
  });
}

export function useEndpoints() {
  return useQuery({
    queryKey: webhookKeys.endpoints,
    queryFn: () => unwrap(api.GET("/v1/webhook-endpoints")),
    select: (list) => list.data,
    refetchInterval: 30_000,
  });
}

export function useEndpoint(id: string) {
  return useQuery({
    queryKey: webhookKeys.endpoint(id),
    queryFn: () =>
      unwrap(
        api.GET("/v1/webhook-endpoints/{endpoint_id}", { params: { path: { endpoint_id: id } } }),
      ),
    enabled: Boolean(id),
    refetchInterval: 30_000,
  });
}

const PAGE_SIZE = 25;

/**
 * The delivery log, newest first, a page at a time ("Load more" follows the cursor). Live:
 * every 3 s while a delivery is pending (a retry is due), every 15 s otherwise.
 */
export function useDeliveries(id: string, filters: DeliveryFilters) {
  return useInfiniteQuery({
    queryKey: webhookKeys.deliveries(id, filters),
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET("/v1/webhook-endpoints/{endpoint_id}/deliveries", {
          params: {
            path: { endpoint_id: id },
            query: {
              limit: PAGE_SIZE,
              ...(pageParam ? { cursor: pageParam } : {}),
              ...(filters.status ? { status: filters.status } : {}),
              ...(filters.eventType ? { event_type: filters.eventType } : {}),
            },
          },
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor ?? null,
    enabled: Boolean(id),
    placeholderData: keepPreviousData,
    refetchInterval: (query) =>
      query.state.data?.pages.some((p) => p.data.some((d) => d.status === "pending"))
        ? 3_000
        : 15_000,
  });
}

export function useCreateEndpoint() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: EndpointIn) => unwrap(api.POST("/v1/webhook-endpoints", { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: webhookKeys.endpoints }),
  });
}

export function useUpdateEndpoint(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: EndpointPatch) =>
      unwrap(
        api.PATCH("/v1/webhook-endpoints/{endpoint_id}", {
          params: { path: { endpoint_id: id } },
          body,
        }),
      ),
    onSuccess: (endpoint) => {
      client.setQueryData(webhookKeys.endpoint(id), endpoint);
      return client.invalidateQueries({ queryKey: webhookKeys.endpoints });
    },
  });
}

export function useDeleteEndpoint() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(
        api.DELETE("/v1/webhook-endpoints/{endpoint_id}", {
          params: { path: { endpoint_id: id } },
        }),
      ),
    onSuccess: (_, id) => {
      client.removeQueries({ queryKey: webhookKeys.endpoint(id) });
      return client.invalidateQueries({ queryKey: webhookKeys.endpoints });
    },
  });
}

export function useRotateSecret(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/v1/webhook-endpoints/{endpoint_id}/rotate-secret", {
          params: { path: { endpoint_id: id } },
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: webhookKeys.endpoint(id) }),
  });
}

export function useSendTest(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/v1/webhook-endpoints/{endpoint_id}/test", {
          params: { path: { endpoint_id: id } },
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: webhookKeys.allDeliveries(id) }),
  });
}

export function useReplay(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (deliveryId: string) =>
      unwrap(
        api.POST("/v1/webhook-endpoints/{endpoint_id}/deliveries/{delivery_id}/replay", {
          params: { path: { endpoint_id: id, delivery_id: deliveryId } },
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: webhookKeys.allDeliveries(id) }),
  });
}
