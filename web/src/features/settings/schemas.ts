/** Form schemas of the settings pages, with the API's limits (shared/tenancy/schemas.py,
 * shared/ai/schemas.py, shared/messaging/schemas.py). The API checks again; its problems
 * land on the same fields. */
import { z } from "zod";

import { PASSWORD_MAX_BYTES, PASSWORD_MIN } from "@/features/tenancy/limits";

export const ROLES = ["member", "admin", "owner"] as const;
const CLOCK = /^([01]\d|2[0-3]):[0-5]\d$/;
const clock = z.string().regex(CLOCK, "Use HH:MM, 24-hour clock.");

export const profileSchema = z.object({
  name: z.string().trim().min(1, "Enter your name.").max(200, "Use at most 200 characters."),
});
export type ProfileValues = z.infer<typeof profileSchema>;

export const passwordSchema = z
  .object({
    current_password: z.string().min(1, "Enter your current password.").max(200),
    new_password: z
      .string()
      .min(PASSWORD_MIN, `Use at least ${PASSWORD_MIN} characters.`)
      .refine(
        (v) => new TextEncoder().encode(v).length <= PASSWORD_MAX_BYTES,
        `Use at most ${PASSWORD_MAX_BYTES} bytes.`,
      ),
    confirm: z.string(),
  })
  .refine((v) => v.new_password === v.confirm, {
    path: ["confirm"],
    message: "The two passwords differ.",
  });
export type PasswordValues = z.infer<typeof passwordSchema>;

export const HELP_REPLY_MAX = 320;

export const workspaceSchema = z.object({
  name: z.string().trim().min(1, "Name your workspace.").max(200, "Use at most 200 characters."),
  timezone: z.string().min(1, "Choose a time zone.").max(64),
  quiet_hours: z
    .object({ start: clock, end: clock })
    .refine((v) => v.start !== v.end, { path: ["end"], message: "Start and end must differ." }),
  help_reply: z
    .string()
    .max(HELP_REPLY_MAX, `Use at most ${HELP_REPLY_MAX} characters.`)
    .refine(
      (v) => !/[{}]/.test(v.replaceAll("{name}", "")),
      "The only placeholder allowed is {name}.",
    ),
});
export type WorkspaceValues = z.infer<typeof workspaceSchema>;

export const inviteSchema = z.object({
  email: z.email("Enter a valid email address.").max(320),
  role: z.enum(ROLES),
});
export type InviteValues = z.infer<typeof inviteSchema>;

export const apiKeySchema = z.object({
  name: z.string().trim().min(1, "Name the key (what uses it).").max(200),
  role: z.enum(ROLES),
});
export type ApiKeyValues = z.infer<typeof apiKeySchema>;

export const twilioSchema = z.object({
  account_sid: z
    .string()
    .trim()
    .regex(/^AC[0-9a-fA-F]{32}$/, "An Account SID is AC followed by 32 hexadecimal characters."),
  auth_token: z
    .string()
    .trim()
    .regex(/^[0-9a-fA-F]{32}$/, "An Auth Token is 32 hexadecimal characters."),
  messaging_service_sid: z
    .string()
    .trim()
    .regex(
      /^(MG[0-9a-fA-F]{32})?$/,
      "A Messaging Service SID is MG followed by 32 hexadecimal characters.",
    ),
});
export type TwilioValues = z.infer<typeof twilioSchema>;

// --- AI ------------------------------------------------------------------------------------

export const CRITERION_TYPES = ["string", "number", "integer", "boolean", "scale", "enum"] as const;
export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,99}$/;
const optionalModel = z
  .string()
  .trim()
  .refine((v) => v === "" || MODEL_ID.test(v), "Letters, digits and . _ : @ / - only.");

