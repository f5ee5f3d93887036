/**
 * The one configured API client: typed by the generated schema (`schema.d.ts`, never edited
 * by hand), it sends the in-memory access token, refreshes the session once on a 401 and
 * retries, and turns every failure into an ApiProblem.
 *
 *   const data = await unwrap(api.GET("/v1/contacts", { params: { query: { limit: 50 } } }));
 */
import createClient from "openapi-fetch";

import { ApiProblem, networkProblem, toProblem } from "./problem";
import type { paths } from "./schema";

export interface AuthHooks {
  /** The access token held in memory, if signed in. */
  token: () => string | null;
  /** Renews the access token from the session cookie; null when the session is over. */
  refresh: () => Promise<string | null>;
}

let hooks: AuthHooks = { token: () => null, refresh: async () => null };

/** Called once by the session (features/tenancy/session.ts). */
export function setAuthHooks(next: AuthHooks): void {
  hooks = next;
}

const REFRESH_PATH = "/v1/auth/refresh";

function withToken(request: Request, token: string | null): Request {
  if (!token) return request;
  const headers = new Headers(request.headers);
  headers.set("Authorization", `Bearer ${token}`);
  return new Request(request, { headers });
}

/** Whether the caller chose its own credentials (an API key typed into the API reference). */
function hasOwnAuthorization(request: Request): boolean {
  return !/^(Bearer\s*)?$/i.test(request.headers.get("Authorization")?.trim() ?? "");
}

/**
 * fetch with the session's access token (unless the request carries its own credentials);
 * one refresh and one retry when the token was refused.
 */
export async function authFetch(request: Request): Promise<Response> {
  const token = hasOwnAuthorization(request) ? null : hooks.token();
  const retry = token ? request.clone() : null;
  const response = await fetch(withToken(request, token));
  if (response.status !== 401 || !retry || new URL(request.url).pathname === REFRESH_PATH) {
    return response;
  }
  const renewed = await hooks.refresh();
  if (!renewed) return response;
  return fetch(withToken(retry, renewed));
}

export const api = createClient<paths>({
  baseUrl: "",
  fetch: (request) => authFetch(request).catch(() => Promise.reject(networkProblem())),
  credentials: "same-origin",
});

type Result<T> = { data?: T; error?: unknown; response: Response };

/** The data of a call, or its problem thrown as an ApiProblem (for TanStack Query). */
export async function unwrap<T>(call: Promise<Result<T>>): Promise<T> {
  let result: Result<T>;
  try {
    result = await call;
  } catch (error) {
    throw error instanceof ApiProblem ? error : networkProblem();
  }
  if (!result.response.ok) throw toProblem(result.response, result.error);
  return result.data as T;
}
