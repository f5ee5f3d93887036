import { describe, expect, it } from "vitest";

import { toFormValues, toPayload } from "./ai-form-values";
import type { AiConfig } from "./hooks";
import { aiSchema, splitList, twilioSchema, workspaceSchema } from "./schemas";

const saved: AiConfig = {
  enabled: true,
  mode: "suggest",
  model: null,
  qualification_model: null,
  persona: "Ava",
  instructions: null,
  business_facts: "Open 9-5.",
  criteria: [
    { name: "plan", type: "enum", description: "", options: ["basic", "pro"], min: 1, max: 5 },
    { name: "interest", type: "scale", description: "1-5", options: null, min: 1, max: 5 },
  ],
  handoff_rules: {
    keywords: ["lawyer"],
    negative_sentiment: true,
    qualified_lead: false,
    human_request: true,
  },
  active_hours: {
    timezone: "America/Chicago",
    windows: [{ days: ["fri", "mon"], start: "09:00", end: "17:00" }],
  },
  reply_delay_min_seconds: 5,
  reply_delay_max_seconds: 30,
  max_consecutive_replies: 3,
  effective_model: "m",
  effective_qualification_model: "q",
  api_key_configured: true,
  updated_at: "2026-01-01T00:00:00Z",
};

describe("AI form values", () => {
  it("round-trips the API's configuration", () => {
    const values = toFormValues(saved, "UTC");
    expect(aiSchema.safeParse(values).success).toBe(true);
    const payload = toPayload(values);
    expect(payload.criteria).toEqual(saved.criteria);
    expect(payload.handoff_rules).toEqual(saved.handoff_rules);
    expect(payload.active_hours?.windows[0]?.days).toEqual(["mon", "fri"]);
    expect(payload.instructions).toBeNull();
  });

  it("refuses what the API refuses", () => {
    const values = toFormValues(saved, "UTC");
    const bad = aiSchema.safeParse({
      ...values,
      reply_delay_min_seconds: 60,
      criteria: [values.criteria[0], { ...values.criteria[0], options: "" }],
    });
    expect(bad.success).toBe(false);
    const paths = bad.error?.issues.map((i) => i.path.join(".")) ?? [];
    expect(paths).toContain("reply_delay_max_seconds");
    expect(paths).toContain("criteria.1.name");
    expect(paths).toContain("criteria.1.options");
  });

  it("is off at any hour without active hours", () => {
    expect(
      toPayload(toFormValues({ ...saved, active_hours: null }, "UTC")).active_hours,
    ).toBeNull();
  });
});

describe("settings schemas", () => {
  it("splits typed lists", () => {
    expect(splitList(" a, b\n\nc ,")).toEqual(["a", "b", "c"]);
  });

  it("allows only {name} in the HELP reply", () => {
    const base = { name: "W", timezone: "UTC", quiet_hours: { start: "08:00", end: "21:00" } };
    expect(workspaceSchema.safeParse({ ...base, help_reply: "{name}: reply STOP" }).success).toBe(
      true,
    );
    expect(workspaceSchema.safeParse({ ...base, help_reply: "Hi {first_name}" }).success).toBe(
      false,
    );
    expect(
      workspaceSchema.safeParse({
        ...base,
        help_reply: "",
        quiet_hours: { start: "08:00", end: "08:00" },
      }).success,
    ).toBe(false);
  });

  it("checks Twilio credentials' shape", () => {
    const sid = `AC${"a".repeat(32)}`;
    expect(
      twilioSchema.safeParse({
        account_sid: sid,
        auth_token: "b".repeat(32),
        messaging_service_sid: "",
      }).success,
    ).toBe(true);
    expect(
      twilioSchema.safeParse({
        account_sid: "AC1",
        auth_token: "b".repeat(32),
        messaging_service_sid: "",
      }).success,
    ).toBe(false);
  });
});
