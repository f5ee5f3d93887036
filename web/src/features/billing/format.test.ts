import { describe, expect, it } from "vitest";

import { formatAmount, formatLimit, formatUnitPrice, statusLabel } from "./format";

describe("billing formats", () => {
  it("formats cents as dollars", () => {
    expect(formatAmount(4900)).toBe("$49.00");
    expect(formatAmount(0, "usd")).toBe("$0.00");
  });

  it("keeps fractions of a cent in unit prices", () => {
    expect(formatUnitPrice("1.5")).toBe("$0.015");
    expect(formatUnitPrice("0.0005")).toBe("$0.000005");
    expect(formatUnitPrice("12")).toBe("$0.12");
  });

  it("says unlimited for a null limit", () => {
    expect(formatLimit(null)).toBe("Unlimited");
    expect(formatLimit(10000)).toBe("10,000");
  });

  it("labels Stripe statuses", () => {
    expect(statusLabel("past_due")).toBe("Past due");
    expect(statusLabel("active")).toBe("Active");
  });
});
