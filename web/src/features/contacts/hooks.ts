/**
 * Contacts, tags, consent, segments and imports: one hook per API call.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, unwrap } from "@/api/client";
import type { components } from "@/api/schema";

export type Contact = components["schemas"]["ContactOut"];
export type ContactIn = components["schemas"]["ContactIn"];
export type ContactPatch = components["schemas"]["ContactPatch"];
export type ContactQuery = components["schemas"]["ContactQuery"];
export type ConsentEvent = components["schemas"]["ConsentEventOut"];
export type Segment = components["schemas"]["SegmentOut"];
export type Message = components["schemas"]["MessageOut"];
export type ImportJob = components["schemas"]["ImportOut"];
export type BulkIn = components["schemas"]["BulkIn"];

export const contactKeys = {
  all: ["contacts"] as const,
  list: (q: ContactQuery) => ["contacts", "list", q] as const,
  one: (id: string) => ["contacts", "one", id] as const,
  consent: (id: string) => ["contacts", "consent", id] as const,
  messages: (id: string) => ["contacts", "messages", id] as const,
  tags: ["tags"] as const,
  segments: ["segments"] as const,
  segment: (id: string) => ["segments", id] as const,
  importJob: (id: string) => ["contact-imports", id] as const,
};

export const PAGE_SIZE = 50;

export function useContacts(query: ContactQuery) {
  return useQuery({
    queryKey: contactKeys.list(query),
    queryFn: () => unwrap(api.GET("/v1/contacts", { params: { query } })),
    placeholderData: keepPreviousData,
  });
}

export function useContact(id: string) {
  return useQuery({
    queryKey: contactKeys.one(id),
    queryFn: () =>
      unwrap(api.GET("/v1/contacts/{contact_id}", { params: { path: { contact_id: id } } })),
    enabled: !!id,
  });
}

export function useConsentEvents(id: string) {
  return useQuery({
    queryKey: contactKeys.consent(id),
    queryFn: () =>
      unwrap(
        api.GET("/v1/contacts/{contact_id}/consent-events", {
          params: { path: { contact_id: id }, query: { limit: 100 } },
        }),
      ),
    select: (page) => page.data,
    enabled: !!id,
  });
}

export function useContactMessages(id: string) {
  return useQuery({
    queryKey: contactKeys.messages(id),
    queryFn: () =>
      unwrap(api.GET("/v1/messages", { params: { query: { contact_id: id, limit: 50 } } })),
    enabled: !!id,
    refetchInterval: 30_000,
  });
}

export function useTags() {
  return useQuery({
    queryKey: contactKeys.tags,
    queryFn: () => unwrap(api.GET("/v1/tags")),
    select: (list) => list.data,
    staleTime: 30_000,
  });
}

export function useSegments() {
  return useQuery({
    queryKey: contactKeys.segments,
    queryFn: () => unwrap(api.GET("/v1/segments", { params: { query: { limit: 200 } } })),
    select: (page) => page.data,
  });
}

function useInvalidateContacts() {
  const client = useQueryClient();
  return () =>
    Promise.all([
      client.invalidateQueries({ queryKey: contactKeys.all }),
      client.invalidateQueries({ queryKey: contactKeys.tags }),
      client.invalidateQueries({ queryKey: ["onboarding"] }),
    ]);
}

export function useCreateContact() {
  const invalidate = useInvalidateContacts();
  return useMutation({
    mutationFn: (body: ContactIn) => unwrap(api.POST("/v1/contacts", { body })),
    onSuccess: invalidate,
  });
}

/** The edit form: the fields, then the tags that changed (tags have their own routes). */
export function useEditContact(id: string) {
  const invalidate = useInvalidateContacts();
  return useMutation({
    mutationFn: async ({
      patch,
      tags,
      before,
    }: {
      patch: ContactPatch;
      tags: string[];
      before: string[];
    }) => {
      const path = { contact_id: id };
      let saved = await unwrap(
        api.PATCH("/v1/contacts/{contact_id}", { params: { path }, body: patch }),
      );
      const added = tags.filter((t) => !before.includes(t));
      if (added.length) {
        saved = await unwrap(
          api.POST("/v1/contacts/{contact_id}/tags", { params: { path }, body: { tags: added } }),
        );
      }
      for (const tag of before.filter((t) => !tags.includes(t))) {
        await unwrap(
          api.DELETE("/v1/contacts/{contact_id}/tags/{tag}", {
            params: { path: { ...path, tag } },
          }),
        );
      }
      return saved;
    },
    onSettled: invalidate,
  });
}

export function useDeleteContact() {
  const invalidate = useInvalidateContacts();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(api.DELETE("/v1/contacts/{contact_id}", { params: { path: { contact_id: id } } })),
    onSuccess: invalidate,
  });
}

export function useSetOptOut(id: string) {
  const invalidate = useInvalidateContacts();
  return useMutation({
    mutationFn: ({ optedOut, reason }: { optedOut: boolean; reason?: string }) => {
      const options = { params: { path: { contact_id: id } }, body: reason ? { reason } : {} };
      return unwrap(
        optedOut
          ? api.POST("/v1/contacts/{contact_id}/opt-out", options)
          : api.POST("/v1/contacts/{contact_id}/opt-in", options),
      );
    },
    onSuccess: invalidate,
  });
}

export function useAddTags(id: string) {
  const invalidate = useInvalidateContacts();
  return useMutation({
    mutationFn: (tags: string[]) =>
      unwrap(
        api.POST("/v1/contacts/{contact_id}/tags", {
          params: { path: { contact_id: id } },
          body: { tags },
        }),
      ),
    onSuccess: invalidate,
  });
}

export function useRemoveTag(id: string) {
  const invalidate = useInvalidateContacts();
  return useMutation({
    mutationFn: (tag: string) =>
      unwrap(
        api.DELETE("/v1/contacts/{contact_id}/tags/{tag}", {
          params: { path: { contact_id: id, tag } },
        }),
      ),
    onSuccess: invalidate,
  });
}

export function useBulkContacts() {
  const invalidate = useInvalidateContacts();
  return useMutation({
    mutationFn: (body: BulkIn) => unwrap(api.POST("/v1/contacts/bulk", { body })),
    onSuccess: invalidate,
  });
}
