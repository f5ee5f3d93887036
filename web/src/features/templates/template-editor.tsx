"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { History, RotateCcw, Trash2 } from "lucide-react";
import { useRouter } from "next/navigation";
import { useRef } from "react";
import { useForm, useWatch } from "react-hook-form";

import { applyProblem, problemMessage } from "@/api/problem";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { EmptyState, ErrorState, LoadingState, Spinner } from "@/components/ui/states";
import { Textarea } from "@/components/ui/textarea";
import { toast } from "@/components/ui/toast";
import { formatDateTime } from "@/lib/format";

import {
  type Template,
  useCreateTemplate,
  useDeleteTemplate,
  useTemplateVersions,
  useUpdateTemplate,
} from "./hooks";
import { useLiveCount } from "./live-count";
import { MAX_BODY, templateSchema, type TemplateValues } from "./schemas";
import { InsertVariableMenu } from "./insert-variable-menu";
import { EncodingAdvice, SegmentMeter } from "./segment-meter";

interface EditorProps {
  template?: Template;
}

/**
 * Create or edit a template. A save of a changed body makes a new version (the API keeps
 * every version); a rename alone does not. A refused save keeps what was typed.
 */
export function TemplateEditor({ template }: EditorProps) {
  const router = useRouter();
  const create = useCreateTemplate();
  const update = useUpdateTemplate(template?.id ?? "");
  const bodyRef = useRef<HTMLTextAreaElement | null>(null);
  const form = useForm<TemplateValues>({
    resolver: zodResolver(templateSchema),
    defaultValues: { name: template?.name ?? "", body: template?.body ?? "" },
  });
  const { errors, isSubmitting, isDirty } = form.formState;
  const body = useWatch({ control: form.control, name: "body" });
  const { preview, pending } = useLiveCount(body);
  const measured = preview.data;
  const bodyField = form.register("body");

  const onSubmit = form.handleSubmit(async (values) => {
    try {
      if (!template) {
        const made = await create.mutateAsync(values);
        toast.success("Template saved", "Version 1");
        router.replace(`/templates/view?id=${made.id}`);
        return;
      }
      const patch: { name?: string; body?: string } = {};
      if (values.name !== template.name) patch.name = values.name;
      if (values.body !== template.body) patch.body = values.body;
      if (!patch.name && !patch.body) return;
      const saved = await update.mutateAsync(patch);
      form.reset({ name: saved.name, body: saved.body });
      toast.success(
        "Template saved",
        patch.body ? `Version ${saved.current_version}` : "Renamed; the body is unchanged",
      );
    } catch (error) {
      applyProblem(form, error, { fields: ["name", "body"] });
    }
  });

  const warnings = measured?.warnings ?? template?.warnings ?? [];

  return (
    <form onSubmit={onSubmit} noValidate className="grid gap-5">
      {errors.root?.server ? <Alert variant="error">{errors.root.server.message}</Alert> : null}
      <Field label="Name" id="template-name" error={errors.name?.message}>
        <Input autoComplete="off" maxLength={200} {...form.register("name")} />
      </Field>
      <div className="grid gap-2">
        <Field
          label="Message"
          id="template-body"
          error={errors.body?.message}
          hint="Variables such as {{first_name|there}} are filled in for each contact; the part after | is sent when the contact has no value."
          aside={
            <InsertVariableMenu
              field={bodyRef}
              value={() => form.getValues("body")}
              onChange={(text) => form.setValue("body", text, { shouldDirty: true })}
            />
          }
        >
          <Textarea
            rows={6}
            maxLength={MAX_BODY}
            className="font-mono text-[13px] leading-relaxed"
            {...bodyField}
            ref={(el) => {
              bodyField.ref(el);
              bodyRef.current = el;
            }}
          />
        </Field>
        <SegmentMeter measured={measured} pending={pending} error={preview.error} />
        <EncodingAdvice
          measured={measured}
          onUseSuggestion={(text) => form.setValue("body", text, { shouldDirty: true })}
        />
        {warnings.length ? (
          <ul className="grid gap-1 text-xs">
            {warnings.map((w) => (
              <li key={w} className="flex gap-1.5 text-foreground">
                <Badge variant="warning">Check</Badge>
                {w}
              </li>
            ))}
          </ul>
        ) : null}
      </div>
      {measured?.text ? (
        <div className="grid gap-1.5">
          <p className="text-xs font-medium text-muted-foreground">
            Preview (a contact without a name, values as fallbacks)
          </p>
          <p className="max-w-md rounded-2xl rounded-bl-sm bg-muted px-3.5 py-2.5 text-sm break-words whitespace-pre-wrap">
            {measured.text}
          </p>
        </div>
      ) : null}
      <div className="flex flex-wrap items-center gap-2">
        <Button type="submit" disabled={isSubmitting || (Boolean(template) && !isDirty)}>
          {isSubmitting ? <Spinner className="text-primary-foreground" label="Saving" /> : null}
          {template ? "Save" : "Create template"}
        </Button>
        {template && isDirty ? (
          <Button
            type="button"
            variant="ghost"
            onClick={() => form.reset({ name: template.name, body: template.body })}
          >
            Discard changes
          </Button>
        ) : null}
        {template ? (
          <span className="text-xs text-muted-foreground">
            Saving a changed message makes version {template.current_version + 1}.
          </span>
        ) : null}
      </div>
      {template ? (
        <VersionHistory
          template={template}
          onRestore={(text) => {
            form.setValue("body", text, { shouldDirty: true });
            bodyRef.current?.focus();
          }}
        />
      ) : null}
    </form>
  );
}

