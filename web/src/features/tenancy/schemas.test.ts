import { describe, expect, it } from "vitest";

import { loginSchema, resetSchema, signupSchema } from "./schemas";

const issues = (result: {
  success: boolean;
  error?: { issues: { path: PropertyKey[]; message: string }[] };
}) => Object.fromEntries((result.error?.issues ?? []).map((i) => [i.path.join("."), i.message]));

describe("identity forms keep the API's limits", () => {
  it("login needs both fields", () => {
    expect(issues(loginSchema.safeParse({ email: " ", password: "" }))).toEqual({
      email: "Enter your email address.",
      password: "Enter your password.",
    });
  });

  it("signup checks the email and the password length in bytes", () => {
    const base = { name: "Ada", email: "ada@example.com", workspace_name: "Engines" };
    expect(signupSchema.safeParse({ ...base, password: "long-enough-1" }).success).toBe(true);
    expect(issues(signupSchema.safeParse({ ...base, email: "ada", password: "short" }))).toEqual({
      email: "Enter a valid email address.",
      password: "Use at least 10 characters.",
    });
    // 19 four-byte characters: 19 characters, 76 bytes (bcrypt reads 72).
    expect(issues(signupSchema.safeParse({ ...base, password: "😀".repeat(19) }))).toEqual({
      password: "Use at most 72 bytes.",
    });
  });

  it("reset wants the same password twice", () => {
    expect(
      issues(resetSchema.safeParse({ password: "long-enough-1", confirm: "long-enough-2" })),
    ).toEqual({ confirm: "The two passwords differ." });
  });
});
