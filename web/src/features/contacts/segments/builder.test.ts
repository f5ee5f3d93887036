import { describe, expect, it } from "vitest";

import {
  addTo,
  countRules,
  fromFilter,
  MAX_DEPTH,
  newGroup,
  newRule,
  opsFor,
  remove,
  ruleProblem,
  setMatch,
  toFilter,
  updateRule,
} from "./builder";

describe("editing the tree", () => {
  it("adds rules and groups, changes AND/OR, removes, without touching the old tree", () => {
    const root = newGroup("all");
    const tag = { ...newRule("tag"), value: "vip" };
    let tree = addTo(root, root.id, tag);
    const inner = newGroup("any");
    tree = addTo(tree, root.id, inner);
    const days = newRule("last_message_at");
    tree = addTo(tree, inner.id, days);
    tree = addTo(tree, inner.id, { ...newRule("first_name"), op: "eq", value: "Ada" });
    expect(root.items).toHaveLength(0);
    expect(countRules(tree)).toBe(3);
    expect(toFilter(tree).filter).toEqual({
      all: [
        { field: "tag", op: "has", value: "vip" },
        {
          any: [
            { field: "last_message_at", op: "within_last_days", value: 30 },
            { field: "first_name", op: "eq", value: "Ada" },
          ],
        },
      ],
    });
    tree = setMatch(tree, inner.id, "all");
    tree = remove(tree, days.id);
    expect(toFilter(tree).filter).toEqual({
      all: [
        { field: "tag", op: "has", value: "vip" },
        { all: [{ field: "first_name", op: "eq", value: "Ada" }] },
      ],
    });
  });

  it("does not nest groups deeper than the API allows", () => {
    let tree = newGroup();
    let last = tree.id;
    for (let i = 0; i < MAX_DEPTH + 2; i++) {
      const g = newGroup();
      tree = addTo(tree, last, g);
      if (JSON.stringify(tree).includes(g.id)) last = g.id;
    }
    let depth = 0;
    let node: unknown = toFilter(tree).filter;
    while (node && typeof node === "object" && "all" in node) {
      depth += 1;
      node = (node as { all: unknown[] }).all[0];
    }
    expect(depth).toBe(MAX_DEPTH);
  });

  it("resets the operator and value when the field changes kind, keeps them otherwise", () => {
    const rule = { ...newRule("first_name"), op: "contains", value: "an" };
    let tree = newGroup("all", [rule]);
    tree = updateRule(tree, rule.id, { field: "last_name" });
    expect(tree.items[0]).toMatchObject({ field: "last_name", op: "contains", value: "an" });
    tree = updateRule(tree, rule.id, { field: "created_at" });
    expect(tree.items[0]).toMatchObject({ op: "within_last_days", value: "30" });
    tree = updateRule(tree, rule.id, { op: "before" });
    expect(tree.items[0]).toMatchObject({ op: "before", value: "" });
    tree = updateRule(tree, rule.id, { field: "opted_out" });
    expect(tree.items[0]).toMatchObject({ op: "eq", value: "false" });
  });
});

describe("values and problems", () => {
  it("types values as the grammar wants", () => {
    const tree = newGroup("any", [
      { kind: "rule", id: "a", field: "tag", op: "has_any", value: "vip, gold ,," },
      { kind: "rule", id: "b", field: "fields.score", op: "gte", value: "3" },
      { kind: "rule", id: "c", field: "fields.code", op: "in", value: "007, 12, true" },
      { kind: "rule", id: "d", field: "opted_out", op: "eq", value: "true" },
      { kind: "rule", id: "e", field: "email", op: "is_set", value: "ignored" },
    ]);
    expect(toFilter(tree)).toEqual({
      filter: {
        any: [
          { field: "tag", op: "has_any", value: ["vip", "gold"] },
          { field: "fields.score", op: "gte", value: 3 },
          { field: "fields.code", op: "in", value: ["007", 12, true] },
          { field: "opted_out", op: "eq", value: true },
          { field: "email", op: "is_set" },
        ],
      },
      problems: {},
    });
  });

  it("names what is missing or wrong", () => {
    const r = (field: string, op: string, value: string) =>
      ruleProblem({ kind: "rule", id: "x", field, op, value });
    expect(r("tag", "has", " ")).toBe("Give a value.");
    expect(r("tag", "has_any", ", ,")).toMatch(/at least one/);
    expect(r("created_at", "within_last_days", "-1")).toMatch(/whole number/);
    expect(r("created_at", "within_last_days", "36501")).toMatch(/whole number/);
    expect(r("created_at", "before", "yesterday")).toMatch(/A date/);
    expect(r("created_at", "before", "2026-01-31")).toBeNull();
    expect(r("fields.-bad", "eq", "x")).toMatch(/field name/);
    expect(r("lead_stage", "in", "new, hot")).toMatch(/Lead stages/);
    expect(r("tag", "gt", "x")).toBe("Choose an operator.");
    expect(
      toFilter(newGroup("all", [{ kind: "rule", id: "q", field: "email", op: "eq", value: "" }]))
        .problems,
    ).toEqual({
      q: "Give a value.",
    });
  });

  it("offers the operators of each kind of field", () => {
    expect(opsFor("fields.x")).toContain("gt");
    expect(opsFor("first_name")).not.toContain("gt");
    expect(opsFor("tag")).toEqual(["has", "has_not", "has_any", "has_all", "has_none"]);
  });
});

describe("fromFilter", () => {
  it("reads a saved filter back, and round-trips", () => {
    const saved = {
      all: [
        { field: "tag", op: "has_any", value: ["vip", "gold"] },
        {
          any: [
            { field: "last_message_at", op: "within_last_days", value: 30 },
            { field: "email", op: "is_set" },
          ],
        },
      ],
    };
    const tree = fromFilter(saved);
    expect(tree.match).toBe("all");
    expect(tree.items[0]).toMatchObject({ field: "tag", op: "has_any", value: "vip, gold" });
    expect(toFilter(tree).filter).toEqual(saved);
  });
  it("starts empty on anything else", () => {
    expect(fromFilter(null)).toMatchObject({ match: "all", items: [] });
    expect(toFilter(fromFilter({ any: [] })).filter).toEqual({ any: [] });
  });
});
