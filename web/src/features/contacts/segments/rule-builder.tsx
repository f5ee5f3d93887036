"use client";

import { ListPlus, Plus, Trash2 } from "lucide-react";
import * as React from "react";

import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { cn } from "@/lib/utils";

import {
  addTo,
  CONVERSATION_STATUSES,
  FIELDS,
  fieldKind,
  type Group,
  LEAD_STAGES,
  LIST_OPS,
  MAX_DEPTH,
  needsValue,
  type Node,
  newGroup,
  newRule,
  OP_LABELS,
  opsFor,
  remove,
  type Rule,
  setMatch,
  updateRule,
} from "./builder";

interface Ctx {
  root: Group;
  onChange: (next: Group) => void;
  problems: Record<string, string>;
  showProblems: boolean;
  /** The condition just added: its field takes the focus (keyboard users keep going). */
  focusId: string | null;
  add: (groupId: string, node: Node) => void;
}

function ValueInput({ rule, ctx, label }: { rule: Rule; ctx: Ctx; label: string }) {
  const kind = fieldKind(rule.field);
  const set = (value: string) => ctx.onChange(updateRule(ctx.root, rule.id, { value }));
  const problem = ctx.showProblems ? ctx.problems[rule.id] : undefined;
  const common = {
    "aria-label": label,
    "aria-invalid": problem ? true : undefined,
    "aria-describedby": problem ? `${rule.id}-error` : undefined,
  };
  if (!needsValue(rule.op)) return null;
  if (kind === "opted_out") {
    return (
      <Select {...common} value={rule.value} onChange={(e) => set(e.target.value)}>
        <option value="true">yes</option>
        <option value="false">no</option>
      </Select>
    );
  }
  const choices =
    kind === "lead_stage" ? LEAD_STAGES : kind === "conversation" ? CONVERSATION_STATUSES : null;
  if (choices && !LIST_OPS.has(rule.op)) {
    return (
      <Select {...common} value={rule.value} onChange={(e) => set(e.target.value)}>
        {choices.map((c) => (
          <option key={c} value={c}>
            {c}
          </option>
        ))}
      </Select>
    );
  }
  if (rule.op === "within_last_days" || rule.op === "more_than_days_ago") {
    return (
      <div className="flex items-center gap-2">
        <Input
          {...common}
          type="number"
          min={0}
          max={36500}
          value={rule.value}
          onChange={(e) => set(e.target.value)}
        />
        <span className="text-sm text-muted-foreground">days</span>
      </div>
    );
  }
  if (kind === "date") {
    return (
      <Input {...common} type="date" value={rule.value} onChange={(e) => set(e.target.value)} />
    );
  }
  return (
    <Input
      {...common}
      value={rule.value}
      maxLength={LIST_OPS.has(rule.op) ? undefined : 500}
      placeholder={
        LIST_OPS.has(rule.op) ? "values, separated by commas" : kind === "tag" ? "vip" : "value"
      }
      onChange={(e) => set(e.target.value)}
    />
  );
}

function RuleRow({ rule, ctx, index }: { rule: Rule; ctx: Ctx; index: number }) {
  const kind = fieldKind(rule.field);
  const problem = ctx.showProblems ? ctx.problems[rule.id] : undefined;
  const n = index + 1;
  return (
    <li className="grid gap-1" data-rule={rule.field}>
      <div className="grid items-start gap-2 sm:grid-cols-[minmax(0,11rem)_minmax(0,10rem)_minmax(0,1fr)_auto]">
        <div className="grid gap-2">
          <Select
            aria-label={`Condition ${n}: field`}
            autoFocus={rule.id === ctx.focusId}
            value={kind === "custom" ? "custom" : rule.field}
            onChange={(e) => {
              const v = e.target.value;
              ctx.onChange(
                updateRule(ctx.root, rule.id, { field: v === "custom" ? "fields." : v }),
              );
            }}
          >
            {FIELDS.map((f) => (
              <option key={f.value} value={f.value}>
                {f.label}
              </option>
            ))}
            <option value="custom">Custom field…</option>
          </Select>
          {kind === "custom" ? (
            <Input
              aria-label={`Condition ${n}: custom field name`}
              placeholder="favorite_color"
              maxLength={64}
              value={rule.field.slice(7)}
              onChange={(e) =>
                ctx.onChange(updateRule(ctx.root, rule.id, { field: `fields.${e.target.value}` }))
              }
            />
          ) : null}
        </div>
        <Select
          aria-label={`Condition ${n}: operator`}
          value={rule.op}
          onChange={(e) => ctx.onChange(updateRule(ctx.root, rule.id, { op: e.target.value }))}
        >
          {opsFor(rule.field).map((op) => (
            <option key={op} value={op}>
              {OP_LABELS[op] ?? op}
            </option>
          ))}
        </Select>
        <div>
          <ValueInput rule={rule} ctx={ctx} label={`Condition ${n}: value`} />
        </div>
        <Button
          type="button"
          variant="ghost"
          size="icon"
          aria-label={`Remove condition ${n}`}
          onClick={() => ctx.onChange(remove(ctx.root, rule.id))}
        >
          <Trash2 aria-hidden="true" />
        </Button>
      </div>
      {problem ? (
        <p id={`${rule.id}-error`} role="alert" className="text-xs font-medium text-destructive">
          {problem}
        </p>
      ) : null}
    </li>
  );
}

