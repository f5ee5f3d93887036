/**
 * The campaign wizard's state, as pure functions (unit-tested): the steps, what each needs
 * before the next one opens, and the API body the state becomes. The React part only
 * renders this state and saves it as a draft campaign between steps.
 */
import type { components } from "@/api/schema";

type CampaignOut = components["schemas"]["CampaignOut"];
export type CampaignPatch = components["schemas"]["CampaignPatch"];

export const STEPS = ["audience", "message", "sending", "review"] as const;
export type Step = (typeof STEPS)[number];

export const STEP_LABEL: Record<Step, string> = {
  audience: "Audience",
  message: "Message",
  sending: "Sending",
  review: "Review",
};

export interface WizardState {
  step: Step;
  /** The draft campaign, once the first step is saved. */
  campaignId: string | null;
  name: string;
  segmentIds: string[];
  excludeSegmentIds: string[];
  /** As typed: comma-separated. */
  tags: string;
  excludeTags: string;
  mode: "inline" | "template";
  body: string;
  templateId: string;
  poolId: string;
  when: "now" | "later";
  /** `<input type="datetime-local">` value, in the browser's time zone. */
  sendAt: string;
  quietHours: boolean;
  quietStart: string;
  quietEnd: string;
  /** Messages per second, as typed; empty: no cap of its own. */
  rateCap: string;
}

export const initialState: WizardState = {
  step: "audience",
  campaignId: null,
  name: "",
  segmentIds: [],
  excludeSegmentIds: [],
  tags: "",
  excludeTags: "",
  mode: "inline",
  body: "",
  templateId: "",
  poolId: "",
  when: "now",
  sendAt: "",
  quietHours: true,
  quietStart: "08:00",
  quietEnd: "21:00",
  rateCap: "",
};

export type Action =
  | { type: "set"; values: Partial<Omit<WizardState, "step">> }
  | { type: "toggle"; list: "segmentIds" | "excludeSegmentIds"; id: string }
  | { type: "goto"; step: Step }
  | { type: "next" }
  | { type: "back" }
  | { type: "load"; campaign: CampaignOut };

/** "vip, new ,, vip" -> ["vip", "new"]: trimmed, no blanks, no repeats. */
export function parseTags(text: string): string[] {
  return [
    ...new Set(
      text
        .split(",")
        .map((t) => t.trim())
        .filter(Boolean),
    ),
  ];
}

export type StepErrors = Partial<Record<keyof WizardState, string>>;

const CLOCK = /^([01]\d|2[0-3]):[0-5]\d$/;

/** What stops `step` from being done (the API's limits, checked before asking it). */
export function stepErrors(state: WizardState, step: Step, now = new Date()): StepErrors {
  const errors: StepErrors = {};
  if (step === "audience") {
    const name = state.name.trim();
    if (!name) errors.name = "Give the campaign a name.";
    else if (name.length > 200) errors.name = "At most 200 characters.";
    if (state.segmentIds.length === 0 && parseTags(state.tags).length === 0) {
      errors.segmentIds = "Choose at least one segment or tag to send to.";
    }
    if (parseTags(state.tags).length > 50) errors.tags = "At most 50 tags.";
    if (parseTags(state.excludeTags).length > 50) errors.excludeTags = "At most 50 tags.";
  }
  if (step === "message") {
    if (state.mode === "inline") {
      if (!state.body.trim()) errors.body = "Write the message.";
      else if (state.body.length > 1600) errors.body = "At most 1,600 characters.";
    } else if (!state.templateId) {
      errors.templateId = "Choose a template.";
    }
  }
  if (step === "sending") {
    if (!state.poolId) errors.poolId = "Choose the numbers to send from.";
    if (state.when === "later") {
      const at = state.sendAt ? new Date(state.sendAt) : null;
      if (!at || Number.isNaN(at.getTime())) errors.sendAt = "Pick a date and time.";
      else if (at.getTime() <= now.getTime()) errors.sendAt = "Pick a time in the future.";
    }
    if (state.quietHours) {
      if (!CLOCK.test(state.quietStart)) errors.quietStart = "Use HH:MM.";
      if (!CLOCK.test(state.quietEnd)) errors.quietEnd = "Use HH:MM.";
      if (!errors.quietStart && !errors.quietEnd && state.quietStart === state.quietEnd) {
        errors.quietEnd = "The window must not be empty.";
      }
    }
    if (state.rateCap.trim()) {
      const cap = Number(state.rateCap);
      if (!Number.isFinite(cap) || cap <= 0 || cap > 10_000) {
        errors.rateCap = "A number of messages per second, above 0 and at most 10,000.";
      }
    }
  }
  return errors;
}

