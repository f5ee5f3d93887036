/**
 * Replies on their way: each send has its Idempotency-Key, made once per message typed and
 * kept through retries, so a double click or a retry after a lost answer sends once. A
 * failed send stays in the thread (with its text) until it is retried or discarded.
 */
import { create } from "zustand";

import { api, unwrap } from "@/api/client";
import { problemMessage } from "@/api/problem";
import { queryClient } from "@/lib/query-client";

export interface FailedSend {
  key: string;
  body: string;
  error: string;
}

interface PendingSends {
  failed: Record<string, FailedSend[]>;
  /** Keys of sends in flight: a second click with the same key does nothing. */
  inflight: ReadonlySet<string>;
  send: (conversationId: string, body: string, key: string) => Promise<boolean>;
  retry: (conversationId: string, key: string) => Promise<boolean>;
  drop: (conversationId: string, key: string) => void;
}

function refresh(conversationId: string) {
  void queryClient.invalidateQueries({ queryKey: ["conversations", "thread", conversationId] });
  void queryClient.invalidateQueries({ queryKey: ["conversations", "one", conversationId] });
  void queryClient.invalidateQueries({ queryKey: ["conversations", "list"] });
  void queryClient.invalidateQueries({ queryKey: ["conversations", "counts"] });
}

export function newIdempotencyKey(): string {
  return typeof crypto !== "undefined" && "randomUUID" in crypto
    ? crypto.randomUUID()
    : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

export const usePendingSends = create<PendingSends>((set, get) => ({
  failed: {},
  inflight: new Set(),
  send: async (conversationId, body, key) => {
    if (get().inflight.has(key)) return false;
    set((s) => ({ inflight: new Set(s.inflight).add(key) }));
    try {
      await unwrap(
        api.POST("/v1/conversations/{conversation_id}/messages", {
          params: { path: { conversation_id: conversationId } },
          headers: { "Idempotency-Key": key },
          body: { body },
        }),
      );
      get().drop(conversationId, key);
      return true;
    } catch (error) {
      const failed = { key, body, error: problemMessage(error) };
      set((s) => ({
        failed: {
          ...s.failed,
          [conversationId]: [
            ...(s.failed[conversationId] ?? []).filter((f) => f.key !== key),
            failed,
          ],
        },
      }));
      return false;
    } finally {
      set((s) => {
        const inflight = new Set(s.inflight);
        inflight.delete(key);
        return { inflight };
      });
      refresh(conversationId);
    }
  },
  retry: async (conversationId, key) => {
    const item = get().failed[conversationId]?.find((f) => f.key === key);
    return item ? get().send(conversationId, item.body, key) : false;
  },
  drop: (conversationId, key) =>
    set((s) => ({
      failed: {
        ...s.failed,
        [conversationId]: (s.failed[conversationId] ?? []).filter((f) => f.key !== key),
      },
    })),
}));
