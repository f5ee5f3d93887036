import { describe, expect, it } from "vitest";

import { safeNext, samePath, withinPath } from "./navigation";

describe("safeNext", () => {
  it("keeps paths of the console", () => {
    expect(safeNext("/campaigns/view?id=1")).toBe("/campaigns/view?id=1");
  });
  it.each([null, "", "https://evil.example", "//evil.example", "/\\evil.example", "javascript:x"])(
    "refuses %s",
    (value) => {
      expect(safeNext(value)).toBe("/dashboard");
    },
  );
});

describe("paths", () => {
  it("ignores trailing slashes", () => {
    expect(samePath("/dashboard/", "/dashboard")).toBe(true);
    expect(samePath("/", "/")).toBe(true);
  });
  it("matches a room and its sub-pages only", () => {
    expect(withinPath("/campaigns/view/", "/campaigns")).toBe(true);
    expect(withinPath("/campaigns-archive", "/campaigns")).toBe(false);
  });
});
