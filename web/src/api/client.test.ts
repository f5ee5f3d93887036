import { afterEach, describe, expect, it, vi } from "vitest";

import { authFetch, setAuthHooks, unwrap } from "./client";
import { ApiProblem } from "./problem";

const BASE = "http://console.test";

afterEach(() => {
  vi.unstubAllGlobals();
  setAuthHooks({ token: () => null, refresh: async () => null });
});

function stubFetch(statuses: number[]) {
  const seen: { url: string; auth: string | null; body: string }[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (request: Request) => {
      seen.push({
        url: request.url,
        auth: request.headers.get("Authorization"),
        body: await request.text(),
      });
      return new Response("{}", { status: statuses.shift() ?? 200 });
    }),
  );
  return seen;
}

describe("authFetch", () => {
  it("sends the token, refreshes once on 401 and retries with the body intact", async () => {
    const seen = stubFetch([401, 200]);
    let token = "old";
    const refresh = vi.fn(async () => (token = "new"));
    setAuthHooks({ token: () => token, refresh });
    const response = await authFetch(
      new Request(`${BASE}/v1/contacts`, { method: "POST", body: '{"phone":"+1"}' }),
    );
    expect(response.status).toBe(200);
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(seen.map((s) => s.auth)).toEqual(["Bearer old", "Bearer new"]);
    expect(seen[1]?.body).toBe('{"phone":"+1"}');
  });

  it("gives up after one refresh", async () => {
    stubFetch([401, 401]);
    const refresh = vi.fn(async () => "again");
    setAuthHooks({ token: () => "t", refresh });
    const response = await authFetch(new Request(`${BASE}/v1/me`));
    expect(response.status).toBe(401);
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it("never refreshes the refresh call itself, nor without a session", async () => {
    stubFetch([401, 401]);
    const refresh = vi.fn(async () => "x");
    setAuthHooks({ token: () => "t", refresh });
    await authFetch(new Request(`${BASE}/v1/auth/refresh`, { method: "POST" }));
    setAuthHooks({ token: () => null, refresh });
    await authFetch(new Request(`${BASE}/v1/auth/login`, { method: "POST" }));
    expect(refresh).not.toHaveBeenCalled();
  });
});

describe("unwrap", () => {
  it("returns data or throws the problem", async () => {
    const ok = await unwrap(Promise.resolve({ data: { a: 1 }, response: new Response(null) }));
    expect(ok).toEqual({ a: 1 });
    const failed = unwrap(
      Promise.resolve({
        error: { type: "t", title: "Not found", status: 404, detail: "Contact not found." },
        response: new Response(null, { status: 404 }),
      }),
    );
    await expect(failed).rejects.toBeInstanceOf(ApiProblem);
    await expect(failed).rejects.toMatchObject({ status: 404, detail: "Contact not found." });
  });
});

describe("own credentials", () => {
  it("are sent as they are, without the session's token or a refresh", async () => {
    const seen = stubFetch([401]);
    const refresh = vi.fn(async () => "new");
    setAuthHooks({ token: () => "session", refresh });
    await authFetch(
      new Request(`${BASE}/v1/me`, { headers: { Authorization: "Bearer sk_live_abc" } }),
    );
    expect(seen[0]?.auth).toBe("Bearer sk_live_abc");
    expect(refresh).not.toHaveBeenCalled();
    await authFetch(new Request(`${BASE}/v1/me`, { headers: { Authorization: "Bearer " } }));
    expect(seen[1]?.auth).toBe("Bearer session");
  });
});
