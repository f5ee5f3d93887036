/** The AI configuration as the API has it, and as its form edits it (lists as text). */
import type { AiConfig, AiConfigIn } from "./hooks";
import { type AiValues, splitList, WEEKDAYS } from "./schemas";

export const DEFAULT_WINDOW = {
  days: ["mon", "tue", "wed", "thu", "fri"] as AiValues["active_hours"]["windows"][number]["days"],
  start: "09:00",
  end: "18:00",
};

export function toFormValues(config: AiConfig, workspaceZone: string): AiValues {
  return {
    enabled: config.enabled ?? false,
    mode: config.mode ?? "off",
    model: config.model ?? "",
    qualification_model: config.qualification_model ?? "",
    persona: config.persona ?? "",
    instructions: config.instructions ?? "",
    business_facts: config.business_facts ?? "",
    criteria: (config.criteria ?? []).map((c) => ({
      name: c.name,
      type: c.type ?? "string",
      description: c.description ?? "",
      options: (c.options ?? []).join(", "),
      min: c.min ?? 1,
      max: c.max ?? 5,
    })),
    handoff_rules: {
      keywords: (config.handoff_rules?.keywords ?? []).join(", "),
      negative_sentiment: config.handoff_rules?.negative_sentiment ?? true,
      qualified_lead: config.handoff_rules?.qualified_lead ?? true,
      human_request: config.handoff_rules?.human_request ?? true,
    },
    active_hours_on: Boolean(config.active_hours),
    active_hours: {
      timezone: config.active_hours?.timezone ?? workspaceZone,
      windows: (config.active_hours?.windows ?? [DEFAULT_WINDOW]).map((w) => ({
        days: WEEKDAYS.filter((d) => w.days.includes(d)),
        start: w.start ?? "09:00",
        end: w.end ?? "18:00",
      })),
    },
    reply_delay_min_seconds: config.reply_delay_min_seconds ?? 20,
    reply_delay_max_seconds: config.reply_delay_max_seconds ?? 60,
    max_consecutive_replies: config.max_consecutive_replies ?? 5,
  };
}

const orNull = (text: string) => (text.trim() ? text.trim() : null);

export function toPayload(values: AiValues): AiConfigIn {
  return {
    enabled: values.enabled,
    mode: values.mode,
    model: orNull(values.model),
    qualification_model: orNull(values.qualification_model),
    persona: orNull(values.persona),
    instructions: orNull(values.instructions),
    business_facts: orNull(values.business_facts),
    criteria: values.criteria.map((c) => ({
      name: c.name,
      type: c.type,
      description: c.description,
      options: c.type === "enum" ? splitList(c.options) : null,
      min: c.min,
      max: c.max,
    })),
    handoff_rules: {
      keywords: splitList(values.handoff_rules.keywords),
      negative_sentiment: values.handoff_rules.negative_sentiment,
      qualified_lead: values.handoff_rules.qualified_lead,
      human_request: values.handoff_rules.human_request,
    },
    active_hours: values.active_hours_on
      ? { timezone: values.active_hours.timezone, windows: values.active_hours.windows }
      : null,
    reply_delay_min_seconds: values.reply_delay_min_seconds,
    reply_delay_max_seconds: values.reply_delay_max_seconds,
    max_consecutive_replies: values.max_consecutive_replies,
  };
}
