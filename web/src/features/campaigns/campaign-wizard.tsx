"use client";

import { Check, Rocket } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useReducer, useRef, useState } from "react";

import { ApiProblem, fieldErrors, problemMessage } from "@/api/problem";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { Checkbox } from "@/components/ui/checkbox";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select } from "@/components/ui/select";
import { EmptyState, ErrorState, LoadingState, Spinner } from "@/components/ui/states";
import { Switch } from "@/components/ui/switch";
import { Textarea } from "@/components/ui/textarea";
import { toast } from "@/components/ui/toast";
import { SegmentedControl } from "@/components/ui/toggle-group";
import { useTemplates } from "@/features/templates/hooks";
import { InsertVariableMenu } from "@/features/templates/insert-variable-menu";
import { EncodingAdvice, SegmentMeter } from "@/features/templates/segment-meter";
import { useLiveCount } from "@/features/templates/live-count";
import { browserTimeZone, formatCount, formatDateTime, formatMoney } from "@/lib/format";
import { cn } from "@/lib/utils";

import { AudienceCounter } from "./audience-counter";
import {
  useCampaign,
  useCampaignPreview,
  useControl,
  usePools,
  useSaveDraft,
  useSegments,
} from "./hooks";
import {
  type Action,
  audienceOf,
  canOpen,
  initialState,
  reducer,
  STEP_LABEL,
  type StepErrors,
  stepErrors,
  STEPS,
  toPatch,
  type WizardState,
} from "./wizard";

type Dispatch = (action: Action) => void;

interface StepProps {
  state: WizardState;
  dispatch: Dispatch;
  errors: StepErrors;
}

/** API field paths (body.audience.tags, body.pool_id) to the wizard's fields. */
const API_FIELDS: Record<string, keyof WizardState> = {
  name: "name",
  "audience.segment_ids": "segmentIds",
  "audience.exclude_segment_ids": "excludeSegmentIds",
  "audience.tags": "tags",
  "audience.exclude_tags": "excludeTags",
  body: "body",
  template_id: "templateId",
  pool_id: "poolId",
  send_at: "sendAt",
  "quiet_hours.start": "quietStart",
  "quiet_hours.end": "quietEnd",
  rate_cap_mps: "rateCap",
};

function serverErrors(error: unknown): StepErrors {
  if (!(error instanceof ApiProblem)) return {};
  const out: StepErrors = {};
  for (const [path, message] of Object.entries(fieldErrors(error))) {
    const key = Object.keys(API_FIELDS).find((p) => path === p || path.startsWith(`${p}.`));
    if (key) out[API_FIELDS[key]!] ??= message;
  }
  return out;
}

function Stepper({ state, dispatch }: { state: WizardState; dispatch: Dispatch }) {
  return (
    <nav aria-label="Campaign steps">
      <ol className="flex flex-wrap gap-2">
        {STEPS.map((step, i) => {
          const current = state.step === step;
          const open = canOpen(state, step);
          const done = STEPS.indexOf(state.step) > i;
          return (
            <li key={step}>
              <button
                type="button"
                aria-current={current ? "step" : undefined}
                disabled={!open}
                onClick={() => dispatch({ type: "goto", step })}
                className={cn(
                  "flex items-center gap-2 rounded-full border px-3 py-1.5 text-sm font-medium transition-colors focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-ring disabled:cursor-not-allowed disabled:opacity-50",
                  current
                    ? "border-primary bg-primary text-primary-foreground"
                    : "bg-card hover:bg-muted",
                )}
              >
                <span
                  className={cn(
                    "grid size-5 place-items-center rounded-full text-xs",
                    current ? "bg-primary-foreground/20" : "bg-muted",
                  )}
                  aria-hidden="true"
                >
                  {done ? <Check className="size-3" /> : i + 1}
                </span>
                {STEP_LABEL[step]}
              </button>
            </li>
          );
        })}
      </ol>
    </nav>
  );
}

