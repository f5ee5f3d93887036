"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { Bot, Plus, Sparkles, Trash2, TriangleAlert } from "lucide-react";
import { useState } from "react";
import {
  type Control,
  type FieldErrors,
  useFieldArray,
  useForm,
  type UseFormRegister,
  useWatch,
} from "react-hook-form";

import { ApiProblem, applyProblem, fieldErrors, problemMessage } from "@/api/problem";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { ErrorState, LoadingState, Spinner } from "@/components/ui/states";
import { Textarea } from "@/components/ui/textarea";
import { toast } from "@/components/ui/toast";
import { atLeast } from "@/features/tenancy/roles";
import { useRole } from "@/features/tenancy/session";
import { formatPercent } from "@/lib/format";

import { DEFAULT_WINDOW, toFormValues, toPayload } from "./ai-form-values";
import {
  type AiConfig,
  type AiTryOut,
  useAiConfig,
  useSaveAiConfig,
  useTryAi,
  useWorkspaceSettings,
} from "./hooks";
import {
  type AiValues,
  aiSchema,
  CRITERION_TYPES,
  type TryAiValues,
  tryAiSchema,
  WEEKDAYS,
} from "./schemas";
import { CardHeading, FormActions, SectionHeader } from "./section";
import { TimeZoneInput } from "./time-zone-input";

const FIELDS = [
  "enabled",
  "mode",
  "model",
  "qualification_model",
  "persona",
  "instructions",
  "business_facts",
  "criteria",
  "handoff_rules",
  "active_hours",
  "reply_delay_min_seconds",
  "reply_delay_max_seconds",
  "max_consecutive_replies",
] as const;

const MODES = [
  { value: "off", label: "Off", hint: "The AI writes nothing, even when enabled." },
  {
    value: "suggest",
    label: "Suggest",
    hint: "Drafts wait in the inbox for an agent to approve, edit or discard.",
  },
  {
    value: "auto",
    label: "Auto-reply",
    hint: "Replies are sent on their own, within the limits below.",
  },
] as const;

const TYPE_LABELS: Record<(typeof CRITERION_TYPES)[number], string> = {
  string: "Text",
  number: "Number",
  integer: "Whole number",
  boolean: "Yes / no",
  scale: "Scale",
  enum: "One of a list",
};

const DAY_LABELS: Record<(typeof WEEKDAYS)[number], string> = {
  mon: "Mon",
  tue: "Tue",
  wed: "Wed",
  thu: "Thu",
  fri: "Fri",
  sat: "Sat",
  sun: "Sun",
};

function Counter({
  control,
  name,
  max,
}: {
  control: Control<AiValues>;
  name: "persona" | "instructions" | "business_facts";
  max: number;
}) {
  const value = useWatch({ control, name });
  return (
    <span className={value.length > max ? "text-destructive" : undefined}>
      {value.length.toLocaleString("en-US")} / {max.toLocaleString("en-US")}
    </span>
  );
}

