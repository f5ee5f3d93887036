"use client";

import { MailCheck } from "lucide-react";
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { useForm } from "react-hook-form";

import { applyProblem } from "@/api/problem";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Spinner } from "@/components/ui/states";
import { lazyZodResolver } from "@/lib/forms";

import { useForgotPassword, useResetPassword } from "./hooks";
import { PASSWORD_MIN } from "./limits";
import type { ForgotValues, ResetValues } from "./schemas";

export function ForgotPasswordForm() {
  const forgot = useForgotPassword();
  const form = useForm<ForgotValues>({
    resolver: lazyZodResolver(() => import("./schemas").then((m) => m.forgotSchema)),
    defaultValues: { email: "" },
  });
  const { errors, isSubmitting } = form.formState;

  if (forgot.isSuccess) {
    return (
      <Alert variant="success">
        <MailCheck aria-hidden="true" />
        <span>
          If an account uses <strong>{form.getValues("email")}</strong>, a reset link is on its way.
          It is valid for one hour.
        </span>
      </Alert>
    );
  }

  const onSubmit = form.handleSubmit(async (values) => {
    try {
      await forgot.mutateAsync(values);
    } catch (error) {
      applyProblem(form, error, { fields: ["email"], slugs: { "rate-limited": "email" } });
    }
  });

  return (
    <form onSubmit={onSubmit} noValidate className="grid gap-4">
      <Field id="email" label="Email" error={errors.email?.message}>
        <Input type="email" autoComplete="email" autoFocus {...form.register("email")} />
      </Field>
      {errors.root?.server ? <Alert variant="error">{errors.root.server.message}</Alert> : null}
      <Button type="submit" disabled={isSubmitting} className="w-full">
        {isSubmitting ? <Spinner className="text-primary-foreground" label="Sending" /> : null}
        Email me a reset link
      </Button>
      <p className="text-center text-sm">
        <Link href="/login" className="font-medium text-primary hover:underline">
          Back to log in
        </Link>
      </p>
    </form>
  );
}

export function ResetPasswordForm() {
  const token = useSearchParams().get("token") ?? "";
  const reset = useResetPassword();
  const form = useForm<ResetValues>({
    resolver: lazyZodResolver(() => import("./schemas").then((m) => m.resetSchema)),
    defaultValues: { password: "", confirm: "" },
  });
  const { errors, isSubmitting } = form.formState;

  if (!token) {
    return (
      <Alert variant="error">
        This link has no reset token. Open the link from the email again, or{" "}
        <Link href="/forgot-password" className="underline">
          ask for a new one
        </Link>
        .
      </Alert>
    );
  }
  if (reset.isSuccess) {
    return (
      <div className="grid gap-4">
        <Alert variant="success">Your password has been changed. Every session was ended.</Alert>
        <Button asChild className="w-full">
          <Link href="/login">Log in</Link>
        </Button>
      </div>
    );
  }

  const onSubmit = form.handleSubmit(async ({ password }) => {
    try {
      await reset.mutateAsync({ token, password });
    } catch (error) {
      applyProblem(form, error, { fields: ["password"] });
    }
  });

  return (
    <form onSubmit={onSubmit} noValidate className="grid gap-4">
      <Field
        id="password"
        label="New password"
        error={errors.password?.message}
        hint={`At least ${PASSWORD_MIN} characters.`}
      >
        <Input
          type="password"
          autoComplete="new-password"
          autoFocus
          {...form.register("password")}
        />
      </Field>
      <Field id="confirm" label="Repeat the new password" error={errors.confirm?.message}>
        <Input type="password" autoComplete="new-password" {...form.register("confirm")} />
      </Field>
      {errors.root?.server ? (
        <Alert variant="error">
          <span>
            {errors.root.server.message}{" "}
            <Link href="/forgot-password" className="underline">
              Ask for a new link
            </Link>
            .
          </span>
        </Alert>
      ) : null}
      <Button type="submit" disabled={isSubmitting} className="w-full">
        {isSubmitting ? <Spinner className="text-primary-foreground" label="Saving" /> : null}
        Set new password
      </Button>
    </form>
  );
}