function TagsField({
  id,
  label,
  value,
  error,
  hint,
  onChange,
}: {
  id: string;
  label: string;
  value: string;
  error?: string | undefined;
  hint: string;
  onChange: (value: string) => void;
}) {
  return (
    <Field label={label} id={id} error={error} hint={hint}>
      <Input
        value={value}
        autoComplete="off"
        placeholder="vip, newsletter"
        onChange={(e) => onChange(e.target.value)}
      />
    </Field>
  );
}

function AudienceStep({ state, dispatch, errors }: StepProps) {
  const segments = useSegments();
  return (
    <div className="grid gap-5">
      <Field label="Campaign name" id="campaign-name" error={errors.name}>
        <Input
          value={state.name}
          maxLength={200}
          autoComplete="off"
          onChange={(e) => dispatch({ type: "set", values: { name: e.target.value } })}
        />
      </Field>
      <fieldset className="grid gap-2">
        <legend className="mb-1 text-sm font-medium">Segments</legend>
        {segments.isPending ? (
          <LoadingState rows={2} label="Loading segments" />
        ) : segments.isError ? (
          <ErrorState
            error={problemMessage(segments.error)}
            onRetry={() => void segments.refetch()}
          />
        ) : segments.data.length === 0 ? (
          <p className="text-sm text-muted-foreground">
            No segments yet: send by tag below, or build a segment from your contacts first.
          </p>
        ) : (
          <ul className="grid divide-y rounded-lg border">
            {segments.data.map((segment) => {
              const inId = `seg-in-${segment.id}`;
              const outId = `seg-out-${segment.id}`;
              return (
                <li
                  key={segment.id}
                  className="flex flex-wrap items-center gap-x-6 gap-y-2 px-3 py-2.5"
                >
                  <span className="min-w-0 flex-1 truncate text-sm font-medium">
                    {segment.name}
                  </span>
                  <span className="flex items-center gap-2">
                    <Checkbox
                      id={inId}
                      checked={state.segmentIds.includes(segment.id)}
                      onCheckedChange={() =>
                        dispatch({ type: "toggle", list: "segmentIds", id: segment.id })
                      }
                    />
                    <Label htmlFor={inId} className="font-normal">
                      Send to {segment.name}
                    </Label>
                  </span>
                  <span className="flex items-center gap-2">
                    <Checkbox
                      id={outId}
                      checked={state.excludeSegmentIds.includes(segment.id)}
                      onCheckedChange={() =>
                        dispatch({ type: "toggle", list: "excludeSegmentIds", id: segment.id })
                      }
                    />
                    <Label htmlFor={outId} className="font-normal">
                      Leave out {segment.name}
                    </Label>
                  </span>
                </li>
              );
            })}
          </ul>
        )}
        {errors.segmentIds ? (
          <p role="alert" className="text-xs font-medium text-destructive">
            {errors.segmentIds}
          </p>
        ) : null}
      </fieldset>
      <div className="grid gap-4 sm:grid-cols-2">
        <TagsField
          id="campaign-tags"
          label="Send to contacts tagged"
          value={state.tags}
          error={errors.tags}
          hint="Separate tags with commas; any of them will do."
          onChange={(tags) => dispatch({ type: "set", values: { tags } })}
        />
        <TagsField
          id="campaign-exclude-tags"
          label="Leave out contacts tagged"
          value={state.excludeTags}
          error={errors.excludeTags}
          hint="Contacts with any of these tags are not sent to."
          onChange={(excludeTags) => dispatch({ type: "set", values: { excludeTags } })}
        />
      </div>
      <AudienceCounter audience={audienceOf(state)} />
    </div>
  );
}