function CriteriaEditor({
  control,
  register,
  errors,
}: {
  control: Control<AiValues>;
  register: UseFormRegister<AiValues>;
  errors: FieldErrors<AiValues>;
}) {
  const { fields, append, remove } = useFieldArray({ control, name: "criteria" });
  const types = useWatch({ control, name: "criteria" });
  return (
    <div className="grid gap-4">
      {fields.length === 0 ? (
        <p className="text-sm text-muted-foreground">
          No criteria: the AI only answers. Add what a good lead must tell you (budget, timing,
          interest) and the AI fills it in as the conversation reveals it.
        </p>
      ) : null}
      {fields.map((field, i) => {
        const type = types[i]?.type ?? "string";
        const e = errors.criteria?.[i];
        return (
          <fieldset key={field.id} className="grid gap-3 rounded-lg border p-4">
            <legend className="px-1 text-sm font-medium">Criterion {i + 1}</legend>
            <div className="grid gap-3 sm:grid-cols-2">
              <Field
                id={`criterion-${i}-name`}
                label="Field name"
                error={e?.name?.message}
                hint="budget, move_in_date…"
              >
                <Input
                  autoComplete="off"
                  spellCheck={false}
                  className="font-mono"
                  {...register(`criteria.${i}.name`)}
                />
              </Field>
              <Field id={`criterion-${i}-type`} label="Type" error={e?.type?.message}>
                <Select {...register(`criteria.${i}.type`)}>
                  {CRITERION_TYPES.map((t) => (
                    <option key={t} value={t}>
                      {TYPE_LABELS[t]}
                    </option>
                  ))}
                </Select>
              </Field>
            </div>
            <Field
              id={`criterion-${i}-description`}
              label="What it means"
              error={e?.description?.message}
            >
              <Input
                autoComplete="off"
                placeholder="Monthly budget in USD"
                {...register(`criteria.${i}.description`)}
              />
            </Field>
            {type === "enum" ? (
              <Field
                id={`criterion-${i}-options`}
                label="Allowed values"
                error={e?.options?.message}
                hint="Separated by commas: basic, pro, enterprise."
              >
                <Input autoComplete="off" {...register(`criteria.${i}.options`)} />
              </Field>
            ) : null}
            {type === "scale" ? (
              <div className="grid gap-3 sm:grid-cols-2">
                <Field id={`criterion-${i}-min`} label="Lowest" error={e?.min?.message}>
                  <Input
                    type="number"
                    inputMode="numeric"
                    {...register(`criteria.${i}.min`, { valueAsNumber: true })}
                  />
                </Field>
                <Field id={`criterion-${i}-max`} label="Highest" error={e?.max?.message}>
                  <Input
                    type="number"
                    inputMode="numeric"
                    {...register(`criteria.${i}.max`, { valueAsNumber: true })}
                  />
                </Field>
              </div>
            ) : null}
            <div className="flex justify-end">
              <Button
                type="button"
                variant="ghost"
                size="sm"
                onClick={() => remove(i)}
                aria-label={`Remove criterion ${i + 1}`}
              >
                <Trash2 aria-hidden="true" />
                Remove
              </Button>
            </div>
          </fieldset>
        );
      })}
      {errors.criteria?.root?.message || errors.criteria?.message ? (
        <p role="alert" className="text-xs font-medium text-destructive">
          {errors.criteria.root?.message ?? errors.criteria.message}
        </p>
      ) : null}
      <div>
        <Button
          type="button"
          variant="outline"
          size="sm"
          disabled={fields.length >= 20}
          onClick={() =>
            append({ name: "", type: "string", description: "", options: "", min: 1, max: 5 })
          }
        >
          <Plus aria-hidden="true" />
          Add a criterion
        </Button>
      </div>
    </div>
  );
}

