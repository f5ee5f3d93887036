/**
 * The contact form's rules, with the API's limits (shared/contacts/schemas.py): phones as
 * E.164 (or a national number in the workspace's country), names 200, email 320, tags
 * 1-100 characters (at most 100), custom field keys 1-64 of [A-Za-z0-9_-], text 1000.
 */
import { z } from "zod";

export const FIELD_KEY = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$/;
export const MAX_TAGS = 100;
export const TAG_MAX = 100;
export const MAX_FIELDS = 100;
export const FIELD_TEXT_MAX = 1000;

/** Why a typed phone number cannot be a contact's, or null when it can. */
export function phoneProblem(raw: string): string | null {
  const compact = raw.replace(/[\s().-]/g, "");
  if (!compact) return "Enter a phone number.";
  if (compact.startsWith("+")) {
    if (!/^\+\d+$/.test(compact)) return "Only digits after the +.";
    if (!/^\+[1-9]\d{7,14}$/.test(compact)) {
      return "E.164 is + then the country code and number, 8 to 15 digits (e.g. +14155550123).";
    }
    return null;
  }
  if (!/^\d+$/.test(compact)) return "Only digits, spaces, ( ) - . and a leading +.";
  if (compact.length < 7 || compact.length > 15) {
    return "Too short or too long for a phone number; use E.164 (e.g. +14155550123).";
  }
  return null;
}

/** "VIP, newsletter ,, vip" -> ["vip", "newsletter"]: trimmed, lower-cased, deduplicated. */
export function parseTags(raw: string): string[] {
  const out: string[] = [];
  for (const part of raw.split(",")) {
    const tag = part.replace(/\s+/g, " ").trim().toLowerCase();
    if (tag && !out.includes(tag)) out.push(tag);
  }
  return out;
}

export function tagsProblem(raw: string): string | null {
  const tags = parseTags(raw);
  if (tags.length > MAX_TAGS) return `At most ${MAX_TAGS} tags.`;
  const long = tags.find((t) => t.length > TAG_MAX);
  return long ? `A tag has at most ${TAG_MAX} characters.` : null;
}

/** A custom field's typed text as the JSON value stored: numbers and booleans stay typed. */
export function fieldValue(raw: string): string | number | boolean {
  const text = raw.trim();
  if (text === "true") return true;
  if (text === "false") return false;
  if (/^-?(0|[1-9]\d{0,14})(\.\d+)?$/.test(text)) return Number(text);
  return raw;
}

const customField = z.object({
  key: z.string().trim().regex(FIELD_KEY, "1-64 letters, digits, _ or - (not starting with -)."),
  value: z.string().max(FIELD_TEXT_MAX, `At most ${FIELD_TEXT_MAX} characters.`),
});

export const contactSchema = z
  .object({
    phone: z.string().superRefine((v, ctx) => {
      const problem = phoneProblem(v);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
    first_name: z.string().max(200, "At most 200 characters."),
    last_name: z.string().max(200, "At most 200 characters."),
    email: z
      .string()
      .max(320, "At most 320 characters.")
      .refine(
        (v) => !v.trim() || /^[^@\s]+@[^@\s]+\.[^@\s.]+$/.test(v.trim()),
        "Not a valid email address.",
      ),
    timezone: z.string().max(64),
    tags: z.string().superRefine((v, ctx) => {
      const problem = tagsProblem(v);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
    fields: z.array(customField).max(MAX_FIELDS, `At most ${MAX_FIELDS} custom fields.`),
  })
  .superRefine((values, ctx) => {
    const seen = new Set<string>();
    values.fields.forEach((f, i) => {
      if (seen.has(f.key.trim())) {
        ctx.addIssue({ code: "custom", path: ["fields", i, "key"], message: "Already a field." });
      }
      seen.add(f.key.trim());
    });
  });

export type ContactValues = z.infer<typeof contactSchema>;