function InlineBody({ state, dispatch, errors }: StepProps) {
  const ref = useRef<HTMLTextAreaElement | null>(null);
  const { preview, pending } = useLiveCount(state.body);
  return (
    <div className="grid gap-2">
      <Field
        label="Message"
        id="campaign-body"
        error={errors.body}
        hint="Variables such as {{first_name|there}} are filled in for each contact."
        aside={
          <InsertVariableMenu
            field={ref}
            value={() => state.body}
            onChange={(body) => dispatch({ type: "set", values: { body } })}
          />
        }
      >
        <Textarea
          ref={ref}
          rows={5}
          maxLength={1600}
          className="font-mono text-[13px] leading-relaxed"
          value={state.body}
          onChange={(e) => dispatch({ type: "set", values: { body: e.target.value } })}
        />
      </Field>
      <SegmentMeter measured={preview.data} pending={pending} error={preview.error} />
      <EncodingAdvice
        measured={preview.data}
        onUseSuggestion={(body) => dispatch({ type: "set", values: { body } })}
      />
    </div>
  );
}

function TemplatePicker({ state, dispatch, errors }: StepProps) {
  const templates = useTemplates();
  const list = templates.data?.pages.flatMap((p) => p.data) ?? [];
  const chosen = list.find((t) => t.id === state.templateId);
  const { preview, pending } = useLiveCount(chosen?.body ?? "");
  if (templates.isPending) return <LoadingState rows={2} label="Loading templates" />;
  if (list.length === 0) {
    return (
      <EmptyState
        title="No templates yet"
        action={
          <Button asChild variant="outline" size="sm">
            <Link href="/templates/view">Write a template</Link>
          </Button>
        }
      >
        Write the message here instead, or save one as a template to reuse it.
      </EmptyState>
    );
  }
  return (
    <div className="grid gap-2">
      <Field label="Template" id="campaign-template" error={errors.templateId}>
        <Select
          value={state.templateId}
          onChange={(e) => dispatch({ type: "set", values: { templateId: e.target.value } })}
        >
          <option value="">Choose a template</option>
          {list.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name} (v{t.current_version})
            </option>
          ))}
        </Select>
      </Field>
      {chosen ? (
        <>
          <p className="rounded-md border bg-muted/40 px-3 py-2 font-mono text-[13px] break-words whitespace-pre-wrap">
            {chosen.body}
          </p>
          <p className="text-xs text-muted-foreground">
            The campaign keeps version {chosen.current_version}, even if the template changes.
          </p>
          <SegmentMeter measured={preview.data} pending={pending} error={preview.error} />
          <EncodingAdvice measured={preview.data} />
        </>
      ) : null}
    </div>
  );
}

function Samples({ campaignId, ready }: { campaignId: string | null; ready: boolean }) {
  const preview = useCampaignPreview(campaignId, ready);
  if (!ready || !campaignId) return null;
  return (
    <section aria-labelledby="samples-title" className="grid gap-3">
      <div className="flex items-center gap-2">
        <h3 id="samples-title" className="text-sm font-semibold">
          As sample contacts will get it
        </h3>
        {preview.isFetching ? <Spinner label="Updating the preview" /> : null}
      </div>
      {preview.isError ? (
        <ErrorState error={problemMessage(preview.error)} onRetry={() => void preview.refetch()} />
      ) : !preview.data ? (
        <LoadingState rows={2} label="Rendering for sample contacts" />
      ) : (
        <>
          {preview.data.blocking_variables.length ? (
            <Alert variant="error">
              Unknown variable{preview.data.blocking_variables.length > 1 ? "s" : ""} without a
              fallback: {preview.data.blocking_variables.join(", ")}. Fix the name or add one (for
              example {"{{name|there}}"}); the campaign cannot launch until then.
            </Alert>
          ) : null}
          {preview.data.samples.length === 0 ? (
            <p className="text-sm text-muted-foreground">No contact in the audience yet.</p>
          ) : (
            <ul className="grid gap-2 sm:grid-cols-2">
              {preview.data.samples.map((s) => (
                <li key={s.contact_id} className="grid gap-1 rounded-lg border p-3">
                  <span className="text-xs text-muted-foreground">To {s.phone}</span>
                  <p className="rounded-2xl rounded-bl-sm bg-muted px-3 py-2 text-sm break-words whitespace-pre-wrap">
                    {s.text}
                  </p>
                  <span className="text-xs text-muted-foreground">
                    {s.segments} segment{s.segments === 1 ? "" : "s"} · {s.encoding}
                  </span>
                </li>
              ))}
            </ul>
          )}
          <dl className="grid grid-cols-2 gap-3 text-sm sm:grid-cols-3">
            <Figure label="Audience" value={formatCount(preview.data.audience_estimate)} />
            <Figure label="Segments" value={formatCount(preview.data.estimated_segments)} />
            <Figure
              label="Cost (estimate)"
              value={formatMoney(preview.data.estimated_cost_minor)}
              testId="cost-estimate"
            />
          </dl>
        </>
      )}
    </section>
  );
}