function ActiveHoursEditor({
  control,
  register,
  errors,
}: {
  control: Control<AiValues>;
  register: UseFormRegister<AiValues>;
  errors: FieldErrors<AiValues>;
}) {
  const on = useWatch({ control, name: "active_hours_on" });
  const { fields, append, remove } = useFieldArray({ control, name: "active_hours.windows" });
  const e = errors.active_hours;
  return (
    <div className="grid gap-4">
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" className="size-4 accent-primary" {...register("active_hours_on")} />
        Reply only at certain hours (otherwise at any hour)
      </label>
      {on ? (
        <>
          <Field
            id="ai-active-timezone"
            label="Time zone of these hours"
            error={e?.timezone?.message}
          >
            <TimeZoneInput {...register("active_hours.timezone")} />
          </Field>
          {fields.map((field, i) => {
            const we = e?.windows?.[i];
            return (
              <fieldset key={field.id} className="grid gap-3 rounded-lg border p-4">
                <legend className="px-1 text-sm font-medium">Window {i + 1}</legend>
                <div
                  className="flex flex-wrap gap-x-4 gap-y-2"
                  role="group"
                  aria-label={`Days of window ${i + 1}`}
                >
                  {WEEKDAYS.map((day) => (
                    <label key={day} className="flex items-center gap-1.5 text-sm">
                      <input
                        type="checkbox"
                        value={day}
                        className="size-4 accent-primary"
                        {...register(`active_hours.windows.${i}.days`)}
                      />
                      {DAY_LABELS[day]}
                    </label>
                  ))}
                </div>
                {we?.days?.message ? (
                  <p role="alert" className="text-xs font-medium text-destructive">
                    {we.days.message}
                  </p>
                ) : null}
                <div className="grid gap-3 sm:grid-cols-2">
                  <Field id={`window-${i}-start`} label="From" error={we?.start?.message}>
                    <Input type="time" {...register(`active_hours.windows.${i}.start`)} />
                  </Field>
                  <Field
                    id={`window-${i}-end`}
                    label="Until"
                    error={we?.end?.message}
                    hint="Earlier than “From” runs past midnight."
                  >
                    <Input type="time" {...register(`active_hours.windows.${i}.end`)} />
                  </Field>
                </div>
                {fields.length > 1 ? (
                  <div className="flex justify-end">
                    <Button
                      type="button"
                      variant="ghost"
                      size="sm"
                      onClick={() => remove(i)}
                      aria-label={`Remove window ${i + 1}`}
                    >
                      <Trash2 aria-hidden="true" />
                      Remove
                    </Button>
                  </div>
                ) : null}
              </fieldset>
            );
          })}
          {e?.windows?.message || e?.windows?.root?.message ? (
            <p role="alert" className="text-xs font-medium text-destructive">
              {e.windows.message ?? e.windows.root?.message}
            </p>
          ) : null}
          <div>
            <Button
              type="button"
              variant="outline"
              size="sm"
              disabled={fields.length >= 21}
              onClick={() => append({ ...DEFAULT_WINDOW })}
            >
              <Plus aria-hidden="true" />
              Add a window
            </Button>
          </div>
        </>
      ) : null}
    </div>
  );
}

