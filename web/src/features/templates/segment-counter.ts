/**
 * What the editor says about a message's length, from the API's preview (the server is the
 * one source of segment counts: it knows smart encoding and GSM-7's two-septet characters).
 */

export type Encoding = "GSM-7" | "UCS-2";

export interface Measured {
  characters: number;
  encoding: Encoding;
  segments: number;
  unicode_chars: readonly string[];
}

export type Tone = "ok" | "notice" | "warning";

export interface SegmentSummary {
  /** "1 segment", "3 segments". */
  segments: string;
  /** "142 characters · GSM-7". */
  detail: string;
  /** How many characters one segment holds in this encoding. */
  capacity: string;
  /** ok: one GSM-7 segment; notice: several; warning: UCS-2 (each part holds far less). */
  tone: Tone;
  /** The characters that forced UCS-2, as the person typed them, without repeats. */
  culprits: string[];
}

/** Characters per segment: alone, and in each part of a multi-part message. */
export const CAPACITY: Record<Encoding, { single: number; multi: number }> = {
  "GSM-7": { single: 160, multi: 153 },
  "UCS-2": { single: 70, multi: 67 },
};

const plural = (n: number, word: string) =>
  `${n.toLocaleString("en-US")} ${word}${n === 1 ? "" : "s"}`;

export function summarize(measured: Measured): SegmentSummary {
  const { characters, encoding, segments } = measured;
  const cap = CAPACITY[encoding];
  return {
    segments: plural(segments, "segment"),
    detail: `${plural(characters, "character")} · ${encoding}`,
    capacity:
      segments > 1
        ? `${encoding}: ${cap.multi} characters per part when split`
        : `${encoding}: up to ${cap.single} characters in one segment`,
    tone: encoding === "UCS-2" ? "warning" : segments > 1 ? "notice" : "ok",
    culprits: [...new Set(measured.unicode_chars)],
  };
}

/** How a culprit is shown: visible characters as they are, invisible ones by code point. */
export function showChar(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  if (/\s/u.test(char) || code < 0x20 || (code >= 0x200b && code <= 0x200f)) {
    return `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
  }
  return char;
}
