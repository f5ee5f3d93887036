import { z } from "zod";

import { MPS_MAX } from "./status";

/** The API's limits (shared/messaging/schemas.py): PoolIn, NumberPatch.mps, AvailableQuery. */
export const poolSchema = z.object({
  name: z.string().trim().min(1, "Give the pool a name.").max(200, "At most 200 characters."),
  description: z.string().max(2000, "At most 2000 characters."),
  sticky: z.boolean(),
  numberIds: z.array(z.string()).max(5000),
});
export type PoolValues = z.infer<typeof poolSchema>;

export const mpsSchema = z.object({
  mps: z.coerce
    .number({ message: "A number of messages per second." })
    .gt(0, "More than 0.")
    .max(MPS_MAX, `At most ${MPS_MAX}.`),
});
export type MpsValues = z.input<typeof mpsSchema>;

export const searchSchema = z.object({
  area_code: z.string().regex(/^([0-9]{3})?$/, "Three digits, e.g. 415."),
  contains: z.string().regex(/^[0-9*]{0,10}$/, "Up to 10 digits (* for any digit)."),
});
export type SearchValues = z.infer<typeof searchSchema>;
