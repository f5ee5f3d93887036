import { readFileSync } from "node:fs";

import { describe, expect, it } from "vitest";

import { render, TARGET } from "./pages.mjs";

describe("pages.gen.ts", () => {
  it("lists every page folder (run `npm run pages` after adding one)", () => {
    expect(readFileSync(TARGET, "utf8")).toBe(render());
  });
});
