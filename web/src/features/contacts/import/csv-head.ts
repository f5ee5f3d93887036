/**
 * The head of a CSV file, read in the browser for the column mapping's preview: only the
 * first bytes (HEAD_BYTES) are read, so a file of a million rows costs what a small one
 * does. The rules mirror the server's reader (shared/contacts/imports.py): the delimiter
 * is the most frequent of , ; tab | on the header line; empty headers are "column N";
 * repeated ones get " (2)"; columns are guessed from their names.
 */

export const HEAD_BYTES = 64 * 1024;
export const PREVIEW_ROWS = 5;
const DELIMITERS = [",", ";", "\t", "|"] as const;

export type Target =
  | "phone"
  | "first_name"
  | "last_name"
  | "full_name"
  | "email"
  | "timezone"
  | "tags"
  | "ignore"
  | `fields.${string}`;

export const TARGET_LABELS: Record<string, string> = {
  phone: "Phone",
  first_name: "First name",
  last_name: "Last name",
  full_name: "Full name",
  email: "Email",
  timezone: "Time zone",
  tags: "Tags",
  ignore: "Do not import",
};

/** Targets a column may have at most once (custom fields and "ignore" repeat). */
export const SINGLE_TARGETS = [
  "phone",
  "first_name",
  "last_name",
  "full_name",
  "email",
  "timezone",
  "tags",
];

const SYNONYMS: Record<string, Target> = {};
for (const [target, names] of Object.entries({
  phone:
    "phone phonenumber phoneno mobile mobilephone mobilenumber cell cellphone cellnumber telephone tel msisdn number contactnumber sms smsnumber whatsapp",
  first_name: "firstname first givenname fname forename",
  last_name: "lastname last surname familyname lname",
  full_name: "name fullname contactname",
  email: "email emailaddress email1 mail",
  timezone: "timezone tz",
  tags: "tags tag labels label",
})) {
  for (const name of names.split(" ")) SYNONYMS[name] = target as Target;
}

export function slug(header: string): string {
  return header
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 64);
}

export interface CsvHead {
  delimiter: string;
  headers: string[];
  rows: string[][];
  /** Whether the whole file fit in the bytes read. */
  complete: boolean;
}

/** Splits CSV text into records (quotes, doubled quotes, CRLF); the last one may be partial. */
export function parseRecords(text: string, delimiter: string, max: number): string[][] {
  const records: string[][] = [];
  let field = "";
  let record: string[] = [];
  let quoted = false;
  let i = 0;
  const push = () => {
    record.push(field);
    field = "";
  };
  while (i < text.length && records.length < max) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        field += ch;
      }
      i += 1;
      continue;
    }
    if (ch === '"' && field === "") {
      quoted = true;
    } else if (ch === delimiter) {
      push();
    } else if (ch === "\n" || ch === "\r") {
      push();
      if (record.some((c) => c.trim() !== "")) records.push(record);
      record = [];
      if (ch === "\r" && text[i + 1] === "\n") i += 1;
    } else {
      field += ch;
    }
    i += 1;
  }
  if (records.length < max && (field !== "" || record.length > 0)) {
    push();
    if (record.some((c) => c.trim() !== "")) records.push(record);
  }
  return records;
}

export function detectDelimiter(firstLine: string): string {
  let best: string = ",";
  let bestCount = -1;
  for (const d of DELIMITERS) {
    const count = firstLine.split(d).length - 1;
    if (count > bestCount || (count === bestCount && d === ",")) {
      best = d;
      bestCount = count;
    }
  }
  return best;
}

/** The header and the first rows of CSV text (the start of a file, maybe cut mid-row). */
export function parseHead(text: string, complete: boolean, rows = PREVIEW_ROWS): CsvHead {
  const clean = text.replace(/^\uFEFF/, "");
  // A cut file: drop the last, partial line.
  const body = complete ? clean : clean.slice(0, Math.max(clean.lastIndexOf("\n"), 0));
  const firstLine = body.split(/\r?\n|\r/, 1)[0] ?? "";
  const delimiter = detectDelimiter(firstLine);
  const [header = [], ...data] = parseRecords(body, delimiter, rows + 1);
  const seen = new Map<string, number>();
  const headers = header.map((raw, i) => {
    const name = raw.trim() || `column ${i + 1}`;
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    return n === 1 ? name : `${name} (${n})`;
  });
  return { delimiter, headers, rows: data, complete };
}

/** The start of a file, without reading the rest (Blob.slice reads only those bytes). */
export async function readHead(file: Blob, bytes = HEAD_BYTES): Promise<CsvHead> {
  const part = file.slice(0, bytes);
  const text = await part.text();
  return parseHead(text, file.size <= bytes);
}

/** The first guess for every column, as the server would make it. */
export function guessMapping(headers: string[]): Record<string, Target> {
  const taken = new Set<string>();
  const keys = new Set<string>();
  const out: Record<string, Target> = {};
  for (const name of headers) {
    const target = SYNONYMS[name.toLowerCase().replace(/[^a-z0-9]/g, "")];
    if (target && !taken.has(target)) {
      out[name] = target;
      taken.add(target);
      continue;
    }
    const base = slug(name) || "column";
    let key = base;
    for (let n = 2; keys.has(key); n++) key = `${base.slice(0, 60)}_${n}`;
    keys.add(key);
    out[name] = `fields.${key}`;
  }
  return out;
}

export const FIELD_KEY = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$/;

/** What is wrong with a mapping before it is sent: no phone column, a target twice, a bad key. */
export function mappingProblems(mapping: Record<string, Target>): Record<string, string> {
  const problems: Record<string, string> = {};
  const byTarget = new Map<string, string>();
  for (const [column, target] of Object.entries(mapping)) {
    if (target.startsWith("fields.")) {
      if (!FIELD_KEY.test(target.slice(7))) {
        problems[column] = "1-64 letters, digits, _ or - (not starting with -).";
      }
    }
    if (SINGLE_TARGETS.includes(target) || target.startsWith("fields.")) {
      const other = byTarget.get(target);
      if (other !== undefined) {
        problems[column] = `Already the column “${other}”.`;
      } else {
        byTarget.set(target, column);
      }
    }
  }
  if (!byTarget.has("phone")) problems._form = "Choose the column that holds the phone numbers.";
  const custom = [...byTarget.keys()].filter((t) => t.startsWith("fields.")).length;
  if (custom > 100)
    problems._form = "At most 100 custom fields: set extra columns to “Do not import”.";
  return problems;
}
