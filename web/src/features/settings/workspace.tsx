"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useForm, useWatch } from "react-hook-form";

import { applyProblem, problemMessage } from "@/api/problem";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { ErrorState, LoadingState, Spinner } from "@/components/ui/states";
import { Textarea } from "@/components/ui/textarea";
import { toast } from "@/components/ui/toast";
import { atLeast } from "@/features/tenancy/roles";
import { useRole } from "@/features/tenancy/session";

import { useUpdateWorkspaceSettings, useWorkspaceSettings, type WorkspaceSettings } from "./hooks";
import { HELP_REPLY_MAX, type WorkspaceValues, workspaceSchema } from "./schemas";
import { CardHeading, FormActions, SectionHeader } from "./section";
import { TimeZoneInput } from "./time-zone-input";
import { timeZones } from "./time-zones";

const FIELDS = ["name", "timezone", "quiet_hours", "help_reply"] as const;

function toValues(settings: WorkspaceSettings): WorkspaceValues {
  return {
    name: settings.name,
    timezone: settings.timezone,
    quiet_hours: {
      start: settings.quiet_hours.start ?? "08:00",
      end: settings.quiet_hours.end ?? "21:00",
    },
    help_reply: settings.help_reply ?? "",
  };
}

function WorkspaceForm({ settings, canEdit }: { settings: WorkspaceSettings; canEdit: boolean }) {
  const update = useUpdateWorkspaceSettings();
  const form = useForm<WorkspaceValues>({
    resolver: zodResolver(workspaceSchema),
    values: toValues(settings),
    resetOptions: { keepDirtyValues: true },
  });
  const { errors, isSubmitting, isDirty } = form.formState;
  const [helpReply, name] = useWatch({ control: form.control, name: ["help_reply", "name"] });
  const preview = (helpReply.trim() || settings.default_help_reply).replaceAll(
    "{name}",
    name || settings.name,
  );

  const onSubmit = form.handleSubmit(async (values) => {
    if (!timeZones().includes(values.timezone)) {
      form.setError("timezone", { message: "Choose a time zone from the list." });
      return;
    }
    try {
      const saved = await update.mutateAsync({
        name: values.name,
        timezone: values.timezone,
        quiet_hours: values.quiet_hours,
        help_reply: values.help_reply.trim() || null,
      });
      form.reset(toValues(saved));
      toast.success("Workspace settings saved");
    } catch (error) {
      applyProblem(form, error, { fields: FIELDS });
    }
  });

  return (
    <form onSubmit={onSubmit} noValidate className="grid max-w-2xl grid-cols-[minmax(0,1fr)] gap-6">
      <fieldset disabled={!canEdit} className="contents">
        <Card>
          <CardHeader>
            <CardHeading>General</CardHeading>
          </CardHeader>
          <CardContent className="grid gap-4">
            <Field
              id="ws-name"
              label="Workspace name"
              error={errors.name?.message}
              hint="Shown to your team, and as {name} in keyword replies."
            >
              <Input {...form.register("name")} />
            </Field>
            <Field
              id="ws-timezone"
              label="Time zone"
              error={errors.timezone?.message}
              hint="Reports and the AI's active hours use it unless they set their own."
            >
              <TimeZoneInput {...form.register("timezone")} />
            </Field>
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardHeading>Default quiet hours</CardHeading>
            <CardDescription>
              New campaigns send only inside this window, in each contact&apos;s own time zone. A
              campaign can change it for itself.
            </CardDescription>
          </CardHeader>
          <CardContent className="grid gap-4 sm:grid-cols-2">
            <Field
              id="ws-quiet-start"
              label="Sending starts at"
              error={errors.quiet_hours?.start?.message}
            >
              <Input type="time" {...form.register("quiet_hours.start")} />
            </Field>
            <Field
              id="ws-quiet-end"
              label="Sending stops at"
              error={errors.quiet_hours?.end?.message ?? errors.quiet_hours?.message}
            >
              <Input type="time" {...form.register("quiet_hours.end")} />
            </Field>
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardHeading>HELP reply</CardHeading>
            <CardDescription>
              Sent when a contact texts HELP or INFO. Carriers require it to name your business and
              say how to opt out.
            </CardDescription>
          </CardHeader>
          <CardContent className="grid gap-4">
            <Field
              id="ws-help-reply"
              label="Reply text"
              error={errors.help_reply?.message}
              hint={`Leave empty for the default. {name} becomes the workspace name. ${helpReply.length}/${HELP_REPLY_MAX}`}
            >
              <Textarea
                rows={3}
                placeholder={settings.default_help_reply}
                maxLength={HELP_REPLY_MAX + 50}
                {...form.register("help_reply")}
              />
            </Field>
            <div className="grid gap-1">
              <p className="text-xs font-medium text-muted-foreground">What the contact receives</p>
              <p className="rounded-md border bg-muted/50 px-3 py-2 text-sm">{preview}</p>
            </div>
          </CardContent>
        </Card>
      </fieldset>
      {errors.root?.server ? <Alert variant="error">{errors.root.server.message}</Alert> : null}
      {canEdit ? (
        <FormActions>
          <Button
            type="button"
            variant="outline"
            disabled={!isDirty || isSubmitting}
            onClick={() => form.reset(toValues(settings))}
          >
            Discard changes
          </Button>
          <Button type="submit" disabled={isSubmitting || !isDirty}>
            {isSubmitting ? <Spinner className="text-primary-foreground" label="Saving" /> : null}
            Save changes
          </Button>
        </FormActions>
      ) : null}
    </form>
  );
}

export function WorkspaceSettingsSection() {
  const role = useRole();
  const settings = useWorkspaceSettings();
  const canEdit = atLeast(role, "admin");
  return (
    <>
      <SectionHeader
        title="Workspace"
        description="The workspace's name, its clock, when campaigns may send, and the HELP answer."
      />
      {!canEdit ? (
        <Alert variant="info" className="mb-4 max-w-2xl">
          Only admins and owners can change these settings.
        </Alert>
      ) : null}
      {settings.isPending ? (
        <LoadingState rows={6} label="Loading workspace settings" className="max-w-2xl" />
      ) : settings.isError ? (
        <ErrorState
          error={problemMessage(settings.error)}
          onRetry={() => void settings.refetch()}
        />
      ) : (
        <WorkspaceForm settings={settings.data} canEdit={canEdit} />
      )}
    </>
  );
}