export function stepDone(state: WizardState, step: Step, now?: Date): boolean {
  return Object.keys(stepErrors(state, step, now)).length === 0;
}

/** A step opens once every step before it is done (the review needs all three). */
export function canOpen(state: WizardState, step: Step, now?: Date): boolean {
  const index = STEPS.indexOf(step);
  return STEPS.slice(0, index).every((s) => stepDone(state, s, now));
}

export function reducer(state: WizardState, action: Action): WizardState {
  switch (action.type) {
    case "set":
      return { ...state, ...action.values };
    case "toggle": {
      const list = state[action.list];
      const next = list.includes(action.id)
        ? list.filter((id) => id !== action.id)
        : [...list, action.id];
      // A segment is sent to or left out, never both.
      const other = action.list === "segmentIds" ? "excludeSegmentIds" : "segmentIds";
      return {
        ...state,
        [action.list]: next,
        [other]: state[other].filter((id) => id !== action.id),
      };
    }
    case "goto":
      return canOpen(state, action.step) ? { ...state, step: action.step } : state;
    case "next": {
      const index = STEPS.indexOf(state.step);
      const next = STEPS[index + 1];
      return next && stepDone(state, state.step) ? { ...state, step: next } : state;
    }
    case "back": {
      const prev = STEPS[STEPS.indexOf(state.step) - 1];
      return prev ? { ...state, step: prev } : state;
    }
    case "load":
      return { ...fromCampaign(action.campaign), step: state.step };
  }
}

/** The `datetime-local` value of an instant, in the browser's zone. */
export function toLocalInput(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The wizard's state of a saved draft (to carry on where it was left). */
export function fromCampaign(c: CampaignOut): WizardState {
  return {
    ...initialState,
    campaignId: c.id,
    name: c.name,
    segmentIds: c.audience.segment_ids ?? [],
    excludeSegmentIds: c.audience.exclude_segment_ids ?? [],
    tags: (c.audience.tags ?? []).join(", "),
    excludeTags: (c.audience.exclude_tags ?? []).join(", "),
    mode: c.template_id ? "template" : "inline",
    body: c.body ?? "",
    templateId: c.template_id ?? "",
    poolId: c.pool_id ?? "",
    when: c.send_at ? "later" : "now",
    sendAt: c.send_at ? toLocalInput(c.send_at) : "",
    quietHours: c.quiet_hours !== null,
    quietStart: c.quiet_hours?.start ?? initialState.quietStart,
    quietEnd: c.quiet_hours?.end ?? initialState.quietEnd,
    rateCap: c.rate_cap_mps ? String(c.rate_cap_mps) : "",
  };
}

export function audienceOf(state: WizardState) {
  return {
    segment_ids: state.segmentIds,
    tags: parseTags(state.tags),
    exclude_segment_ids: state.excludeSegmentIds,
    exclude_tags: parseTags(state.excludeTags),
  };
}

/** The draft as the API stores it, for the steps done so far. */
export function toPatch(state: WizardState, upTo: Step = state.step): CampaignPatch {
  const through = STEPS.indexOf(upTo);
  const patch: CampaignPatch = { name: state.name.trim(), audience: audienceOf(state) };
  if (through >= STEPS.indexOf("message")) {
    if (state.mode === "template" && state.templateId) {
      patch.template_id = state.templateId;
      patch.template_version = null;
    } else if (state.mode === "inline" && state.body.trim()) {
      patch.body = state.body;
      patch.template_id = null;
    }
  }
  if (through >= STEPS.indexOf("sending")) {
    patch.pool_id = state.poolId || null;
    patch.send_at =
      state.when === "later" && state.sendAt ? new Date(state.sendAt).toISOString() : null;
    patch.quiet_hours = state.quietHours ? { start: state.quietStart, end: state.quietEnd } : null;
    patch.rate_cap_mps = state.rateCap.trim() ? Number(state.rateCap) : null;
  }
  return patch;
}
