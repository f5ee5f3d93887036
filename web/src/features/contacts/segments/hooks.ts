import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import * as React from "react";

import { api, unwrap } from "@/api/client";
import type { components } from "@/api/schema";

import type { Filter } from "./builder";

export type Segment = components["schemas"]["SegmentOut"];

export const segmentKeys = {
  all: ["segments"] as const,
  one: (id: string) => ["segments", "one", id] as const,
  count: (key: string) => ["segments", "count", key] as const,
  savedCount: (id: string) => ["segments", "saved-count", id] as const,
};

/** `value`, once it has stopped changing for `ms`. */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = React.useState(value);
  React.useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

export function useSegment(id: string) {
  return useQuery({
    queryKey: segmentKeys.one(id),
    queryFn: () =>
      unwrap(api.GET("/v1/segments/{segment_id}", { params: { path: { segment_id: id } } })),
    enabled: !!id,
  });
}

export function useSegmentCount(id: string) {
  return useQuery({
    queryKey: segmentKeys.savedCount(id),
    queryFn: () =>
      unwrap(api.GET("/v1/segments/{segment_id}/count", { params: { path: { segment_id: id } } })),
    select: (c) => c.count,
    staleTime: 30_000,
  });
}

/** How many contacts a filter being built matches now (asked once per settled filter). */
export function useFilterCount(filter: Filter | null, key: string) {
  return useQuery({
    queryKey: segmentKeys.count(key),
    queryFn: () =>
      unwrap(
        api.POST("/v1/segments/count", { body: { filter: filter as Record<string, unknown> } }),
      ),
    enabled: filter !== null,
    select: (c) => c.count,
    placeholderData: keepPreviousData,
    staleTime: 15_000,
    retry: false,
  });
}

export function useSaveSegment() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({
      id,
      name,
      description,
      filter,
    }: {
      id: string | null;
      name: string;
      description: string | null;
      filter: Filter;
    }) => {
      const body = { name, description, filter: filter as Record<string, unknown> };
      return unwrap(
        id
          ? api.PATCH("/v1/segments/{segment_id}", { params: { path: { segment_id: id } }, body })
          : api.POST("/v1/segments", { body }),
      );
    },
    onSuccess: () => client.invalidateQueries({ queryKey: segmentKeys.all }),
  });
}

export function useDeleteSegment() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(api.DELETE("/v1/segments/{segment_id}", { params: { path: { segment_id: id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: segmentKeys.all }),
  });
}
