import { describe, expect, it } from "vitest";

import type { components } from "@/api/schema";

import { statsPollEvery } from "./hooks";
import { addSample, figures } from "./live-figures";

const base: components["schemas"]["CampaignStats"] = {
  audience: 10,
  pending: 2,
  queued: 1,
  waiting_for_quiet_hours: 0,
  next_due_at: null,
  sending: 1,
  sent: 2,
  delivered: 2,
  undelivered: 1,
  failed: 1,
  failed_by_code: { "30006": 1, "30003": 1, "99999": 1 },
  skipped: 0,
  cancelled: 0,
  opted_out_during: 0,
  replies: 0,
  segments: 6,
  estimated_cost_minor: 10,
  actual_cost_minor: 6,
  throughput_per_second: 0.5,
};

describe("figures", () => {
  it("counts what is settled and how it went", () => {
    const f = figures(base);
    expect(f.done).toBe(6);
    expect(f.percent).toBe(60);
    expect(f.handedOver).toBe(5);
    expect(f.failed).toBe(2);
    expect(f.deliveryRate).toBeCloseTo(0.5);
    expect(f.failures.map((x) => x.label)).toEqual([
      "Handset unreachable",
      "Landline or unreachable carrier",
      "Error 99999",
    ]);
  });

  it("has no rate before any outcome and no progress without an audience", () => {
    const empty = { ...base, audience: 0, pending: 0, queued: 0, sending: 0 };
    const f = figures({ ...empty, delivered: 0, undelivered: 0, failed: 0, failed_by_code: {} });
    expect(f.percent).toBe(0);
    expect(f.deliveryRate).toBeNull();
  });
});

describe("addSample", () => {
  it("takes the route's rate first, then deltas between polls", () => {
    let s = addSample([], base, 1_000);
    expect(s).toEqual([{ at: 1_000, perSecond: 0.5, handedOver: 6 }]);
    s = addSample(s, { ...base, sent: 12 }, 3_000);
    expect(s[1]).toEqual({ at: 3_000, perSecond: 5, handedOver: 16 });
    expect(addSample(s, base, 2_000)).toBe(s);
    expect(addSample(s, base, 4_000, 2)).toHaveLength(2);
  });
});

describe("statsPollEvery", () => {
  const ended = {
    status: "completed" as const,
    completed_at: "2026-03-01T12:00:00Z",
    cancelled_at: null,
  };
  const at = new Date("2026-03-01T12:01:00Z").getTime();
  it("polls as the campaign while it runs or waits", () => {
    expect(statsPollEvery({ ...ended, status: "running", completed_at: null }, base, at)).toBe(
      2000,
    );
    expect(statsPollEvery({ ...ended, status: "paused", completed_at: null }, base, at)).toBe(5000);
    expect(statsPollEvery({ ...ended, status: "draft", completed_at: null }, base, at)).toBe(false);
  });
  it("keeps polling a while after the end for delivery receipts", () => {
    expect(statsPollEvery(ended, base, at)).toBe(5000);
    const settled = { ...base, sent: 0, queued: 0, sending: 0 };
    expect(statsPollEvery(ended, settled, at)).toBe(false);
    expect(statsPollEvery(ended, base, at + 60 * 60_000)).toBe(false);
  });
});