function Figure({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div className="grid gap-0.5 rounded-lg border px-3 py-2">
      <dt className="text-xs text-muted-foreground">{label}</dt>
      <dd className="font-semibold tabular-nums" data-testid={testId}>
        {value}
      </dd>
    </div>
  );
}

function MessageStep(props: StepProps & { saved: boolean }) {
  const { state, dispatch, saved } = props;
  return (
    <div className="grid gap-5">
      <SegmentedControl
        label="Message source"
        value={state.mode}
        options={[
          { value: "inline", label: "Write a message" },
          { value: "template", label: "Use a template" },
        ]}
        onValueChange={(mode) => dispatch({ type: "set", values: { mode } })}
      />
      {state.mode === "inline" ? <InlineBody {...props} /> : <TemplatePicker {...props} />}
      <Samples campaignId={state.campaignId} ready={saved} />
    </div>
  );
}

function SendingStep({ state, dispatch, errors }: StepProps) {
  const pools = usePools();
  const set = (values: Partial<WizardState>) => dispatch({ type: "set", values });
  return (
    <div className="grid gap-5">
      {pools.isPending ? (
        <LoadingState rows={1} label="Loading pools" />
      ) : pools.isError ? (
        <ErrorState error={problemMessage(pools.error)} onRetry={() => void pools.refetch()} />
      ) : pools.data.length === 0 ? (
        <EmptyState
          title="No number pool yet"
          action={
            <Button asChild variant="outline" size="sm">
              <Link href="/numbers">Get numbers</Link>
            </Button>
          }
        >
          A campaign sends from a pool of your numbers. Buy numbers and group them in a pool.
        </EmptyState>
      ) : (
        <Field
          label="Send from"
          id="campaign-pool"
          error={errors.poolId}
          hint="The pool's numbers take turns; each contact keeps hearing from the same one."
        >
          <Select value={state.poolId} onChange={(e) => set({ poolId: e.target.value })}>
            <option value="">Choose a number pool</option>
            {pools.data.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name} ({p.number_ids.length} number{p.number_ids.length === 1 ? "" : "s"},{" "}
                {p.capacity_mps} msg/s)
              </option>
            ))}
          </Select>
        </Field>
      )}
      <fieldset className="grid gap-2">
        <legend className="mb-1 text-sm font-medium">When</legend>
        <SegmentedControl
          label="When to send"
          value={state.when}
          options={[
            { value: "now", label: "Send at launch" },
            { value: "later", label: "Schedule" },
          ]}
          onValueChange={(when) => set({ when })}
        />
        {state.when === "later" ? (
          <Field
            label="Start at"
            id="campaign-send-at"
            error={errors.sendAt}
            hint={`Your time zone: ${browserTimeZone()}`}
          >
            <Input
              type="datetime-local"
              value={state.sendAt}
              onChange={(e) => set({ sendAt: e.target.value })}
              className="w-fit"
            />
          </Field>
        ) : null}
      </fieldset>
      <fieldset className="grid gap-3 rounded-lg border p-4">
        <legend className="px-1 text-sm font-medium">Quiet hours</legend>
        <div className="flex items-center gap-3">
          <Switch
            id="campaign-quiet"
            checked={state.quietHours}
            onCheckedChange={(quietHours) => set({ quietHours })}
          />
          <Label htmlFor="campaign-quiet" className="font-normal">
            Only send inside a daily window, in each contact&apos;s own time zone
          </Label>
        </div>
        {state.quietHours ? (
          <div className="flex flex-wrap gap-4">
            <Field label="From" id="campaign-quiet-start" error={errors.quietStart}>
              <Input
                type="time"
                value={state.quietStart}
                onChange={(e) => set({ quietStart: e.target.value })}
                className="w-32"
              />
            </Field>
            <Field label="Until" id="campaign-quiet-end" error={errors.quietEnd}>
              <Input
                type="time"
                value={state.quietEnd}
                onChange={(e) => set({ quietEnd: e.target.value })}
                className="w-32"
              />
            </Field>
          </div>
        ) : null}
        <p className="text-xs text-muted-foreground">
          A contact&apos;s zone is their time zone field, else their phone number&apos;s area.
          Messages outside the window wait for it to open.
        </p>
      </fieldset>
      <Field
        label="Rate cap (messages per second)"
        id="campaign-rate-cap"
        error={errors.rateCap}
        hint="Optional. Leave empty to send as fast as the pool and your plan allow."
      >
        <Input
          type="number"
          inputMode="decimal"
          min={0}
          step="any"
          value={state.rateCap}
          onChange={(e) => set({ rateCap: e.target.value })}
          className="w-40"
        />
      </Field>
    </div>
  );
}

