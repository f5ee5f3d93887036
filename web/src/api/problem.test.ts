import { describe, expect, it } from "vitest";

import { ApiProblem, applyProblem, fieldErrors, problemMessage, toProblem } from "./problem";

const validation = new ApiProblem({
  type: "https://smsplatform.dev/problems/validation-error",
  title: "Validation failed",
  status: 422,
  detail: "body.email: value is not a valid email address",
  errors: [
    { field: "body.email", message: "value is not a valid email address", code: "value_error" },
    { field: "body.email", message: "a second message", code: "x" },
    { field: "body.rows[2].phone", message: "Not a phone number.", code: "invalid" },
    { field: "query.limit", message: "too big", code: "le" },
  ],
});

function recorder() {
  const calls: [string, string][] = [];
  return {
    calls,
    form: {
      setError: (name: never, error: { message: string }) => calls.push([name, error.message]),
    },
  };
}

describe("toProblem", () => {
  it("reads problem+json with its slug and Retry-After", () => {
    const response = new Response(null, { status: 429, headers: { "Retry-After": "120" } });
    const problem = toProblem(response, {
      type: "https://smsplatform.dev/problems/rate-limited",
      title: "Too many requests",
      status: 429,
      detail: "Too many attempts; try again later.",
    });
    expect(problem).toBeInstanceOf(ApiProblem);
    expect(problem.slug).toBe("rate-limited");
    expect(problem.retryAfter).toBe(120);
    expect(problemMessage(problem)).toBe(
      "Too many attempts; try again later. (try again in 2 minutes).",
    );
  });

  it("turns a non-problem failure (a proxy's HTML 502) into a problem", () => {
    const problem = toProblem(
      new Response("<html>", { status: 502, statusText: "Bad Gateway" }),
      "<html>",
    );
    expect(problem.status).toBe(502);
    expect(problem.detail).toMatch(/could not answer/);
  });
});

describe("fieldErrors", () => {
  it("maps body paths to form paths, first message wins", () => {
    expect(fieldErrors(validation)).toEqual({
      email: "value is not a valid email address",
      "rows.2.phone": "Not a phone number.",
    });
    expect(fieldErrors(validation, "query")).toEqual({ limit: "too big" });
  });
});

describe("applyProblem", () => {
  it("puts validation errors on their fields", () => {
    const { calls, form } = recorder();
    const placed = applyProblem(form, validation, { fields: ["email", "rows"] });
    expect(placed).toEqual(["email", "rows"]);
    expect(calls).toEqual([
      ["email", "value is not a valid email address"],
      ["rows.2.phone", "Not a phone number."],
    ]);
  });

  it("puts a problem named by slug on its field", () => {
    const { calls, form } = recorder();
    const refused = new ApiProblem({
      type: "https://smsplatform.dev/problems/unauthorized",
      title: "Unauthorized",
      status: 401,
      detail: "Wrong email or password.",
    });
    applyProblem(form, refused, {
      fields: ["email", "password"],
      slugs: { unauthorized: "password" },
    });
    expect(calls).toEqual([["password", "Wrong email or password."]]);
  });

  it("falls back to the form's root error", () => {
    const { calls, form } = recorder();
    applyProblem(form, new Error("boom"), { fields: ["email"] });
    const conflict = new ApiProblem({ type: "x", title: "Conflict", status: 409 });
    applyProblem(form, conflict, { fields: ["email"] });
    expect(calls).toEqual([
      ["root.server", "Something went wrong. Try again."],
      ["root.server", "Conflict"],
    ]);
  });
});
