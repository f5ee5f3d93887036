/** Form schemas of the identity pages, with the API's limits (shared/tenancy/schemas.py). */
import { z } from "zod";

/** shared/tenancy/passwords.py: at least 10 characters, at most 72 bytes (bcrypt). */
export const PASSWORD_MIN = 10;
const PASSWORD_MAX_BYTES = 72;

const newPassword = z
  .string()
  .min(PASSWORD_MIN, `Use at least ${PASSWORD_MIN} characters.`)
  .refine(
    (value) => new TextEncoder().encode(value).length <= PASSWORD_MAX_BYTES,
    `Use at most ${PASSWORD_MAX_BYTES} bytes.`,
  );

const email = z.string().trim().min(1, "Enter your email address.").max(320);

export const loginSchema = z.object({
  email,
  password: z.string().min(1, "Enter your password.").max(200),
});
export type LoginValues = z.infer<typeof loginSchema>;

export const signupSchema = z.object({
  name: z.string().trim().min(1, "Enter your name.").max(200),
  email: z.email("Enter a valid email address.").max(320),
  password: newPassword,
  workspace_name: z.string().trim().min(1, "Name your workspace.").max(200),
});
export type SignupValues = z.infer<typeof signupSchema>;

export const forgotSchema = z.object({ email });
export type ForgotValues = z.infer<typeof forgotSchema>;

export const resetSchema = z
  .object({ password: newPassword, confirm: z.string() })
  .refine((v) => v.password === v.confirm, {
    path: ["confirm"],
    message: "The two passwords differ.",
  });
export type ResetValues = z.infer<typeof resetSchema>;
