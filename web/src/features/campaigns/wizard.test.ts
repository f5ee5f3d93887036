import { describe, expect, it } from "vitest";

import {
  canOpen,
  fromCampaign,
  initialState,
  parseTags,
  reducer,
  stepErrors,
  toPatch,
  type WizardState,
} from "./wizard";

const NOW = new Date("2026-03-01T12:00:00Z");

const ready: WizardState = {
  ...initialState,
  name: " Spring sale ",
  tags: "vip, new",
  body: "Hi {{first_name|there}}",
  poolId: "pool-1",
};

describe("steps", () => {
  it("opens a step only when the ones before it are done", () => {
    expect(canOpen(initialState, "audience")).toBe(true);
    expect(canOpen(initialState, "message")).toBe(false);
    const audience = { ...initialState, name: "x", tags: "vip" };
    expect(canOpen(audience, "message")).toBe(true);
    expect(canOpen(audience, "sending")).toBe(false);
    expect(canOpen(ready, "review", NOW)).toBe(true);
  });

  it("next stays put while the step has errors, back always works", () => {
    const stuck = reducer(initialState, { type: "next" });
    expect(stuck.step).toBe("audience");
    const named = reducer(initialState, { type: "set", values: { name: "x", tags: "vip" } });
    const moved = reducer(named, { type: "next" });
    expect(moved.step).toBe("message");
    expect(reducer(moved, { type: "back" }).step).toBe("audience");
    expect(reducer(initialState, { type: "back" }).step).toBe("audience");
    expect(reducer(initialState, { type: "goto", step: "review" }).step).toBe("audience");
  });

  it("a segment is either sent to or excluded", () => {
    let s = reducer(initialState, { type: "toggle", list: "segmentIds", id: "a" });
    expect(s.segmentIds).toEqual(["a"]);
    s = reducer(s, { type: "toggle", list: "excludeSegmentIds", id: "a" });
    expect(s.segmentIds).toEqual([]);
    expect(s.excludeSegmentIds).toEqual(["a"]);
    s = reducer(s, { type: "toggle", list: "excludeSegmentIds", id: "a" });
    expect(s.excludeSegmentIds).toEqual([]);
  });
});

describe("stepErrors", () => {
  it("audience needs a name and someone to send to", () => {
    expect(stepErrors(initialState, "audience")).toEqual({
      name: "Give the campaign a name.",
      segmentIds: "Choose at least one segment or tag to send to.",
    });
    expect(stepErrors({ ...initialState, name: "x".repeat(201), tags: "a" }, "audience")).toEqual({
      name: "At most 200 characters.",
    });
  });

  it("message needs a body within 1,600 characters or a template", () => {
    expect(stepErrors(initialState, "message")).toEqual({ body: "Write the message." });
    expect(stepErrors({ ...initialState, body: "x".repeat(1601) }, "message").body).toBe(
      "At most 1,600 characters.",
    );
    expect(stepErrors({ ...initialState, mode: "template" }, "message")).toEqual({
      templateId: "Choose a template.",
    });
  });

  it("sending checks the pool, the schedule, quiet hours and the rate cap", () => {
    const bad: WizardState = {
      ...initialState,
      when: "later",
      sendAt: "2026-02-01T10:00",
      quietStart: "8:00",
      rateCap: "0",
    };
    expect(stepErrors(bad, "sending", NOW)).toEqual({
      poolId: "Choose the numbers to send from.",
      sendAt: "Pick a time in the future.",
      quietStart: "Use HH:MM.",
      rateCap: "A number of messages per second, above 0 and at most 10,000.",
    });
    expect(
      stepErrors({ ...ready, quietStart: "09:00", quietEnd: "09:00" }, "sending", NOW).quietEnd,
    ).toBe("The window must not be empty.");
    expect(stepErrors({ ...ready, quietHours: false, quietStart: "x" }, "sending", NOW)).toEqual(
      {},
    );
  });
});

describe("toPatch", () => {
  it("sends only what the steps so far decided", () => {
    expect(toPatch(ready, "audience")).toEqual({
      name: "Spring sale",
      audience: {
        segment_ids: [],
        tags: ["vip", "new"],
        exclude_segment_ids: [],
        exclude_tags: [],
      },
    });
    expect(toPatch(ready, "message")).toMatchObject({
      body: "Hi {{first_name|there}}",
      template_id: null,
    });
    expect(toPatch({ ...ready, mode: "template", templateId: "t1" }, "message")).toMatchObject({
      template_id: "t1",
      template_version: null,
    });
    expect(toPatch({ ...ready, rateCap: "2.5" }, "review")).toMatchObject({
      pool_id: "pool-1",
      send_at: null,
      quiet_hours: { start: "08:00", end: "21:00" },
      rate_cap_mps: 2.5,
    });
    expect(toPatch({ ...ready, quietHours: false }, "sending").quiet_hours).toBeNull();
  });

  it("round-trips through a saved campaign", () => {
    const saved = fromCampaign({
      id: "c1",
      name: "Spring sale",
      status: "draft",
      body: null,
      template_id: "t1",
      template_version: 2,
      audience: { segment_ids: ["s1"], tags: ["vip"], exclude_tags: ["staff"] },
      pool_id: "pool-1",
      send_at: null,
      quiet_hours: null,
      rate_cap_mps: 5,
      smart_encoding: null,
      audience_size: null,
      launched_at: null,
      paused_at: null,
      pause_reason: null,
      completed_at: null,
      cancelled_at: null,
      created_at: "2026-03-01T00:00:00Z",
      updated_at: "2026-03-01T00:00:00Z",
    });
    expect(saved).toMatchObject({
      campaignId: "c1",
      mode: "template",
      templateId: "t1",
      segmentIds: ["s1"],
      tags: "vip",
      excludeTags: "staff",
      quietHours: false,
      rateCap: "5",
    });
  });
});

describe("parseTags", () => {
  it("trims, drops blanks and repeats", () => {
    expect(parseTags(" vip, new ,, vip ")).toEqual(["vip", "new"]);
    expect(parseTags("")).toEqual([]);
  });
});