function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return "—";
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

const LIMITED_BY = {
  pool: "the pool's numbers",
  plan: "your plan",
  provider_account: "the provider account",
  campaign_cap: "this campaign's cap",
} as const;

function ReviewStep({
  state,
  onLaunch,
  launching,
}: {
  state: WizardState;
  onLaunch: () => Promise<unknown>;
  launching: boolean;
}) {
  const preview = useCampaignPreview(state.campaignId, true);
  const pools = usePools();
  const segments = useSegments();
  const pool = pools.data?.find((p) => p.id === state.poolId);
  const names = (ids: string[]) =>
    ids.map((id) => segments.data?.find((s) => s.id === id)?.name ?? "a segment").join(", ");
  const data = preview.data;
  const blocked = Boolean(data?.blocking_variables.length);
  return (
    <div className="grid gap-5">
      {preview.isError ? (
        <ErrorState error={problemMessage(preview.error)} onRetry={() => void preview.refetch()} />
      ) : null}
      <dl className="grid gap-x-6 gap-y-3 text-sm sm:grid-cols-[10rem_1fr]">
        <dt className="text-muted-foreground">Name</dt>
        <dd className="font-medium">{state.name}</dd>
        <dt className="text-muted-foreground">Audience</dt>
        <dd>
          {data ? `${formatCount(data.audience_estimate)} contacts` : "…"}
          {audienceOf(state).tags.length ? ` · tagged ${audienceOf(state).tags.join(", ")}` : ""}
          {state.segmentIds.length ? ` · segments ${names(state.segmentIds)}` : ""}
          {state.excludeSegmentIds.length ? ` · leaving out ${names(state.excludeSegmentIds)}` : ""}
          {audienceOf(state).exclude_tags.length
            ? ` · without ${audienceOf(state).exclude_tags.join(", ")}`
            : ""}
        </dd>
        <dt className="text-muted-foreground">Message</dt>
        <dd className="break-words whitespace-pre-wrap">
          {data?.samples[0]?.text ?? (state.mode === "inline" ? state.body : "From the template")}
        </dd>
        <dt className="text-muted-foreground">Send from</dt>
        <dd>{pool?.name ?? "—"}</dd>
        <dt className="text-muted-foreground">When</dt>
        <dd>
          {state.when === "later" && state.sendAt
            ? formatDateTime(new Date(state.sendAt).toISOString())
            : "At launch"}
        </dd>
        <dt className="text-muted-foreground">Quiet hours</dt>
        <dd>
          {state.quietHours
            ? `${state.quietStart}–${state.quietEnd}, each contact's time zone`
            : "None: any hour"}
        </dd>
        <dt className="text-muted-foreground">Rate cap</dt>
        <dd>{state.rateCap ? `${state.rateCap} msg/s` : "None"}</dd>
      </dl>
      {data ? (
        <dl className="grid grid-cols-2 gap-3 text-sm md:grid-cols-4">
          <Figure label="Segments" value={formatCount(data.estimated_segments)} />
          <Figure
            label="Cost (estimate)"
            value={formatMoney(data.estimated_cost_minor)}
            testId="cost-estimate"
          />
          <Figure label="Pace" value={`${data.effective_rate_mps} seg/s`} />
          <Figure label="Duration (estimate)" value={duration(data.estimated_duration_seconds)} />
        </dl>
      ) : (
        <LoadingState rows={2} label="Estimating" />
      )}
      {data ? (
        <p className="text-xs text-muted-foreground">
          The pace is set by {LIMITED_BY[data.rate_limited_by]}.
          {data.deferred_by_quiet_hours
            ? ` About ${formatCount(data.deferred_by_quiet_hours)} messages will wait for quiet hours to end.`
            : ""}
          {data.estimated_finish_at
            ? ` Expected to finish ${formatDateTime(data.estimated_finish_at)}.`
            : ""}
        </p>
      ) : null}
      {blocked ? (
        <Alert variant="error">
          Unknown variables without a fallback: {data?.blocking_variables.join(", ")}. Go back to
          the message to fix them.
        </Alert>
      ) : null}
      <div>
        <ConfirmDialog
          trigger={
            <Button disabled={!data || blocked || launching}>
              <Rocket aria-hidden="true" />
              {state.when === "later" ? "Schedule campaign" : "Launch campaign"}
            </Button>
          }
          title={state.when === "later" ? "Schedule this campaign?" : "Launch this campaign?"}
          description={`It will send to about ${formatCount(data?.audience_estimate ?? 0)} contacts. You can pause or cancel it, but sent messages cannot be taken back.`}
          confirmLabel={state.when === "later" ? "Schedule" : "Launch now"}
          pending={launching}
          onConfirm={onLaunch}
        />
      </div>
    </div>
  );
}

