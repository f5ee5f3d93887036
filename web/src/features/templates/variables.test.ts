import { describe, expect, it } from "vitest";

import { insertAt } from "./variables";

describe("insertAt", () => {
  it("replaces the selection and puts the caret after the tag", () => {
    expect(insertAt("Hi !", "{{first_name|there}}", 3, 3)).toEqual({
      text: "Hi {{first_name|there}}!",
      caret: 23,
    });
    expect(insertAt("Hi you", "X", 3, 6)).toEqual({ text: "Hi X", caret: 4 });
    expect(insertAt("", "X", 5, 9)).toEqual({ text: "X", caret: 1 });
  });
});
