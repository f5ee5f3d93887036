import { z } from "zod";

/** The API's limits (shared/templates/schemas.py): name 1-200, body 1-1600 characters. */
export const MAX_BODY = 1600;

export const templateSchema = z.object({
  name: z.string().trim().min(1, "Give the template a name.").max(200, "At most 200 characters."),
  body: z
    .string()
    .refine((v) => v.trim().length > 0, "Write the message.")
    .refine((v) => v.length <= MAX_BODY, `At most ${MAX_BODY} characters.`),
});

export type TemplateValues = z.infer<typeof templateSchema>;