function GroupBox({
  group,
  ctx,
  depth,
  label,
}: {
  group: Group;
  ctx: Ctx;
  depth: number;
  label: string;
}) {
  let ruleIndex = 0;
  return (
    <fieldset
      className={cn(
        "grid gap-3 rounded-lg border p-3 sm:p-4",
        depth > 1 ? "bg-muted/40" : "bg-card",
      )}
      aria-label={label}
    >
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <span>Contacts matching</span>
        <Select
          aria-label={`${label}: match`}
          className="w-24"
          value={group.match}
          onChange={(e) =>
            ctx.onChange(setMatch(ctx.root, group.id, e.target.value as "all" | "any"))
          }
        >
          <option value="all">all</option>
          <option value="any">any</option>
        </Select>
        <span>of these conditions</span>
        {depth > 1 ? (
          <Button
            type="button"
            variant="ghost"
            size="sm"
            className="ml-auto"
            onClick={() => ctx.onChange(remove(ctx.root, group.id))}
          >
            <Trash2 aria-hidden="true" /> Remove group
          </Button>
        ) : null}
      </div>
      {group.items.length === 0 ? (
        <p className="text-sm text-muted-foreground">
          {group.match === "all"
            ? "No condition: every contact matches."
            : "No condition: no contact matches."}
        </p>
      ) : (
        <ul className="grid gap-3">
          {group.items.map((item, i) =>
            item.kind === "rule" ? (
              <RuleRow key={item.id} rule={item} ctx={ctx} index={ruleIndex++} />
            ) : (
              <li key={item.id}>
                <GroupBox
                  group={item}
                  ctx={ctx}
                  depth={depth + 1}
                  label={`${label}, group ${i + 1}`}
                />
              </li>
            ),
          )}
        </ul>
      )}
      <div className="flex flex-wrap gap-2">
        <Button
          type="button"
          variant="outline"
          size="sm"
          onClick={() => ctx.add(group.id, newRule())}
        >
          <Plus aria-hidden="true" /> Add condition
        </Button>
        {depth < MAX_DEPTH ? (
          <Button
            type="button"
            variant="outline"
            size="sm"
            onClick={() =>
              ctx.onChange(
                addTo(
                  ctx.root,
                  group.id,
                  newGroup(group.match === "all" ? "any" : "all", [newRule()]),
                ),
              )
            }
          >
            <ListPlus aria-hidden="true" /> Add group
          </Button>
        ) : null}
      </div>
    </fieldset>
  );
}

/** The visual rule builder: AND/OR groups of conditions, edited through builder.ts. */
export function RuleBuilder({
  value,
  onChange,
  problems,
  showProblems,
}: {
  value: Group;
  onChange: (next: Group) => void;
  problems: Record<string, string>;
  showProblems: boolean;
}) {
  const [focusId, setFocusId] = React.useState<string | null>(null);
  const add = (groupId: string, node: Node) => {
    onChange(addTo(value, groupId, node));
    setFocusId(node.kind === "rule" ? node.id : (node.items[0]?.id ?? null));
  };
  const ctx: Ctx = { root: value, onChange, problems, showProblems, focusId, add };
  return <GroupBox group={value} ctx={ctx} depth={1} label="Rules" />;
}
