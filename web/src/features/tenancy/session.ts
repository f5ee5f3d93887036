/**
 * The browser session. The access token lives in this store, in memory only; the refresh
 * token is an HttpOnly cookie the API sets (`?session=cookie`) and page scripts never see.
 *
 * - A reload restores the session silently: `restoreSession()` trades the cookie for a new
 *   access token.
 * - A 401 renews the token once (api/client.ts calls `refreshSession`); renewals are one at
 *   a time within a tab (a shared promise) and across tabs (a Web Lock), because the cookie
 *   rotates: two tabs presenting the same spent cookie would look like token theft.
 * - A refused renewal (expired, revoked, or a reused token the API caught) signs the
 *   browser out; logout and workspace switches are broadcast to the other tabs.
 */
import { create } from "zustand";

import { api, setAuthHooks, unwrap } from "@/api/client";
import { ApiProblem } from "@/api/problem";
import type { components } from "@/api/schema";
import { queryClient } from "@/lib/query-client";

export type SessionOut = components["schemas"]["SessionOut"];
export type Me = components["schemas"]["MeOut"];

export type SessionStatus = "restoring" | "signed-in" | "signed-out" | "unreachable";
export type SignedOutReason = "logged-out" | "expired" | null;

interface SessionState {
  status: SessionStatus;
  accessToken: string | null;
  me: Me | null;
  reason: SignedOutReason;
}

export const useSession = create<SessionState>(() => ({
  status: "restoring",
  accessToken: null,
  me: null,
  reason: null,
}));

const CHANNEL = "smsplat-session";
type Broadcast = { type: "signed-out" } | { type: "switched" };
let channel: BroadcastChannel | null = null;

function broadcast(message: Broadcast) {
  channel?.postMessage(message);
}

function signedOut(reason: SignedOutReason) {
  useSession.setState({ status: "signed-out", accessToken: null, me: null, reason });
  queryClient.clear();
}

/** Reads the caller again (after a change to the user: a verified email, a new workspace). */
export async function loadMe(): Promise<Me> {
  const me = await unwrap(api.GET("/v1/me"));
  useSession.setState({ me });
  return me;
}

let inflight: Promise<string | null> | null = null;

async function exchangeCookie(): Promise<string | null> {
  try {
    const pair = await unwrap(
      api.POST("/v1/auth/refresh", { params: { query: { session: "cookie" } }, body: {} }),
    );
    useSession.setState({ accessToken: pair.access_token });
    return pair.access_token;
  } catch (error) {
    if (error instanceof ApiProblem && error.status === 401) {
      const wasSignedIn = useSession.getState().status === "signed-in";
      signedOut(wasSignedIn ? "expired" : null);
      return null;
    }
    throw error;
  }
}

/** A new access token from the cookie; null when the session is over. One at a time. */
export function refreshSession(): Promise<string | null> {
  inflight ??= (async () => {
    try {
      const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
      return locks ? await locks.request(CHANNEL, exchangeCookie) : await exchangeCookie();
    } finally {
      inflight = null;
    }
  })();
  return inflight;
}

setAuthHooks({
  token: () => useSession.getState().accessToken,
  refresh: () => refreshSession().catch(() => null),
});

/** On first load of any page: restore the session from the cookie, if there is one. */
export async function restoreSession(): Promise<void> {
  if (typeof window !== "undefined" && channel === null && "BroadcastChannel" in window) {
    channel = new BroadcastChannel(CHANNEL);
    channel.onmessage = (event: MessageEvent<Broadcast>) => {
      if (event.data.type === "signed-out") signedOut("logged-out");
      if (event.data.type === "switched") void switchedElsewhere();
    };
  }
  try {
    const token = await refreshSession();
    if (!token) return signedOut(null);
    await loadMe();
    useSession.setState({ status: "signed-in", reason: null });
  } catch {
    useSession.setState({ status: "unreachable" });
  }
}

async function switchedElsewhere() {
  if (!(await refreshSession())) return;
  await loadMe();
  void queryClient.resetQueries(); // every query of the page again, for the other workspace
}

/** After login, signup or accepting an invitation (the API set the cookie). */
export async function startSession(session: SessionOut): Promise<void> {
  useSession.setState({
    status: "signed-in",
    accessToken: session.access_token,
    reason: null,
    me: {
      user: session.user,
      workspace: session.workspace,
      role: session.role,
      memberships: [{ workspace: session.workspace, role: session.role }],
    },
  });
  // Queries on screen (a workspace switch keeps the page) load again for this session.
  void queryClient.resetQueries();
  await loadMe().catch(() => undefined); // the other memberships; the session works without
}

export async function logout(): Promise<void> {
  try {
    await unwrap(api.POST("/v1/auth/logout", { body: {} }));
  } finally {
    signedOut("logged-out");
    broadcast({ type: "signed-out" });
  }
}

export async function switchWorkspace(workspaceId: string): Promise<void> {
  const session = await unwrap(
    api.POST("/v1/workspaces/{workspace_id}/switch", {
      params: { path: { workspace_id: workspaceId }, query: { session: "cookie" } },
    }),
  );
  await startSession(session);
  broadcast({ type: "switched" });
}

/** The signed-in user's role in the current workspace. */
export function useRole() {
  return useSession((s) => s.me?.role ?? null);
}
