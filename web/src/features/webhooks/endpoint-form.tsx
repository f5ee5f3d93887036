"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useForm, useWatch } from "react-hook-form";

import { applyProblem } from "@/api/problem";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { DialogFooter } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Spinner } from "@/components/ui/states";
import { Textarea } from "@/components/ui/textarea";

import { EventPicker } from "./event-picker";
import {
  DESCRIPTION_MAX,
  URL_MAX,
  endpointBody,
  endpointSchema,
  type EndpointValues,
} from "./schemas";

const FIELDS = ["url", "description", "event_types"] as const;

/**
 * Create or edit an endpoint. A refused save keeps what was typed and shows the API's
 * problem next to its field (an unreachable or private address on the URL, an unknown
 * event type on the picker).
 */
export function EndpointForm({
  defaultValues,
  submitLabel,
  onSubmit,
  onCancel,
}: {
  defaultValues: EndpointValues;
  submitLabel: string;
  onSubmit: (body: ReturnType<typeof endpointBody>) => Promise<unknown>;
  onCancel: () => void;
}) {
  const form = useForm<EndpointValues>({ resolver: zodResolver(endpointSchema), defaultValues });
  const { errors, isSubmitting } = form.formState;
  const allEvents = useWatch({ control: form.control, name: "all_events" });
  const eventTypes = useWatch({ control: form.control, name: "event_types" });
  const eventsError =
    errors.event_types?.message ??
    (Array.isArray(errors.event_types)
      ? errors.event_types.find((e) => e?.message)?.message
      : undefined) ??
    errors.event_types?.root?.message;

  const submit = form.handleSubmit(async (values) => {
    try {
      await onSubmit(endpointBody(values));
    } catch (error) {
      applyProblem(form, error, {
        fields: FIELDS,
        slugs: { "forbidden-address": "url", "unknown-event-type": "event_types" },
      });
    }
  });

  return (
    <form onSubmit={submit} noValidate className="grid gap-4">
      <Field
        id="endpoint-url"
        label="Endpoint URL"
        error={errors.url?.message}
        hint="Events are POSTed here, signed. HTTPS is required outside the local environment."
      >
        <Input
          type="url"
          inputMode="url"
          autoComplete="off"
          placeholder="https://example.com/webhooks/sms"
          maxLength={URL_MAX}
          autoFocus
          {...form.register("url")}
        />
      </Field>
      <Field id="endpoint-description" label="Description" error={errors.description?.message}>
        <Textarea
          rows={2}
          maxLength={DESCRIPTION_MAX}
          placeholder="What receives these events (optional)"
          {...form.register("description")}
        />
      </Field>
      <div className="grid gap-1.5">
        <EventPicker
          allEvents={allEvents}
          onAllEventsChange={(value) => {
            form.setValue("all_events", value, { shouldDirty: true });
            form.clearErrors("event_types");
          }}
          selected={eventTypes}
          onSelectedChange={(value) => {
            form.setValue("event_types", value, { shouldDirty: true });
            form.clearErrors("event_types");
          }}
          errorId={eventsError ? "endpoint-events-error" : undefined}
          invalid={Boolean(eventsError)}
        />
        {eventsError ? (
          <p
            id="endpoint-events-error"
            role="alert"
            className="text-xs font-medium text-destructive"
          >
            {eventsError}
          </p>
        ) : null}
      </div>
      {errors.root?.server ? <Alert variant="error">{errors.root.server.message}</Alert> : null}
      <DialogFooter>
        <Button type="button" variant="outline" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit" disabled={isSubmitting}>
          {isSubmitting ? <Spinner className="text-primary-foreground" label="Saving" /> : null}
          {submitLabel}
        </Button>
      </DialogFooter>
    </form>
  );
}
