/**
 * The segment builder's state: a tree of AND/OR groups and rules, edited immutably, and
 * its translation to and from the API's filter grammar (docs/segments.md,
 * shared/contacts/segments.py). Pure: no React, tested in builder.test.ts.
 */

export type Match = "all" | "any";

export interface Rule {
  kind: "rule";
  id: string;
  /** A field of the grammar: first_name, tag, created_at, fields.KEY... */
  field: string;
  op: string;
  /** As typed: lists are comma-separated, days a whole number, booleans "true"/"false". */
  value: string;
}

export interface Group {
  kind: "group";
  id: string;
  match: Match;
  items: Node[];
}

export type Node = Rule | Group;

export type FieldKind =
  "text" | "custom" | "tag" | "opted_out" | "date" | "lead_stage" | "conversation";

export const MAX_DEPTH = 6;
export const MAX_CONDITIONS = 200;
export const LIST_MAX = 500;
export const TEXT_MAX = 500;
export const DAYS_MAX = 36500;
export const LEAD_STAGES = ["new", "engaged", "qualified", "unqualified", "handoff"];
export const CONVERSATION_STATUSES = ["open", "closed", "snoozed"];

export const FIELDS: readonly { value: string; label: string }[] = [
  { value: "tag", label: "Tag" },
  { value: "opted_out", label: "Opted out" },
  { value: "created_at", label: "Created" },
  { value: "last_message_at", label: "Last message from them" },
  { value: "first_name", label: "First name" },
  { value: "last_name", label: "Last name" },
  { value: "email", label: "Email" },
  { value: "phone", label: "Phone" },
  { value: "timezone", label: "Time zone" },
  { value: "lead_stage", label: "Lead stage" },
  { value: "conversation_status", label: "Conversation" },
];

const TEXT_OPS = [
  "eq",
  "neq",
  "contains",
  "starts_with",
  "ends_with",
  "in",
  "not_in",
  "is_set",
  "is_not_set",
];

export const OP_LABELS: Record<string, string> = {
  eq: "is",
  neq: "is not",
  in: "is one of",
  not_in: "is none of",
  contains: "contains",
  starts_with: "starts with",
  ends_with: "ends with",
  is_set: "is set",
  is_not_set: "is not set",
  gt: ">",
  gte: "≥",
  lt: "<",
  lte: "≤",
  has: "has",
  has_not: "does not have",
  has_any: "has any of",
  has_all: "has all of",
  has_none: "has none of",
  before: "before",
  after: "after",
  within_last_days: "in the last N days",
  more_than_days_ago: "more than N days ago",
};

export const LIST_OPS = new Set(["in", "not_in", "has_any", "has_all", "has_none"]);
const NO_VALUE = new Set(["is_set", "is_not_set"]);
const DAY_OPS = new Set(["within_last_days", "more_than_days_ago"]);

export function fieldKind(field: string): FieldKind {
  if (field.startsWith("fields.")) return "custom";
  if (field === "tag") return "tag";
  if (field === "opted_out") return "opted_out";
  if (field === "created_at" || field === "last_message_at") return "date";
  if (field === "lead_stage") return "lead_stage";
  if (field === "conversation_status") return "conversation";
  return "text";
}

export function opsFor(field: string): string[] {
  switch (fieldKind(field)) {
    case "custom":
      return [...TEXT_OPS.slice(0, 5), "gt", "gte", "lt", "lte", ...TEXT_OPS.slice(5)];
    case "tag":
      return ["has", "has_not", "has_any", "has_all", "has_none"];
    case "opted_out":
      return ["eq"];
    case "date":
      return ["within_last_days", "more_than_days_ago", "before", "after", "is_set", "is_not_set"];
    case "lead_stage":
      return ["eq", "neq", "in", "not_in"];
    case "conversation":
      return ["eq", "neq", "in", "not_in", "is_set", "is_not_set"];
    default:
      return TEXT_OPS;
  }
}

export function needsValue(op: string): boolean {
  return !NO_VALUE.has(op);
}

let counter = 0;
/** Ids for React keys only; never sent. */
export function nextId(): string {
  counter += 1;
  return `n${counter}`;
}

