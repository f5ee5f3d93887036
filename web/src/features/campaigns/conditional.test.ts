import { describe, expect, it } from "vitest";

import { ApiProblem } from "@/api/problem";

import { ConditionalCache } from "./conditional";

function answer(status: number, body: unknown, etag?: string) {
  const headers = new Headers(etag ? { ETag: etag } : {});
  const response = new Response(status === 304 ? null : JSON.stringify(body), {
    status,
    headers,
  });
  return status >= 200 && status < 300
    ? { data: body, response }
    : { error: status === 304 ? undefined : body, response };
}

describe("ConditionalCache", () => {
  it("sends the held ETag and returns the held answer on 304", async () => {
    const cache = new ConditionalCache();
    const sent: (string | undefined)[] = [];
    const first = await cache.get("k", async (h) => {
      sent.push(h["If-None-Match"]);
      return answer(200, { sent: 1 }, '"a"');
    });
    const second = await cache.get("k", async (h) => {
      sent.push(h["If-None-Match"]);
      return answer(304, null, '"a"');
    });
    expect(sent).toEqual([undefined, '"a"']);
    expect(second).toBe(first);
    const third = await cache.get("k", async () => answer(200, { sent: 2 }, '"b"'));
    expect(third).toEqual({ sent: 2 });
  });

  it("keeps nothing for untagged answers and throws problems", async () => {
    const cache = new ConditionalCache();
    await cache.get("k", async () => answer(200, { x: 1 }));
    const sent: (string | undefined)[] = [];
    await cache.get("k", async (h) => {
      sent.push(h["If-None-Match"]);
      return answer(200, { x: 1 });
    });
    expect(sent).toEqual([undefined]);
    await expect(
      cache.get("k", async () =>
        answer(404, { type: "x", title: "Not found", status: 404, detail: "No campaign" }),
      ),
    ).rejects.toBeInstanceOf(ApiProblem);
  });
});