/**
 * The creation wizard: audience -> message -> sending -> review -> launch. Each "Next"
 * saves the draft campaign (so a reload, `/campaigns/new?id=...`, carries on) and moves
 * focus to the new step's heading; a refused save keeps everything typed and shows the
 * API's message next to its field.
 */
export function CampaignWizard({ draftId }: { draftId: string | null }) {
  const router = useRouter();
  const [state, dispatch] = useReducer(reducer, { ...initialState, campaignId: draftId });
  const [showErrors, setShowErrors] = useState(false);
  const [apiErrors, setApiErrors] = useState<StepErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [messageSaved, setMessageSaved] = useState(Boolean(draftId));
  const draft = useCampaign(draftId);
  const loaded = useRef(false);
  const heading = useRef<HTMLHeadingElement | null>(null);
  const firstRender = useRef(true);
  const save = useSaveDraft();
  const control = useControl(state.campaignId ?? "");

  useEffect(() => {
    if (draft.data && !loaded.current) {
      loaded.current = true;
      dispatch({ type: "load", campaign: draft.data });
    }
  }, [draft.data]);

  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    heading.current?.focus();
  }, [state.step]);

  // On the message step, the draft is saved as the message settles, so the samples and
  // the cost estimate are those of what is typed.
  const messageKey = `${state.mode}|${state.body}|${state.templateId}`;
  const [lastSaved, setLastSaved] = useState<string | null>(null);
  useEffect(() => {
    if (state.step !== "message" || !state.campaignId) return;
    if (Object.keys(stepErrors(state, "message")).length) return;
    if (messageKey === lastSaved) return;
    const timer = setTimeout(() => {
      save.mutate(
        { id: state.campaignId, patch: toPatch(state, "message") },
        {
          onSuccess: () => {
            setLastSaved(messageKey);
            setMessageSaved(true);
          },
        },
      );
    }, 600);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- saved per settled message
  }, [messageKey, state.step, state.campaignId]);

  if (draftId && draft.isPending) return <LoadingState rows={6} label="Opening the draft" />;
  if (draftId && draft.isError) {
    return (
      <ErrorState
        title="This draft could not be opened"
        error={problemMessage(draft.error)}
        onRetry={() => void draft.refetch()}
      />
    );
  }
  if (draft.data && draft.data.status !== "draft") {
    return (
      <EmptyState
        title="This campaign is no longer a draft"
        action={
          <Button asChild size="sm">
            <Link href={`/campaigns/view?id=${draft.data.id}`}>Open the campaign</Link>
          </Button>
        }
      />
    );
  }

  const localErrors = stepErrors(state, state.step);
  const errors: StepErrors = { ...apiErrors, ...(showErrors ? localErrors : {}) };

  const next = async () => {
    setFormError(null);
    if (Object.keys(localErrors).length) {
      setShowErrors(true);
      return;
    }
    try {
      const saved = await save.mutateAsync({
        id: state.campaignId,
        patch: toPatch(state, state.step),
      });
      if (!state.campaignId) {
        loaded.current = true;
        dispatch({ type: "set", values: { campaignId: saved.id } });
        router.replace(`/campaigns/new?id=${saved.id}`, { scroll: false });
      }
      if (state.step === "message") {
        setLastSaved(messageKey);
        setMessageSaved(true);
      }
      setShowErrors(false);
      setApiErrors({});
      dispatch({ type: "next" });
    } catch (error) {
      const placed = serverErrors(error);
      setApiErrors(placed);
      if (!Object.keys(placed).length) setFormError(problemMessage(error));
    }
  };

  const launch = async () => {
    try {
      await control.mutateAsync("launch");
      toast.success(state.when === "later" ? "Campaign scheduled" : "Campaign launched");
      router.push(`/campaigns/view?id=${state.campaignId}`);
    } catch (error) {
      toast.error("The campaign did not launch", problemMessage(error));
      throw error;
    }
  };

  const index = STEPS.indexOf(state.step);
  const props = { state, dispatch, errors };
  return (
    <div className="grid gap-6">
      <Stepper state={state} dispatch={dispatch} />
      <Card>
        <CardContent className="grid gap-5 pt-6">
          <h2
            ref={heading}
            tabIndex={-1}
            className="text-lg font-semibold outline-none"
            id="wizard-step-title"
          >
            Step {index + 1} of {STEPS.length}: {STEP_LABEL[state.step]}
          </h2>
          {formError ? <Alert variant="error">{formError}</Alert> : null}
          <form
            noValidate
            aria-labelledby="wizard-step-title"
            onSubmit={(e) => {
              e.preventDefault();
              if (state.step !== "review") void next();
            }}
            className="grid gap-6"
          >
            {state.step === "audience" ? <AudienceStep {...props} /> : null}
            {state.step === "message" ? <MessageStep {...props} saved={messageSaved} /> : null}
            {state.step === "sending" ? <SendingStep {...props} /> : null}
            {state.step === "review" ? (
              <ReviewStep state={state} onLaunch={launch} launching={control.isPending} />
            ) : null}
            <div className="flex items-center justify-between gap-2 border-t pt-4">
              <Button
                type="button"
                variant="outline"
                disabled={index === 0}
                onClick={() => {
                  setShowErrors(false);
                  dispatch({ type: "back" });
                }}
              >
                Back
              </Button>
              <span className="text-xs text-muted-foreground">
                {state.campaignId ? "Saved as a draft" : "Saved as a draft after this step"}
              </span>
              {state.step !== "review" ? (
                <Button type="submit" disabled={save.isPending}>
                  {save.isPending ? <Spinner className="text-primary-foreground" /> : null}
                  Next: {STEP_LABEL[STEPS[index + 1]!]}
                </Button>
              ) : (
                <span />
              )}
            </div>
          </form>
        </CardContent>
      </Card>
    </div>
  );
}
