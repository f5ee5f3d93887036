import { describe, expect, it } from "vitest";

import { showChar, summarize } from "./segment-counter";

describe("summarize", () => {
  it("one GSM-7 segment is fine", () => {
    const s = summarize({ characters: 9, encoding: "GSM-7", segments: 1, unicode_chars: [] });
    expect(s.segments).toBe("1 segment");
    expect(s.detail).toBe("9 characters · GSM-7");
    expect(s.capacity).toBe("GSM-7: up to 160 characters in one segment");
    expect(s.tone).toBe("ok");
    expect(s.culprits).toEqual([]);
  });

  it("several segments are a notice, with the per-part capacity", () => {
    const s = summarize({ characters: 1234, encoding: "GSM-7", segments: 9, unicode_chars: [] });
    expect(s.segments).toBe("9 segments");
    expect(s.detail).toBe("1,234 characters · GSM-7");
    expect(s.capacity).toBe("GSM-7: 153 characters per part when split");
    expect(s.tone).toBe("notice");
  });

  it("UCS-2 warns and names each culprit once", () => {
    const s = summarize({
      characters: 1,
      encoding: "UCS-2",
      segments: 1,
      unicode_chars: ["🎉", "’", "🎉"],
    });
    expect(s.tone).toBe("warning");
    expect(s.capacity).toBe("UCS-2: up to 70 characters in one segment");
    expect(s.culprits).toEqual(["🎉", "’"]);
    expect(
      summarize({ characters: 80, encoding: "UCS-2", segments: 2, unicode_chars: [] }).capacity,
    ).toBe("UCS-2: 67 characters per part when split");
  });
});

describe("showChar", () => {
  it("shows visible characters and names invisible ones", () => {
    expect(showChar("é")).toBe("é");
    expect(showChar("🎉")).toBe("🎉");
    expect(showChar("\u00a0")).toBe("U+00A0");
    expect(showChar("\u200b")).toBe("U+200B");
  });
});
