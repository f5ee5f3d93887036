/**
 * Numbers and pools: one hook per API call (TanStack Query over the generated client).
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

export type PhoneNumber = components["schemas"]["NumberOut"];
export type NumberStatus = NonNullable<components["schemas"]["NumberQuery"]["status"]>;
export type AvailableNumber = components["schemas"]["AvailableNumberOut"];
export type Pool = components["schemas"]["PoolOut"];
export type PoolIn = components["schemas"]["PoolIn"];
export type AvailableQuery = components["schemas"]["AvailableQuery"];

export const numberKeys = {
  all: ["numbers"] as const,
  list: (status: NumberStatus | null) => ["numbers", "list", status] as const,
  every: ["numbers", "every"] as const,
  available: (q: AvailableQuery) => ["numbers", "available", q] as const,
  pools: ["number-pools"] as const,
};

const PAGE = 50;

/** The workspace's numbers, a page at a time (the API's cursor), optionally by status. */
export function useNumbers(status: NumberStatus | null) {
  return useInfiniteQuery({
    queryKey: numberKeys.list(status),
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET("/v1/numbers", {
          params: {
            query: {
              limit: PAGE,
              ...(status ? { status } : {}),
              ...(pageParam ? { cursor: pageParam } : {}),
            },
          },
        }),
      ),
    getNextPageParam: (last) => last.next_cursor ?? null,
    placeholderData: keepPreviousData,
    refetchInterval: 30_000, // a number's health can change while the page is open
  });
}

/** Every number that can be in a pool (not released), for the pool editor. */
export function useAllNumbers() {
  return useQuery({
    queryKey: numberKeys.every,
    queryFn: async () => {
      const out: PhoneNumber[] = [];
      let cursor: string | null = null;
      do {
        const page: components["schemas"]["NumberList"] = await unwrap(
          api.GET("/v1/numbers", {
            params: { query: { limit: 200, ...(cursor ? { cursor } : {}) } },
          }),
        );
        out.push(...page.data.filter((n) => n.status !== "released"));
        cursor = page.next_cursor ?? null;
      } while (cursor && out.length < 5000);
      return out;
    },
  });
}

export function useAvailableNumbers(query: AvailableQuery | null) {
  return useQuery({
    queryKey: numberKeys.available(query ?? {}),
    queryFn: () => unwrap(api.GET("/v1/numbers/available", { params: { query: query ?? {} } })),
    enabled: query !== null,
    select: (list) => list.data,
    staleTime: 0,
  });
}

function useInvalidateNumbers() {
  const client = useQueryClient();
  return () =>
    Promise.all([
      // Not the search results: a list that changes under the pointer while buying.
      client.invalidateQueries({ queryKey: ["numbers", "list"] }),
      client.invalidateQueries({ queryKey: numberKeys.every }),
      client.invalidateQueries({ queryKey: numberKeys.pools }),
      client.invalidateQueries({ queryKey: ["dashboard"] }),
      client.invalidateQueries({ queryKey: ["onboarding"] }),
    ]);
}

export function usePurchaseNumber() {
  const invalidate = useInvalidateNumbers();
  return useMutation({
    mutationFn: (phone_number: string) =>
      unwrap(api.POST("/v1/numbers/purchase", { body: { phone_number } })),
    onSuccess: invalidate,
  });
}

export function useImportNumbers() {
  const invalidate = useInvalidateNumbers();
  return useMutation({
    mutationFn: () => unwrap(api.POST("/v1/numbers/import")),
    onSuccess: invalidate,
  });
}

export function useUpdateNumber() {
  const invalidate = useInvalidateNumbers();
  return useMutation({
    mutationFn: ({ id, ...body }: { id: string } & components["schemas"]["NumberPatch"]) =>
      unwrap(api.PATCH("/v1/numbers/{number_id}", { params: { path: { number_id: id } }, body })),
    onSuccess: invalidate,
  });
}

export function useReleaseNumber() {
  const invalidate = useInvalidateNumbers();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(api.DELETE("/v1/numbers/{number_id}", { params: { path: { number_id: id } } })),
    onSuccess: invalidate,
  });
}

export function usePools() {
  return useQuery({
    queryKey: numberKeys.pools,
    queryFn: () => unwrap(api.GET("/v1/number-pools")),
    select: (list) => list.data,
  });
}

/** Create or edit a pool with its members in one go (the pool, then its numbers). */
export function useSavePool() {
  const invalidate = useInvalidateNumbers();
  return useMutation({
    mutationFn: async ({
      id,
      pool,
      numberIds,
    }: {
      id: string | null;
      pool: PoolIn;
      numberIds: string[];
    }) => {
      const saved = id
        ? await unwrap(
            api.PATCH("/v1/number-pools/{pool_id}", {
              params: { path: { pool_id: id } },
              body: pool,
            }),
          )
        : await unwrap(api.POST("/v1/number-pools", { body: pool }));
      return unwrap(
        api.PUT("/v1/number-pools/{pool_id}/numbers", {
          params: { path: { pool_id: saved.id } },
          body: { number_ids: numberIds },
        }),
      );
    },
    onSuccess: invalidate,
  });
}

export function useDeletePool() {
  const invalidate = useInvalidateNumbers();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(api.DELETE("/v1/number-pools/{pool_id}", { params: { path: { pool_id: id } } })),
    onSuccess: invalidate,
  });
}
