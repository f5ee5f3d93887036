import { describe, expect, it } from "vitest";

import { formatBucket, formatCount, formatMoney, formatPercent, formatPhone } from "./format";

describe("format", () => {
  it("money from minor units", () => {
    expect(formatMoney(1234)).toBe("$12.34");
    expect(formatMoney(0)).toBe("$0.00");
  });
  it("percentages, with a dash when unknown", () => {
    expect(formatPercent(0.98765)).toBe("98.8%");
    expect(formatPercent(null)).toBe("—");
  });
  it("phone numbers from E.164", () => {
    expect(formatPhone("+14155550123")).toBe("+1 (415) 555-0123");
    expect(formatPhone("+447700900123")).toBe("+447700900123");
  });
  it("counts and buckets", () => {
    expect(formatCount(1234567)).toBe("1,234,567");
    expect(formatBucket("2026-03-01T15:00:00Z", "hour", "UTC")).toBe("3 PM");
    expect(formatBucket("2026-03-01T00:00:00Z", "day", "UTC")).toBe("Mar 1");
  });
});
