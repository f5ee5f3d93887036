"use client";

import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { useEffect } from "react";
import { useForm } from "react-hook-form";

import { applyProblem } from "@/api/problem";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Spinner } from "@/components/ui/states";
import { lazyZodResolver } from "@/lib/forms";
import { safeNext } from "@/lib/navigation";

import { useLogin } from "./hooks";
import type { LoginValues } from "./schemas";
import { useSession } from "./session";

export function LoginForm() {
  const router = useRouter();
  const params = useSearchParams();
  const next = safeNext(params.get("next"));
  const status = useSession((s) => s.status);
  const reason = useSession((s) => s.reason);
  const login = useLogin();
  const form = useForm<LoginValues>({
    resolver: lazyZodResolver(() => import("./schemas").then((m) => m.loginSchema)),
    defaultValues: { email: params.get("email") ?? "", password: "" },
  });
  const { errors, isSubmitting } = form.formState;

  useEffect(() => {
    if (status === "signed-in") router.replace(next);
  }, [status, next, router]);

  const onSubmit = form.handleSubmit(async (values) => {
    try {
      await login.mutateAsync(values);
    } catch (error) {
      // A refused login (401) and throttling (429) belong to the password field.
      applyProblem(form, error, {
        fields: ["email", "password"],
        slugs: { unauthorized: "password", "rate-limited": "password", "no-workspace": "email" },
      });
    }
  });

  return (
    <form onSubmit={onSubmit} noValidate className="grid gap-4">
      {reason === "expired" ? (
        <Alert variant="warning">Your session ended. Log in again to continue.</Alert>
      ) : null}
      <Field id="email" label="Email" error={errors.email?.message}>
        <Input type="email" autoComplete="email" autoFocus {...form.register("email")} />
      </Field>
      <Field
        id="password"
        label="Password"
        error={errors.password?.message}
        aside={
          <Link
            href="/forgot-password"
            className="text-xs font-medium text-primary hover:underline"
          >
            Forgot password?
          </Link>
        }
      >
        <Input type="password" autoComplete="current-password" {...form.register("password")} />
      </Field>
      {errors.root?.server ? <Alert variant="error">{errors.root.server.message}</Alert> : null}
      <Button type="submit" disabled={isSubmitting} className="mt-1 w-full">
        {isSubmitting ? <Spinner className="text-primary-foreground" label="Logging in" /> : null}
        Log in
      </Button>
      <p className="text-center text-sm text-muted-foreground">
        New here?{" "}
        <Link
          href={next === "/dashboard" ? "/signup" : `/signup?next=${encodeURIComponent(next)}`}
          className="font-medium text-primary hover:underline"
        >
          Create an account
        </Link>
      </p>
    </form>
  );
}