function TryIt({ getConfig }: { getConfig: () => Promise<AiValues | null> }) {
  const tryAi = useTryAi();
  const [result, setResult] = useState<AiTryOut | null>(null);
  const form = useForm<TryAiValues>({
    resolver: zodResolver(tryAiSchema),
    defaultValues: { message: "Hi! How much does it cost, and can someone call me tomorrow?" },
  });
  const { errors, isSubmitting } = form.formState;
  const onSubmit = form.handleSubmit(async ({ message }) => {
    const config = await getConfig();
    if (!config) {
      form.setError("root.server", {
        message: "Fix the configuration above first: its errors are shown next to their fields.",
      });
      return;
    }
    setResult(null);
    try {
      setResult(await tryAi.mutateAsync({ message, config: toPayload(config) }));
    } catch (error) {
      const placed = applyProblem(form, error, { fields: ["message"] });
      if (
        placed.length === 0 &&
        error instanceof ApiProblem &&
        Object.keys(fieldErrors(error, "body.config")).length
      ) {
        form.setError("root.server", {
          message:
            "The API refused the configuration: " +
            Object.values(fieldErrors(error, "body.config")).join(" "),
        });
      }
    }
  });
  return (
    <Card>
      <CardHeader>
        <CardHeading>Try it</CardHeading>
        <CardDescription>
          What the AI would answer a new contact, with the configuration on this page (saved or
          not). Nothing is sent or saved; the tokens count toward your usage.
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        <form onSubmit={onSubmit} noValidate className="grid gap-3">
          <Field id="ai-try-message" label="A contact writes" error={errors.message?.message}>
            <Textarea rows={3} {...form.register("message")} />
          </Field>
          {errors.root?.server ? <Alert variant="error">{errors.root.server.message}</Alert> : null}
          <FormActions>
            <Button type="submit" variant="secondary" disabled={isSubmitting}>
              {isSubmitting ? <Spinner label="Asking Claude" /> : <Sparkles aria-hidden="true" />}
              Try it
            </Button>
          </FormActions>
        </form>
        {result ? (
          <section
            aria-label="Draft reply"
            className="grid gap-3 rounded-lg border bg-muted/40 p-4"
            aria-live="polite"
          >
            <div className="flex items-start gap-2">
              <Bot className="mt-0.5 size-4 shrink-0 text-primary" aria-hidden="true" />
              <p className="text-sm whitespace-pre-wrap" data-testid="ai-try-reply">
                {result.reply || (
                  <em className="text-muted-foreground">
                    (an empty reply: the AI would not answer)
                  </em>
                )}
              </p>
            </div>
            <div className="flex flex-wrap gap-2 text-xs">
              <Badge variant="primary">Lead stage: {result.lead_stage}</Badge>
              <Badge variant="neutral">Confidence {formatPercent(result.confidence, 0)}</Badge>
              {result.handoff ? (
                <Badge variant="warning">
                  Hands off to a person{result.handoff_reason ? `: ${result.handoff_reason}` : ""}
                </Badge>
              ) : null}
              <Badge variant="outline">{result.model}</Badge>
            </div>
            {Object.keys(result.fields).length > 0 ? (
              <dl className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-4 gap-y-1 text-sm">
                {Object.entries(result.fields).map(([name, value]) => (
                  <div key={name} className="contents">
                    <dt className="font-mono text-xs text-muted-foreground">{name}</dt>
                    <dd className="break-words">{value === null ? "unknown" : String(value)}</dd>
                  </div>
                ))}
              </dl>
            ) : null}
          </section>
        ) : null}
      </CardContent>
    </Card>
  );
}

