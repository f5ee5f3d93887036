import { describe, expect, it } from "vitest";

import { endpointBody, endpointSchema, endpointValues } from "./schemas";

describe("endpointSchema", () => {
  const valid = {
    url: "https://example.com/hooks",
    description: "",
    all_events: true,
    event_types: [],
  };

  it("accepts an https URL with every event", () => {
    expect(endpointSchema.safeParse(valid).success).toBe(true);
  });

  it("refuses what is not a web URL", () => {
    for (const url of ["", "example.com", "ftp://example.com/x", "https://"]) {
      expect(endpointSchema.safeParse({ ...valid, url }).success).toBe(false);
    }
  });

  it("keeps the API's limits", () => {
    const long = `https://example.com/${"a".repeat(2000)}`;
    expect(endpointSchema.safeParse({ ...valid, url: long }).success).toBe(false);
    expect(endpointSchema.safeParse({ ...valid, description: "d".repeat(501) }).success).toBe(
      false,
    );
  });

  it("wants event types unless every event is picked", () => {
    const result = endpointSchema.safeParse({ ...valid, all_events: false });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(["event_types"]);
  });
});

describe("endpointBody / endpointValues", () => {
  it("round-trips every event as *", () => {
    const body = endpointBody({
      url: " https://x.test/h ",
      description: " ",
      all_events: true,
      event_types: ["a"],
    });
    expect(body).toEqual({ url: "https://x.test/h", description: null, event_types: ["*"] });
    expect(endpointValues({ ...body, event_types: ["*"] }).all_events).toBe(true);
  });

  it("keeps a picked list", () => {
    const values = endpointValues({
      url: "https://x.test",
      description: "d",
      event_types: ["message.sent"],
    });
    expect(values).toEqual({
      url: "https://x.test",
      description: "d",
      all_events: false,
      event_types: ["message.sent"],
    });
  });
});
