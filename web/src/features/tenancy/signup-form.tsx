"use client";

import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { useEffect } from "react";
import { useForm } from "react-hook-form";

import { ApiProblem, applyProblem } from "@/api/problem";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Spinner } from "@/components/ui/states";
import { lazyZodResolver } from "@/lib/forms";
import { safeNext } from "@/lib/navigation";

import { useSignup } from "./hooks";
import { PASSWORD_MIN } from "./limits";
import type { SignupValues } from "./schemas";
import { useSession } from "./session";

const FIELDS = ["name", "email", "password", "workspace_name"] as const;

export function SignupForm() {
  const router = useRouter();
  const params = useSearchParams();
  const next = safeNext(params.get("next"));
  const signup = useSignup();
  const form = useForm<SignupValues>({
    resolver: lazyZodResolver(() => import("./schemas").then((m) => m.signupSchema)),
    defaultValues: { name: "", email: params.get("email") ?? "", password: "", workspace_name: "" },
  });
  const { errors, isSubmitting } = form.formState;
  const status = useSession((s) => s.status);

  useEffect(() => {
    // Already signed in (another tab, a reload): go where the person was heading.
    if (status === "signed-in" && !signup.isPending && !signup.isSuccess) router.replace(next);
  }, [status, next, router, signup.isPending, signup.isSuccess]);

  const onSubmit = form.handleSubmit(async (values) => {
    try {
      await signup.mutateAsync(values);
      router.replace(next);
    } catch (error) {
      if (error instanceof ApiProblem && error.status === 401) {
        // Signup said nothing (no account enumeration); the login after it did.
        form.setError("email", {
          message:
            "This email already has an account (we emailed its owner). Log in, or reset the password.",
        });
        return;
      }
      applyProblem(form, error, {
        fields: FIELDS,
        slugs: { "email-taken": "email", "rate-limited": "email" },
      });
    }
  });

  return (
    <form onSubmit={onSubmit} noValidate className="grid gap-4">
      <Field id="name" label="Your name" error={errors.name?.message}>
        <Input autoComplete="name" autoFocus {...form.register("name")} />
      </Field>
      <Field id="email" label="Work email" error={errors.email?.message}>
        <Input type="email" autoComplete="email" {...form.register("email")} />
      </Field>
      <Field
        id="password"
        label="Password"
        error={errors.password?.message}
        hint={`At least ${PASSWORD_MIN} characters; avoid common passwords.`}
      >
        <Input type="password" autoComplete="new-password" {...form.register("password")} />
      </Field>
      <Field
        id="workspace_name"
        label="Workspace name"
        error={errors.workspace_name?.message}
        hint="Usually your company or brand. You can invite your team later."
      >
        <Input autoComplete="organization" {...form.register("workspace_name")} />
      </Field>
      {errors.root?.server ? <Alert variant="error">{errors.root.server.message}</Alert> : null}
      <Button type="submit" disabled={isSubmitting} className="mt-1 w-full">
        {isSubmitting ? (
          <Spinner className="text-primary-foreground" label="Creating your account" />
        ) : null}
        Create account
      </Button>
      <p className="text-center text-sm text-muted-foreground">
        Already have an account?{" "}
        <Link
          href={next === "/dashboard" ? "/login" : `/login?next=${encodeURIComponent(next)}`}
          className="font-medium text-primary hover:underline"
        >
          Log in
        </Link>
      </p>
    </form>
  );
}