function AiForm({ config, zone, canEdit }: { config: AiConfig; zone: string; canEdit: boolean }) {
  const save = useSaveAiConfig();
  const form = useForm<AiValues>({
    resolver: zodResolver(aiSchema),
    values: toFormValues(config, zone),
    resetOptions: { keepDirtyValues: true },
  });
  const { errors, isSubmitting, isDirty } = form.formState;
  const { register, control } = form;
  const mode = useWatch({ control, name: "mode" });

  const onSubmit = form.handleSubmit(async (values) => {
    try {
      const saved = await save.mutateAsync(toPayload(values));
      form.reset(toFormValues(saved, zone));
      toast.success("AI configuration saved");
    } catch (error) {
      applyProblem(form, error, { fields: FIELDS, slugs: { "ai-not-configured": "enabled" } });
    }
  });

  /** The form's values when valid (errors shown otherwise), for "try it". */
  async function validConfig(): Promise<AiValues | null> {
    const ok = await form.trigger();
    return ok ? form.getValues() : null;
  }

  return (
    <div className="grid grid-cols-[minmax(0,1fr)] gap-6">
      {!config.api_key_configured ? (
        <Alert variant="warning">
          <TriangleAlert aria-hidden="true" />
          <span>
            The platform has no Anthropic API key (ANTHROPIC_API_KEY): the AI cannot be turned on or
            tried until an operator sets it.
          </span>
        </Alert>
      ) : null}
      <form onSubmit={onSubmit} noValidate className="grid grid-cols-[minmax(0,1fr)] gap-6">
        <fieldset disabled={!canEdit} className="contents">
          <Card>
            <CardHeader>
              <CardHeading>Replies</CardHeading>
            </CardHeader>
            <CardContent className="grid gap-4">
              <label className="flex items-center gap-2 text-sm font-medium">
                <input type="checkbox" className="size-4 accent-primary" {...register("enabled")} />
                AI replies are on for this workspace
              </label>
              {errors.enabled?.message ? (
                <p role="alert" className="text-xs font-medium text-destructive">
                  {errors.enabled.message}
                </p>
              ) : null}
              <Field
                id="ai-mode"
                label="Mode"
                error={errors.mode?.message}
                hint={MODES.find((m) => m.value === mode)?.hint}
              >
                <Select {...register("mode")}>
                  {MODES.map((m) => (
                    <option key={m.value} value={m.value}>
                      {m.label}
                    </option>
                  ))}
                </Select>
              </Field>
              <div className="grid gap-4 sm:grid-cols-2">
                <Field
                  id="ai-model"
                  label="Model"
                  error={errors.model?.message}
                  hint={`Empty: ${config.effective_model}`}
                >
                  <Input
                    autoComplete="off"
                    spellCheck={false}
                    placeholder={config.effective_model}
                    {...register("model")}
                  />
                </Field>
                <Field
                  id="ai-qualification-model"
                  label="Qualification model"
                  error={errors.qualification_model?.message}
                  hint={`Empty: ${config.effective_qualification_model}`}
                >
                  <Input
                    autoComplete="off"
                    spellCheck={false}
                    placeholder={config.effective_qualification_model}
                    {...register("qualification_model")}
                  />
                </Field>
              </div>
            </CardContent>
          </Card>

          <Card>
            <CardHeader>
              <CardHeading>What the AI knows</CardHeading>
              <CardDescription>
                It relies only on these facts and never promises anything else.
              </CardDescription>
            </CardHeader>
            <CardContent className="grid gap-4">
              <Field
                id="ai-persona"
                label="Persona"
                error={errors.persona?.message}
                aside={
                  <span className="text-xs text-muted-foreground">
                    <Counter control={control} name="persona" max={2000} />
                  </span>
                }
              >
                <Textarea
                  rows={2}
                  placeholder="You are Ava, the friendly assistant of Acme Dental."
                  {...register("persona")}
                />
              </Field>
              <Field
                id="ai-instructions"
                label="Instructions"
                error={errors.instructions?.message}
                aside={
                  <span className="text-xs text-muted-foreground">
                    <Counter control={control} name="instructions" max={4000} />
                  </span>
                }
              >
                <Textarea
                  rows={4}
                  placeholder="Keep replies short. Offer to book a visit."
                  {...register("instructions")}
                />
              </Field>
              <Field
                id="ai-facts"
                label="Business facts"
                error={errors.business_facts?.message}
                aside={
                  <span className="text-xs text-muted-foreground">
                    <Counter control={control} name="business_facts" max={8000} />
                  </span>
                }
              >
                <Textarea
                  rows={6}
                  placeholder="Open Mon–Fri 9–5. Cleaning: $120. Address: …"
                  {...register("business_facts")}
                />
              </Field>
            </CardContent>
          </Card>

          <Card>
            <CardHeader>
              <CardHeading>Qualification criteria</CardHeading>
              <CardDescription>
                Fields the AI fills in from the conversation, shown with the lead in the inbox.
              </CardDescription>
            </CardHeader>
            <CardContent>
              <CriteriaEditor control={control} register={register} errors={errors} />
            </CardContent>
          </Card>

          <Card>
            <CardHeader>
              <CardHeading>Handoff to a person</CardHeading>
              <CardDescription>
                The AI stops and flags the conversation for your team when:
              </CardDescription>
            </CardHeader>
            <CardContent className="grid gap-4">
              <div className="grid gap-2 text-sm">
                <label className="flex items-center gap-2">
                  <input
                    type="checkbox"
                    className="size-4 accent-primary"
                    {...register("handoff_rules.human_request")}
                  />
                  The contact asks for a person
                </label>
                <label className="flex items-center gap-2">
                  <input
                    type="checkbox"
                    className="size-4 accent-primary"
                    {...register("handoff_rules.negative_sentiment")}
                  />
                  The contact is upset or angry
                </label>
                <label className="flex items-center gap-2">
                  <input
                    type="checkbox"
                    className="size-4 accent-primary"
                    {...register("handoff_rules.qualified_lead")}
                  />
                  The lead becomes qualified
                </label>
              </div>
              <Field
                id="ai-handoff-keywords"
                label="…or a message contains any of these words"
                error={errors.handoff_rules?.keywords?.message}
                hint="Separated by commas: lawyer, refund, complaint."
              >
                <Textarea rows={2} {...register("handoff_rules.keywords")} />
              </Field>
            </CardContent>
          </Card>

          <Card>
            <CardHeader>
              <CardHeading>Timing and limits</CardHeading>
            </CardHeader>
            <CardContent className="grid grid-cols-[minmax(0,1fr)] gap-6">
              <ActiveHoursEditor control={control} register={register} errors={errors} />
              <div className="grid gap-4 sm:grid-cols-3">
                <Field
                  id="ai-delay-min"
                  label="Shortest delay (s)"
                  error={errors.reply_delay_min_seconds?.message}
                  hint="Waits so quick follow-ups get one answer."
                >
                  <Input
                    type="number"
                    inputMode="numeric"
                    min={0}
                    max={3600}
                    {...register("reply_delay_min_seconds", { valueAsNumber: true })}
                  />
                </Field>
                <Field
                  id="ai-delay-max"
                  label="Longest delay (s)"
                  error={errors.reply_delay_max_seconds?.message}
                >
                  <Input
                    type="number"
                    inputMode="numeric"
                    min={0}
                    max={3600}
                    {...register("reply_delay_max_seconds", { valueAsNumber: true })}
                  />
                </Field>
                <Field
                  id="ai-reply-cap"
                  label="Replies in a row"
                  error={errors.max_consecutive_replies?.message}
                  hint="Then a person takes over."
                >
                  <Input
                    type="number"
                    inputMode="numeric"
                    min={1}
                    max={100}
                    {...register("max_consecutive_replies", { valueAsNumber: true })}
                  />
                </Field>
              </div>
            </CardContent>
          </Card>
        </fieldset>
        {errors.root?.server ? <Alert variant="error">{errors.root.server.message}</Alert> : null}
        {Object.keys(errors).some((k) => k !== "root") && form.formState.isSubmitted ? (
          <Alert variant="error">
            Some fields need a fix: their errors are shown next to them.
          </Alert>
        ) : null}
        {canEdit ? (
          <FormActions>
            <Button
              type="button"
              variant="outline"
              disabled={!isDirty || isSubmitting}
              onClick={() => form.reset(toFormValues(config, zone))}
            >
              Discard changes
            </Button>
            <Button type="submit" disabled={isSubmitting}>
              {isSubmitting ? <Spinner className="text-primary-foreground" label="Saving" /> : null}
              Save configuration
            </Button>
          </FormActions>
        ) : null}
      </form>
      {canEdit && config.api_key_configured ? <TryIt getConfig={validConfig} /> : null}
    </div>
  );
}

export function AiSettings() {
  const role = useRole();
  const config = useAiConfig();
  const workspace = useWorkspaceSettings();
  const canEdit = atLeast(role, "admin");
  const zone = workspace.data?.timezone ?? "UTC";
  return (
    <>
      <SectionHeader
        title="AI assistant"
        description="Claude answers inbound texts: it qualifies leads, drafts or sends replies, and hands off to your team."
      />
      {config.isPending || workspace.isPending ? (
        <LoadingState rows={8} label="Loading the AI configuration" className="max-w-3xl" />
      ) : config.isError ? (
        <ErrorState error={problemMessage(config.error)} onRetry={() => void config.refetch()} />
      ) : (
        <div className="max-w-3xl">
          {config.data.updated_at ? null : (
            <p className="mb-3 text-sm text-muted-foreground">
              Not configured yet: these are the defaults.
            </p>
          )}
          <AiForm config={config.data} zone={zone} canEdit={canEdit} />
        </div>
      )}
    </>
  );
}
