/** Form schemas of the identity pages, with the API's limits (shared/tenancy/schemas.py).
 * zod/mini: the same validation as zod, a fraction of the bytes on the signed-out pages. */
import * as z from "zod/mini";

import { PASSWORD_MAX_BYTES, PASSWORD_MIN } from "./limits";

const newPassword = z.string().check(
  z.minLength(PASSWORD_MIN, `Use at least ${PASSWORD_MIN} characters.`),
  z.refine(
    (value) => new TextEncoder().encode(value).length <= PASSWORD_MAX_BYTES,
    `Use at most ${PASSWORD_MAX_BYTES} bytes.`,
  ),
);

const email = z
  .string()
  .check(z.trim(), z.minLength(1, "Enter your email address."), z.maxLength(320));

export const loginSchema = z.object({
  email,
  password: z.string().check(z.minLength(1, "Enter your password."), z.maxLength(200)),
});
export type LoginValues = z.infer<typeof loginSchema>;

export const signupSchema = z.object({
  name: z.string().check(z.trim(), z.minLength(1, "Enter your name."), z.maxLength(200)),
  email: z.string().check(z.trim(), z.email("Enter a valid email address."), z.maxLength(320)),
  password: newPassword,
  workspace_name: z
    .string()
    .check(z.trim(), z.minLength(1, "Name your workspace."), z.maxLength(200)),
});
export type SignupValues = z.infer<typeof signupSchema>;

export const forgotSchema = z.object({ email });
export type ForgotValues = z.infer<typeof forgotSchema>;

export const resetSchema = z.object({ password: newPassword, confirm: z.string() }).check(
  z.refine((v) => v.password === v.confirm, {
    path: ["confirm"],
    message: "The two passwords differ.",
  }),
);
export type ResetValues = z.infer<typeof resetSchema>;