const criterionSchema = z
  .object({
    name: z
      .string()
      .regex(
        /^[a-z][a-z0-9_]{0,39}$/,
        "Lowercase letters, digits and _, starting with a letter (at most 40).",
      ),
    type: z.enum(CRITERION_TYPES),
    description: z.string().max(500, "Use at most 500 characters."),
    options: z.string(),
    min: z.number({ error: "Enter a number." }).int().min(-1000).max(1000),
    max: z.number({ error: "Enter a number." }).int().min(-1000).max(1000),
  })
  .superRefine((c, ctx) => {
    const options = splitList(c.options);
    if (c.type === "enum" && options.length === 0)
      ctx.addIssue({ code: "custom", path: ["options"], message: "List the allowed values." });
    if (c.type === "enum" && options.length > 20)
      ctx.addIssue({ code: "custom", path: ["options"], message: "At most 20 values." });
    if (c.type === "scale" && c.min >= c.max)
      ctx.addIssue({
        code: "custom",
        path: ["max"],
        message: "The highest value must be above the lowest.",
      });
  });

const windowSchema = z
  .object({
    days: z.array(z.enum(WEEKDAYS)).min(1, "Pick at least one day."),
    start: clock,
    end: clock,
  })
  .refine((w) => w.start !== w.end, { path: ["end"], message: "Start and end must differ." });

export const aiSchema = z
  .object({
    enabled: z.boolean(),
    mode: z.enum(["off", "suggest", "auto"]),
    model: optionalModel,
    qualification_model: optionalModel,
    persona: z.string().max(2000, "Use at most 2,000 characters."),
    instructions: z.string().max(4000, "Use at most 4,000 characters."),
    business_facts: z.string().max(8000, "Use at most 8,000 characters."),
    criteria: z.array(criterionSchema).max(20, "At most 20 criteria."),
    handoff_rules: z.object({
      keywords: z
        .string()
        .refine(
          (v) => splitList(v).every((k) => k.length <= 50),
          "Each keyword has at most 50 characters.",
        )
        .refine((v) => splitList(v).length <= 50, "At most 50 keywords."),
      negative_sentiment: z.boolean(),
      qualified_lead: z.boolean(),
      human_request: z.boolean(),
    }),
    active_hours_on: z.boolean(),
    active_hours: z.object({
      timezone: z.string(),
      windows: z.array(windowSchema).max(21),
    }),
    reply_delay_min_seconds: z
      .number({ error: "Enter a number of seconds." })
      .int()
      .min(0)
      .max(3600, "At most 3,600 seconds."),
    reply_delay_max_seconds: z
      .number({ error: "Enter a number of seconds." })
      .int()
      .min(0)
      .max(3600, "At most 3,600 seconds."),
    max_consecutive_replies: z
      .number({ error: "Enter a number." })
      .int()
      .min(1, "At least 1.")
      .max(100, "At most 100."),
  })
  .superRefine((v, ctx) => {
    if (v.reply_delay_min_seconds > v.reply_delay_max_seconds)
      ctx.addIssue({
        code: "custom",
        path: ["reply_delay_max_seconds"],
        message: "The longest delay must not be shorter than the shortest.",
      });
    const names = v.criteria.map((c) => c.name);
    names.forEach((name, i) => {
      if (name && names.indexOf(name) !== i)
        ctx.addIssue({
          code: "custom",
          path: ["criteria", i, "name"],
          message: "Names must be unique.",
        });
    });
    if (v.active_hours_on) {
      if (!v.active_hours.timezone)
        ctx.addIssue({
          code: "custom",
          path: ["active_hours", "timezone"],
          message: "Choose a time zone.",
        });
      if (v.active_hours.windows.length === 0)
        ctx.addIssue({
          code: "custom",
          path: ["active_hours", "windows"],
          message: "Add at least one window.",
        });
    }
  });
export type AiValues = z.infer<typeof aiSchema>;

export const tryAiSchema = z.object({
  message: z
    .string()
    .max(1600, "Use at most 1,600 characters.")
    .refine((v) => v.trim().length > 0, "Write a message a contact might send."),
});
export type TryAiValues = z.infer<typeof tryAiSchema>;

/** "a, b\nc" -> ["a", "b", "c"]: lists typed as text (enum options, keywords). */
export function splitList(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean);
}