function VersionHistory({
  template,
  onRestore,
}: {
  template: Template;
  onRestore: (body: string) => void;
}) {
  const versions = useTemplateVersions(template.id);
  return (
    <Card>
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          <History className="size-4" aria-hidden="true" />
          Version history
        </CardTitle>
        <CardDescription>
          Versions never change: campaigns keep sending the version they were launched with.
        </CardDescription>
      </CardHeader>
      <CardContent>
        {versions.isPending ? (
          <LoadingState rows={2} label="Loading versions" />
        ) : versions.isError ? (
          <ErrorState
            error={problemMessage(versions.error)}
            onRetry={() => void versions.refetch()}
          />
        ) : versions.data.length === 0 ? (
          <EmptyState title="No versions" />
        ) : (
          <ol className="grid gap-3" aria-label="Versions, newest first">
            {versions.data.map((v) => (
              <li key={v.version} className="grid gap-1.5 rounded-lg border p-3">
                <div className="flex flex-wrap items-center gap-2 text-sm">
                  <span className="font-medium">Version {v.version}</span>
                  {v.version === template.current_version ? (
                    <Badge variant="success">Current</Badge>
                  ) : null}
                  <span className="text-xs text-muted-foreground">
                    {formatDateTime(v.created_at)}
                  </span>
                  {v.version !== template.current_version ? (
                    <Button
                      type="button"
                      size="sm"
                      variant="ghost"
                      className="ml-auto"
                      onClick={() => onRestore(v.body)}
                      aria-label={`Load into editor (version ${v.version})`}
                    >
                      <RotateCcw aria-hidden="true" />
                      Load into editor
                    </Button>
                  ) : null}
                </div>
                <p className="font-mono text-xs break-words whitespace-pre-wrap text-muted-foreground">
                  {v.body}
                </p>
              </li>
            ))}
          </ol>
        )}
      </CardContent>
    </Card>
  );
}

export function DeleteTemplateButton({ template }: { template: Template }) {
  const router = useRouter();
  const remove = useDeleteTemplate(template.id);
  return (
    <ConfirmDialog
      trigger={
        <Button variant="outline" size="sm">
          <Trash2 aria-hidden="true" />
          Delete
        </Button>
      }
      title={`Delete “${template.name}”?`}
      description="It leaves the list and cannot be picked for new campaigns. Campaigns already using it keep sending their version."
      confirmLabel="Delete template"
      destructive
      pending={remove.isPending}
      onConfirm={async () => {
        try {
          await remove.mutateAsync();
          toast.success("Template deleted");
          router.replace("/templates");
        } catch (error) {
          toast.error("Could not delete", problemMessage(error));
          throw error;
        }
      }}
    />
  );
}
