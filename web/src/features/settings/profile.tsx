"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useForm } from "react-hook-form";

import { applyProblem, problemMessage } from "@/api/problem";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Spinner } from "@/components/ui/states";
import { toast } from "@/components/ui/toast";
import { useResendVerification } from "@/features/tenancy/hooks";
import { PASSWORD_MIN } from "@/features/tenancy/limits";
import { useSession } from "@/features/tenancy/session";

import { useChangePassword, useUpdateProfile } from "./hooks";
import { type PasswordValues, passwordSchema, type ProfileValues, profileSchema } from "./schemas";
import { CardHeading, StatusBadge, FormActions, SectionHeader } from "./section";

function NameForm({ name }: { name: string }) {
  const update = useUpdateProfile();
  const form = useForm<ProfileValues>({
    resolver: zodResolver(profileSchema),
    values: { name },
    resetOptions: { keepDirtyValues: true },
  });
  const { errors, isSubmitting, isDirty } = form.formState;
  const onSubmit = form.handleSubmit(async (values) => {
    try {
      const user = await update.mutateAsync(values);
      form.reset({ name: user.name });
      toast.success("Name saved");
    } catch (error) {
      applyProblem(form, error, { fields: ["name"] });
    }
  });
  return (
    <form onSubmit={onSubmit} noValidate className="grid gap-4">
      <Field id="profile-name" label="Name" error={errors.name?.message}>
        <Input autoComplete="name" {...form.register("name")} />
      </Field>
      {errors.root?.server ? <Alert variant="error">{errors.root.server.message}</Alert> : null}
      <FormActions>
        <Button type="submit" disabled={isSubmitting || !isDirty}>
          {isSubmitting ? <Spinner className="text-primary-foreground" label="Saving" /> : null}
          Save name
        </Button>
      </FormActions>
    </form>
  );
}

function EmailStatus({ email, verified }: { email: string; verified: boolean }) {
  const resend = useResendVerification();
  return (
    <div className="grid gap-3">
      <div className="flex flex-wrap items-center gap-2">
        <span className="text-sm font-medium break-all">{email}</span>
        {verified ? (
          <StatusBadge tone="success">Verified</StatusBadge>
        ) : (
          <StatusBadge tone="warning">Not verified</StatusBadge>
        )}
      </div>
      {verified ? null : (
        <div className="flex flex-wrap items-center gap-3">
          <p className="text-sm text-muted-foreground">
            Open the link we emailed you to confirm this address.
          </p>
          <Button
            variant="outline"
            size="sm"
            disabled={resend.isPending || resend.isSuccess}
            onClick={() =>
              resend.mutate(undefined, {
                onSuccess: () => toast.success("Verification link sent", `Check ${email}.`),
                onError: (error) => toast.error("Could not send the link", problemMessage(error)),
              })
            }
          >
            {resend.isSuccess ? "Link sent" : "Resend verification email"}
          </Button>
        </div>
      )}
    </div>
  );
}

function PasswordForm({ email }: { email: string }) {
  const change = useChangePassword();
  const form = useForm<PasswordValues>({
    resolver: zodResolver(passwordSchema),
    defaultValues: { current_password: "", new_password: "", confirm: "" },
  });
  const { errors, isSubmitting } = form.formState;
  const onSubmit = form.handleSubmit(async ({ current_password, new_password }) => {
    try {
      await change.mutateAsync({ current_password, new_password });
      form.reset();
      toast.success("Password changed", "Your other sessions were signed out.");
    } catch (error) {
      applyProblem(form, error, {
        fields: ["current_password", "new_password"],
        slugs: { "rate-limited": "current_password" },
      });
    }
  });
  return (
    <form onSubmit={onSubmit} noValidate className="grid gap-4">
      {/* Lets password managers tie the new password to the account. */}
      <input
        type="email"
        autoComplete="username"
        value={email}
        readOnly
        hidden
        aria-hidden="true"
      />
      <Field
        id="current-password"
        label="Current password"
        error={errors.current_password?.message}
      >
        <Input
          type="password"
          autoComplete="current-password"
          {...form.register("current_password")}
        />
      </Field>
      <Field
        id="new-password"
        label="New password"
        error={errors.new_password?.message}
        hint={`At least ${PASSWORD_MIN} characters; not a common password.`}
      >
        <Input type="password" autoComplete="new-password" {...form.register("new_password")} />
      </Field>
      <Field id="confirm-password" label="Repeat the new password" error={errors.confirm?.message}>
        <Input type="password" autoComplete="new-password" {...form.register("confirm")} />
      </Field>
      {change.isSuccess && !form.formState.isDirty ? (
        <Alert variant="success">
          Your password was changed. Every other browser and device signed in with it was signed
          out; this one stays signed in.
        </Alert>
      ) : null}
      {errors.root?.server ? <Alert variant="error">{errors.root.server.message}</Alert> : null}
      <FormActions>
        <Button type="submit" disabled={isSubmitting}>
          {isSubmitting ? <Spinner className="text-primary-foreground" label="Saving" /> : null}
          Change password
        </Button>
      </FormActions>
    </form>
  );
}

export function ProfileSettings() {
  const user = useSession((s) => s.me?.user);
  if (!user) {
    return (
      <>
        <SectionHeader title="Profile" />
        <Alert variant="info">This session uses an API key: it has no profile.</Alert>
      </>
    );
  }
  return (
    <>
      <SectionHeader
        title="Profile"
        description="How you appear to your team, and how you sign in."
      />
      <div className="grid max-w-2xl grid-cols-[minmax(0,1fr)] gap-6">
        <Card>
          <CardHeader>
            <CardHeading>
              <span className="sr-only">Your </span>Name
            </CardHeading>
            <CardDescription>Shown to the members of your workspaces.</CardDescription>
          </CardHeader>
          <CardContent>
            <NameForm name={user.name} />
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardHeading>Email</CardHeading>
            <CardDescription>Where sign-in links, invitations and alerts go.</CardDescription>
          </CardHeader>
          <CardContent>
            <EmailStatus email={user.email} verified={user.email_verified} />
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardHeading>Password</CardHeading>
            <CardDescription>
              Changing it signs you out everywhere else (other browsers, phones); this session stays
              signed in.
            </CardDescription>
          </CardHeader>
          <CardContent>
            <PasswordForm email={user.email} />
          </CardContent>
        </Card>
      </div>
    </>
  );
}