function defaultValue(field: string, op: string): string {
  const kind = fieldKind(field);
  if (kind === "opted_out") return "false";
  if (DAY_OPS.has(op)) return "30";
  if (kind === "lead_stage") return "new";
  if (kind === "conversation") return "open";
  return "";
}

export function newRule(field = "tag"): Rule {
  const op = opsFor(field)[0]!;
  return { kind: "rule", id: nextId(), field, op, value: defaultValue(field, op) };
}

export function newGroup(match: Match = "all", items: Node[] = []): Group {
  return { kind: "group", id: nextId(), match, items };
}

function mapTree(node: Group, fn: (n: Node) => Node | null): Group {
  const items: Node[] = [];
  for (const item of node.items) {
    const next = fn(item);
    if (next === null) continue;
    items.push(next.kind === "group" ? mapTree(next, fn) : next);
  }
  return { ...node, items };
}

export function depthOf(root: Group, id: string, depth = 1): number | null {
  if (root.id === id) return depth;
  for (const item of root.items) {
    if (item.kind === "group") {
      const found = depthOf(item, id, depth + 1);
      if (found !== null) return found;
    }
  }
  return null;
}

export function countRules(node: Node): number {
  return node.kind === "rule" ? 1 : node.items.reduce((n, item) => n + countRules(item), 0);
}

/** Adds a node at the end of a group (a group deeper than MAX_DEPTH is not added). */
export function addTo(root: Group, groupId: string, node: Node): Group {
  if (node.kind === "group" && (depthOf(root, groupId) ?? MAX_DEPTH) >= MAX_DEPTH) return root;
  if (root.id === groupId) return { ...root, items: [...root.items, node] };
  return mapTree(root, (n) =>
    n.kind === "group" && n.id === groupId ? { ...n, items: [...n.items, node] } : n,
  );
}

export function remove(root: Group, id: string): Group {
  return mapTree(root, (n) => (n.id === id ? null : n));
}

export function setMatch(root: Group, groupId: string, match: Match): Group {
  if (root.id === groupId) return { ...root, match };
  return mapTree(root, (n) => (n.kind === "group" && n.id === groupId ? { ...n, match } : n));
}

/** Changes a rule; a new field resets the operator and value to ones it takes, a new
 * operator keeps the value when it still fits. */
export function updateRule(
  root: Group,
  id: string,
  patch: Partial<Pick<Rule, "field" | "op" | "value">>,
): Group {
  return mapTree(root, (n) => {
    if (n.kind !== "rule" || n.id !== id) return n;
    const next = { ...n, ...patch };
    if (patch.field !== undefined && patch.field !== n.field) {
      const sameKind = fieldKind(patch.field) === fieldKind(n.field);
      if (!sameKind || !opsFor(patch.field).includes(next.op)) {
        next.op = opsFor(patch.field)[0]!;
        next.value = defaultValue(patch.field, next.op);
      }
    }
    if (patch.op !== undefined && patch.op !== n.op && patch.value === undefined) {
      const wasDays = DAY_OPS.has(n.op);
      if (wasDays !== DAY_OPS.has(patch.op) || !needsValue(patch.op)) {
        next.value = defaultValue(next.field, patch.op);
      }
    }
    return next;
  });
}

