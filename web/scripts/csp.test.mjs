import { createHash } from "node:crypto";

import { describe, expect, it } from "vitest";

import { inlineScriptHashes, withCsp } from "./csp.mjs";

const sha = (text) => createHash("sha256").update(text, "utf8").digest("base64");

describe("csp", () => {
  const page =
    '<!DOCTYPE html><html><head><meta charSet="utf-8"/><script src="/_next/a.js" async=""></script></head>' +
    "<body><script>self.__next_f.push([1])</script><script>x()</script></body></html>";

  it("hashes inline scripts only", () => {
    expect(inlineScriptHashes(page)).toEqual([sha("self.__next_f.push([1])"), sha("x()")]);
  });

  it("puts the policy first in <head>, before any script runs", () => {
    const out = withCsp(page);
    expect(out.indexOf("Content-Security-Policy")).toBeLessThan(out.indexOf("<script"));
    expect(out).toContain(`'sha256-${sha("x()")}'`);
    expect(out).not.toContain("'unsafe-inline' 'sha256");
    expect(out).toContain("object-src 'none'");
  });

  it("is idempotent", () => {
    expect(withCsp(withCsp(page))).toBe(withCsp(page));
  });
});
