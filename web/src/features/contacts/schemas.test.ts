import { describe, expect, it } from "vitest";

import { contactSchema, fieldValue, parseTags, phoneProblem } from "./schemas";

describe("phoneProblem", () => {
  it("accepts E.164 and national numbers, with the usual punctuation", () => {
    expect(phoneProblem("+14155550123")).toBeNull();
    expect(phoneProblem("+1 (415) 555-0123")).toBeNull();
    expect(phoneProblem("415.555.0123")).toBeNull();
    expect(phoneProblem("+447911123456")).toBeNull();
  });
  it("says what is wrong", () => {
    expect(phoneProblem("")).toBe("Enter a phone number.");
    expect(phoneProblem("+0123456789")).toMatch(/E\.164/);
    expect(phoneProblem("+1415")).toMatch(/8 to 15 digits/);
    expect(phoneProblem("+1415abc0123")).toBe("Only digits after the +.");
    expect(phoneProblem("call me")).toMatch(/Only digits/);
    expect(phoneProblem("12345")).toMatch(/Too short/);
    expect(phoneProblem("+1234567890123456")).toMatch(/E\.164/);
  });
});

describe("tags and field values", () => {
  it("normalizes tags like the API", () => {
    expect(parseTags(" VIP, newsletter ,,vip,  Big   Spender ")).toEqual([
      "vip",
      "newsletter",
      "big spender",
    ]);
  });
  it("keeps numbers and booleans typed", () => {
    expect(fieldValue("42")).toBe(42);
    expect(fieldValue("-1.5")).toBe(-1.5);
    expect(fieldValue("true")).toBe(true);
    expect(fieldValue("007")).toBe("007");
    expect(fieldValue("teal")).toBe("teal");
  });
});

describe("contactSchema", () => {
  const base = {
    phone: "+14155550123",
    first_name: "",
    last_name: "",
    email: "",
    timezone: "",
    tags: "",
    fields: [],
  };
  it("refuses duplicate and malformed custom field keys", () => {
    const result = contactSchema.safeParse({
      ...base,
      fields: [
        { key: "color", value: "teal" },
        { key: "color", value: "red" },
        { key: "-bad", value: "x" },
      ],
    });
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((i) => i.path.join("."));
    expect(paths).toContain("fields.1.key");
    expect(paths).toContain("fields.2.key");
  });
  it("checks the email only when given", () => {
    expect(contactSchema.safeParse(base).success).toBe(true);
    expect(contactSchema.safeParse({ ...base, email: "nope" }).success).toBe(false);
  });
});