function splitList(text: string): string[] {
  return text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A custom field's typed text as a JSON value: numbers and booleans stay typed. */
function scalar(text: string): string | number | boolean {
  const t = text.trim();
  if (t === "true") return true;
  if (t === "false") return false;
  if (/^-?(0|[1-9]\d{0,14})(\.\d+)?$/.test(t)) return Number(t);
  return text;
}

const FIELD_KEY = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$/;
const DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Why a rule cannot be sent as it is, or null. */
export function ruleProblem(rule: Rule): string | null {
  const kind = fieldKind(rule.field);
  if (kind === "custom" && !FIELD_KEY.test(rule.field.slice(7))) {
    return "A field name: 1-64 letters, digits, _ or -.";
  }
  if (!opsFor(rule.field).includes(rule.op)) return "Choose an operator.";
  if (!needsValue(rule.op)) return null;
  const text = rule.value.trim();
  if (LIST_OPS.has(rule.op)) {
    const list = splitList(rule.value);
    if (list.length === 0) return "Give at least one value (separated by commas).";
    if (list.length > LIST_MAX) return `At most ${LIST_MAX} values.`;
    if (list.some((v) => v.length > TEXT_MAX)) return `Values have at most ${TEXT_MAX} characters.`;
    if (kind === "lead_stage" && list.some((v) => !LEAD_STAGES.includes(v))) {
      return `Lead stages: ${LEAD_STAGES.join(", ")}.`;
    }
    if (kind === "conversation" && list.some((v) => !CONVERSATION_STATUSES.includes(v))) {
      return `Conversation states: ${CONVERSATION_STATUSES.join(", ")}.`;
    }
    return null;
  }
  if (DAY_OPS.has(rule.op)) {
    if (!/^\d+$/.test(text) || Number(text) > DAYS_MAX)
      return `A whole number of days, 0 to ${DAYS_MAX}.`;
    return null;
  }
  if (kind === "date") return DATE.test(text) ? null : "A date, like 2026-01-31.";
  if (kind === "opted_out") return text === "true" || text === "false" ? null : "Yes or no.";
  if (text === "") return "Give a value.";
  if (rule.value.length > TEXT_MAX) return `At most ${TEXT_MAX} characters.`;
  if (kind === "tag" && text.length > 100) return "A tag has at most 100 characters.";
  return null;
}

function ruleValue(rule: Rule): unknown {
  const kind = fieldKind(rule.field);
  if (LIST_OPS.has(rule.op)) {
    const list = splitList(rule.value);
    return kind === "custom" ? list.map(scalar) : list;
  }
  if (DAY_OPS.has(rule.op)) return Number(rule.value.trim());
  if (kind === "opted_out") return rule.value.trim() === "true";
  if (kind === "custom") return scalar(rule.value);
  if (kind === "date" || kind === "tag") return rule.value.trim();
  return rule.value;
}

export type Filter = { all: unknown[] } | { any: unknown[] };

/** The API's filter, or the rules that are not ready (by id). */
export function toFilter(root: Group): { filter: Filter; problems: Record<string, string> } {
  const problems: Record<string, string> = {};
  const walk = (group: Group): Filter => {
    const items = group.items.map((item) => {
      if (item.kind === "group") return walk(item);
      const problem = ruleProblem(item);
      if (problem) problems[item.id] = problem;
      return needsValue(item.op)
        ? { field: item.field, op: item.op, value: ruleValue(item) }
        : { field: item.field, op: item.op };
    });
    return group.match === "all" ? { all: items } : { any: items };
  };
  const filter = walk(root);
  if (countRules(root) > MAX_CONDITIONS)
    problems[root.id] = `At most ${MAX_CONDITIONS} conditions.`;
  return { filter, problems };
}

function valueText(value: unknown): string {
  if (Array.isArray(value)) return value.map((v) => String(v)).join(", ");
  if (value === undefined || value === null) return "";
  return String(value);
}

/** A saved filter back into the builder (anything unknown becomes an empty AND group). */
export function fromFilter(raw: unknown): Group {
  const walk = (node: unknown): Node | null => {
    if (typeof node !== "object" || node === null) return null;
    const o = node as Record<string, unknown>;
    if (Array.isArray(o.all) || Array.isArray(o.any)) {
      const match: Match = Array.isArray(o.all) ? "all" : "any";
      const items = ((o.all ?? o.any) as unknown[]).map(walk).filter((n): n is Node => n !== null);
      return newGroup(match, items);
    }
    if (typeof o.field === "string" && typeof o.op === "string") {
      return { kind: "rule", id: nextId(), field: o.field, op: o.op, value: valueText(o.value) };
    }
    return null;
  };
  const root = walk(raw);
  return root && root.kind === "group" ? root : newGroup("all");
}

/** A stable text of a filter: the live count asks again only when this changes. */
export function filterKey(filter: Filter): string {
  return JSON.stringify(filter);
}
