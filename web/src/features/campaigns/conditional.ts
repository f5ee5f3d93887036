/**
 * Conditional polling: the last answer of a live route is kept with its `ETag`, the next
 * poll sends `If-None-Match`, and a 304 (nothing changed) hands back the kept answer. An
 * unchanged campaign costs a bodiless response, no JSON parse and no re-render (the same
 * object comes back, so TanStack Query's structural sharing sees no change).
 */
import { unwrap } from "@/api/client";

interface Held {
  etag: string;
  data: unknown;
}

type Result<T> = { data?: T; error?: unknown; response: Response };

export class ConditionalCache {
  private held = new Map<string, Held>();

  /** `call` gets the headers to send; it is one openapi-fetch call of an ETag route. */
  async get<T>(key: string, call: (headers: { "If-None-Match"?: string }) => Promise<Result<T>>) {
    const held = this.held.get(key);
    const result = await call(held ? { "If-None-Match": held.etag } : {});
    if (result.response.status === 304 && held) return held.data as T;
    const data = await unwrap(Promise.resolve(result));
    const etag = result.response.headers.get("ETag");
    if (etag) this.held.set(key, { etag, data });
    else this.held.delete(key);
    return data;
  }

  clear(): void {
    this.held.clear();
  }
}

export const conditionalCache = new ConditionalCache();
