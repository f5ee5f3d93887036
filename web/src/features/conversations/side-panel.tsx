"use client";

import { Bot, Plus, Trash2 } from "lucide-react";
import { useId, useState } from "react";

import { problemMessage } from "@/api/problem";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { toast } from "@/components/ui/toast";
import { formatDateTime, formatPhone } from "@/lib/format";

import { contactName } from "./conversation-list";
import { STAGE_LABELS } from "./filters-pane";
import {
  type AiMode,
  type Conversation,
  type Lead,
  LEAD_STAGES,
  type LeadStage,
  useLead,
  usePatchConversations,
  useSetLead,
} from "./hooks";

const AI_MODES: { value: AiMode; label: string }[] = [
  { value: "inherit", label: "Workspace default" },
  { value: "suggest", label: "Suggest drafts" },
  { value: "auto", label: "Reply automatically" },
  { value: "off", label: "Off" },
];

type Row = { name: string; value: string };

function display(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** The contact, Claude's mode and handoff, and the lead (stage, fields, history). */
export function SidePanel({ conversation: c }: { conversation: Conversation }) {
  const aiModeId = useId();
  const patch = usePatchConversations();
  return (
    <div className="grid gap-5 p-4 text-sm">
      <section aria-labelledby={`${aiModeId}-contact`} className="grid gap-1">
        <h3
          id={`${aiModeId}-contact`}
          className="text-xs font-semibold tracking-wide text-muted-foreground uppercase"
        >
          Contact
        </h3>
        <p className="font-medium">{contactName(c.contact)}</p>
        {c.contact.first_name || c.contact.last_name ? (
          <p className="text-muted-foreground">{formatPhone(c.contact.phone)}</p>
        ) : null}
        {c.contact.opted_out ? (
          <Badge variant="danger" className="w-fit">
            Opted out
          </Badge>
        ) : null}
        {c.contact.erased ? (
          <Badge variant="danger" className="w-fit">
            Erased
          </Badge>
        ) : null}
        <p className="text-xs text-muted-foreground">
          In the inbox since {formatDateTime(c.created_at)}
        </p>
      </section>
      <section className="grid gap-2">
        <h3 className="text-xs font-semibold tracking-wide text-muted-foreground uppercase">
          Claude
        </h3>
        <label htmlFor={aiModeId} className="text-xs font-medium">
          AI mode for this conversation
        </label>
        <Select
          id={aiModeId}
          value={c.ai_mode}
          disabled={patch.isPending}
          onChange={(e) =>
            patch.mutate(
              { ids: [c.id], patch: { ai_mode: e.target.value as AiMode } },
              {
                onSuccess: () => toast.success("AI mode saved"),
                onError: (error) => toast.error("Not saved", problemMessage(error)),
              },
            )
          }
        >
          {AI_MODES.map((m) => (
            <option key={m.value} value={m.value}>
              {m.label}
            </option>
          ))}
        </Select>
        {c.needs_human ? (
          <p className="flex items-start gap-1.5 rounded-md bg-warning/15 p-2 text-xs">
            <Bot className="mt-0.5 size-3.5 shrink-0" aria-hidden />
            <span>
              <strong>Handed to a human.</strong> {c.needs_human_reason ?? "No reason given."}
            </span>
          </p>
        ) : null}
      </section>
      <LeadEditor conversationId={c.id} />
    </div>
  );
}

function LeadEditor({ conversationId }: { conversationId: string }) {
  const lead = useLead(conversationId);
  if (!lead.data) return null;
  // Keyed by the saved state: a change by Claude or another agent resets the form.
  const version = `${lead.data.stage}:${lead.data.history.length}:${JSON.stringify(lead.data.fields)}`;
  return <LeadForm key={version} conversationId={conversationId} lead={lead.data} />;
}

function LeadForm({ conversationId, lead: saved }: { conversationId: string; lead: Lead }) {
  const lead = { data: saved };
  const save = useSetLead(conversationId);
  const stageId = useId();
  const [stage, setStage] = useState<LeadStage>(saved.stage as LeadStage);
  const [rows, setRows] = useState<Row[]>(() =>
    Object.entries(saved.fields).map(([name, value]) => ({ name, value: display(value) })),
  );
  const [error, setError] = useState<string | null>(null);

  const submit = () => {
    const names = rows.map((r) => r.name.trim());
    if (names.some((n) => !n) || new Set(names).size !== names.length) {
      setError("Each field needs a name, once.");
      return;
    }
    const fields: Record<string, string | null> = {};
    for (const name of Object.keys(lead.data?.fields ?? {})) fields[name] = null;
    for (const r of rows) fields[r.name.trim()] = r.value;
    save.mutate(
      { stage, fields },
      {
        onSuccess: () => {
          setError(null);
          toast.success("Lead saved");
        },
        onError: (e) => setError(problemMessage(e)),
      },
    );
  };

  return (
    <section className="grid gap-2" aria-labelledby={`${stageId}-lead`}>
      <h3
        id={`${stageId}-lead`}
        className="text-xs font-semibold tracking-wide text-muted-foreground uppercase"
      >
        Lead
      </h3>
      <form
        className="grid gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <label htmlFor={stageId} className="text-xs font-medium">
          Stage
        </label>
        <Select id={stageId} value={stage} onChange={(e) => setStage(e.target.value as LeadStage)}>
          {LEAD_STAGES.map((s) => (
            <option key={s} value={s}>
              {STAGE_LABELS[s]}
            </option>
          ))}
        </Select>
        <fieldset className="grid gap-1.5">
          <legend className="mb-1 text-xs font-medium">Qualification fields</legend>
          {rows.length === 0 ? <p className="text-xs text-muted-foreground">None yet.</p> : null}
          {rows.map((row, i) => (
            <div key={i} className="flex gap-1">
              <Input
                aria-label={`Field ${i + 1} name`}
                className="h-8 w-24"
                value={row.name}
                onChange={(e) =>
                  setRows(rows.map((r, j) => (j === i ? { ...r, name: e.target.value } : r)))
                }
              />
              <Input
                aria-label={`${row.name || `Field ${i + 1}`} value`}
                className="h-8 flex-1"
                value={row.value}
                onChange={(e) =>
                  setRows(rows.map((r, j) => (j === i ? { ...r, value: e.target.value } : r)))
                }
              />
              <Button
                type="button"
                variant="ghost"
                size="icon"
                className="size-8"
                aria-label={`Remove ${row.name || "field"}`}
                onClick={() => setRows(rows.filter((_, j) => j !== i))}
              >
                <Trash2 />
              </Button>
            </div>
          ))}
          <Button
            type="button"
            variant="ghost"
            size="sm"
            className="justify-self-start"
            onClick={() => setRows([...rows, { name: "", value: "" }])}
          >
            <Plus /> Add a field
          </Button>
        </fieldset>
        {error ? (
          <p role="alert" className="text-xs text-destructive">
            {error}
          </p>
        ) : null}
        <Button type="submit" size="sm" disabled={save.isPending}>
          Save lead
        </Button>
      </form>
      {lead.data && lead.data.history.length > 0 ? (
        <details className="text-xs">
          <summary className="cursor-pointer font-medium">
            History ({lead.data.history.length})
          </summary>
          <ol className="mt-2 grid gap-2">
            {lead.data.history.map((h, i) => (
              <li key={i} className="rounded-md bg-muted p-2">
                <p>
                  <strong>{STAGE_LABELS[h.stage] ?? h.stage}</strong> by{" "}
                  {h.source === "agent" ? "an agent" : h.source === "ai" ? "Claude" : "a rule"} ·{" "}
                  {formatDateTime(h.created_at)}
                </p>
                {Object.keys(h.fields).length > 0 ? (
                  <p className="text-muted-foreground">
                    {Object.entries(h.fields)
                      .map(([k, v]) => `${k}: ${display(v)}`)
                      .join(", ")}
                  </p>
                ) : null}
                {h.note ? <p className="text-muted-foreground">{h.note}</p> : null}
              </li>
            ))}
          </ol>
        </details>
      ) : null}
    </section>
  );
}
