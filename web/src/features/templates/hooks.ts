/**
 * Template queries and mutations (TanStack Query over the generated client). The editor's
 * live count comes from `POST /v1/templates/preview`, which renders an unsaved body exactly
 * as a send would (variables, fallbacks, smart encoding) and counts its segments.
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

export type Template = components["schemas"]["TemplateOut"];
export type TemplateVersion = components["schemas"]["TemplateVersionOut"];
export type DraftPreview = components["schemas"]["DraftPreviewOut"];
export type TemplateIn = components["schemas"]["TemplateIn"];

export const templateKeys = {
  all: ["templates"] as const,
  list: ["templates", "list"] as const,
  one: (id: string) => ["templates", "one", id] as const,
  versions: (id: string) => ["templates", "versions", id] as const,
  draft: (body: string) => ["templates", "draft-preview", body] as const,
};

export function useTemplates() {
  return useInfiniteQuery({
    queryKey: templateKeys.list,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET("/v1/templates", {
          params: { query: { limit: 50, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });
}

export function useTemplate(id: string | null) {
  return useQuery({
    queryKey: templateKeys.one(id ?? ""),
    queryFn: () =>
      unwrap(api.GET("/v1/templates/{template_id}", { params: { path: { template_id: id! } } })),
    enabled: Boolean(id),
  });
}

export function useTemplateVersions(id: string | null) {
  return useQuery({
    queryKey: templateKeys.versions(id ?? ""),
    queryFn: () =>
      unwrap(
        api.GET("/v1/templates/{template_id}/versions", {
          params: { path: { template_id: id! } },
        }),
      ),
    select: (list) => [...list.data].reverse(),
    enabled: Boolean(id),
  });
}

/** The live count of what is typed: `body` is already debounced by the caller. */
export function useDraftPreview(body: string) {
  return useQuery({
    queryKey: templateKeys.draft(body),
    queryFn: ({ signal }) => unwrap(api.POST("/v1/templates/preview", { body: { body }, signal })),
    enabled: body.trim().length > 0 && body.length <= 1600,
    placeholderData: keepPreviousData,
    staleTime: Infinity,
    retry: false,
  });
}

export function useCreateTemplate() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (values: TemplateIn) => unwrap(api.POST("/v1/templates", { body: values })),
    onSuccess: (template) => {
      client.setQueryData(templateKeys.one(template.id), template);
      void client.invalidateQueries({ queryKey: templateKeys.list });
    },
  });
}

export function useUpdateTemplate(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (values: { name?: string; body?: string }) =>
      unwrap(
        api.PATCH("/v1/templates/{template_id}", {
          params: { path: { template_id: id } },
          body: values,
        }),
      ),
    onSuccess: (template) => {
      client.setQueryData(templateKeys.one(id), template);
      void client.invalidateQueries({ queryKey: templateKeys.versions(id) });
      void client.invalidateQueries({ queryKey: templateKeys.list });
    },
  });
}

export function useDeleteTemplate(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () =>
      unwrap(api.DELETE("/v1/templates/{template_id}", { params: { path: { template_id: id } } })),
    onSuccess: () => {
      client.removeQueries({ queryKey: templateKeys.one(id) });
      void client.invalidateQueries({ queryKey: templateKeys.list });
    },
  });
}
