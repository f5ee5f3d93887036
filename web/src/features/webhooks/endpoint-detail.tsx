"use client";

import { ArrowLeft, KeyRound, Pencil, Send, Trash2 } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import * as React from "react";

import { problemMessage } from "@/api/problem";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Dialog, DialogContent } from "@/components/ui/dialog";
import { ErrorState, LoadingState } from "@/components/ui/states";
import { toast } from "@/components/ui/toast";
import { atLeast } from "@/features/tenancy/roles";
import { useRole } from "@/features/tenancy/session";
import { formatDateTime } from "@/lib/format";

import { DeliveryLog } from "./delivery-log";
import { EndpointForm } from "./endpoint-form";
import { EndpointStatus, eventTypesLabel } from "./endpoint-status";
import { EnabledSwitch } from "./endpoints";
import {
  type Endpoint,
  useDeleteEndpoint,
  useEndpoint,
  useRotateSecret,
  useSendTest,
  useUpdateEndpoint,
} from "./hooks";
import { endpointValues } from "./schemas";
import { SecretReveal } from "./secret-reveal";
import { forgetSecret, revealSecret, useRevealedSecrets } from "./secret-store";

/** One endpoint: what it receives, its actions, and its delivery log. */
export function EndpointDetail({ id }: { id: string }) {
  const endpoint = useEndpoint(id);
  const canEdit = atLeast(useRole(), "admin");

  return (
    <div className="grid grid-cols-[minmax(0,1fr)] gap-6">
      <Link
        href="/settings/webhooks"
        className="inline-flex w-fit items-center gap-1 text-sm font-medium text-muted-foreground hover:text-foreground"
      >
        <ArrowLeft className="size-4" aria-hidden />
        All endpoints
      </Link>
      {!id ? (
        <ErrorState title="No endpoint chosen" error="Pick an endpoint in the list." />
      ) : endpoint.isPending ? (
        <LoadingState rows={4} label="Loading the endpoint" />
      ) : endpoint.isError ? (
        <ErrorState
          title="This endpoint could not be loaded"
          error={problemMessage(endpoint.error)}
          onRetry={() => void endpoint.refetch()}
        />
      ) : (
        <>
          <EndpointSummary endpoint={endpoint.data} canEdit={canEdit} />
          <DeliveryLog endpointId={id} canReplay={canEdit && endpoint.data.enabled} />
        </>
      )}
    </div>
  );
}

function EndpointSummary({ endpoint, canEdit }: { endpoint: Endpoint; canEdit: boolean }) {
  const update = useUpdateEndpoint(endpoint.id);
  const sendTest = useSendTest(endpoint.id);
  const [editing, setEditing] = React.useState(false);

  return (
    <Card>
      <CardContent className="grid gap-4 pt-5">
        <div className="flex flex-wrap items-start justify-between gap-3">
          <div className="grid min-w-0 gap-1">
            <h2 className="text-lg font-semibold break-all">{endpoint.url}</h2>
            {endpoint.description ? (
              <p className="text-sm text-muted-foreground">{endpoint.description}</p>
            ) : null}
          </div>
          <div className="flex items-center gap-2">
            <EndpointStatus endpoint={endpoint} />
            <label className="flex items-center gap-2 text-sm">
              <EnabledSwitch endpoint={endpoint} disabled={!canEdit} update={update} />
            </label>
          </div>
        </div>
        <RevealedSecretPanel endpointId={endpoint.id} />
        {!endpoint.enabled && endpoint.disabled_reason ? (
          <Alert variant="warning">
            Disabled{endpoint.disabled_at ? ` ${formatDateTime(endpoint.disabled_at)}` : ""}:{" "}
            {endpoint.disabled_reason}. Enable it to send events again.
          </Alert>
        ) : endpoint.failing_since ? (
          <Alert variant="warning">
            Failing since {formatDateTime(endpoint.failing_since)}: after 5 days of failures the
            endpoint is disabled.
          </Alert>
        ) : null}
        <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[auto_1fr]">
          <dt className="text-muted-foreground">Events</dt>
          <dd>
            {endpoint.event_types.includes("*") ? (
              eventTypesLabel(endpoint.event_types)
            ) : (
              <span className="flex flex-wrap gap-1">
                {endpoint.event_types.map((t) => (
                  <code key={t} className="rounded bg-muted px-1.5 py-0.5 font-mono text-xs">
                    {t}
                  </code>
                ))}
              </span>
            )}
          </dd>
          <dt className="text-muted-foreground">Created</dt>
          <dd>{formatDateTime(endpoint.created_at)}</dd>
          {endpoint.secret_rotating_until ? (
            <>
              <dt className="text-muted-foreground">Previous secret</dt>
              <dd>Also signs until {formatDateTime(endpoint.secret_rotating_until)}</dd>
            </>
          ) : null}
        </dl>
        {canEdit ? (
          <div className="flex flex-wrap gap-2">
            <Button
              disabled={!endpoint.enabled || sendTest.isPending}
              title={endpoint.enabled ? undefined : "Enable the endpoint first"}
              onClick={() =>
                sendTest.mutate(undefined, {
                  onSuccess: () => toast.success("Test event sent", "Follow it in the log below."),
                  onError: (error) => toast.error("Could not send the test", problemMessage(error)),
                })
              }
            >
              <Send aria-hidden />
              Send test event
            </Button>
            <Button variant="outline" onClick={() => setEditing(true)}>
              <Pencil aria-hidden />
              Edit
            </Button>
            <RotateSecretButton endpointId={endpoint.id} />
            <DeleteEndpointButton endpoint={endpoint} />
          </div>
        ) : null}
      </CardContent>
      <Dialog open={editing} onOpenChange={setEditing}>
        <DialogContent title="Edit the endpoint" className="max-w-xl">
          <EndpointForm
            defaultValues={endpointValues(endpoint)}
            submitLabel="Save"
            onCancel={() => setEditing(false)}
            onSubmit={async (body) => {
              await update.mutateAsync(body);
              toast.success("Endpoint saved");
              setEditing(false);
            }}
          />
        </DialogContent>
      </Dialog>
    </Card>
  );
}

function RotateSecretButton({ endpointId }: { endpointId: string }) {
  const rotate = useRotateSecret(endpointId);
  return (
    <ConfirmDialog
      trigger={
        <Button variant="outline">
          <KeyRound aria-hidden />
          Rotate secret
        </Button>
      }
      title="Rotate the signing secret?"
      description="A new secret signs every delivery from now on. The current one keeps signing too for 24 hours (two signatures), so you can update your server without losing events."
      confirmLabel="Rotate secret"
      pending={rotate.isPending}
      onConfirm={async () => {
        try {
          const out = await rotate.mutateAsync();
          revealSecret(endpointId, {
            secret: out.secret,
            previousUntil: out.previous_secret_expires_at,
          });
        } catch (error) {
          toast.error("Could not rotate the secret", problemMessage(error));
          throw error;
        }
      }}
    />
  );
}

/** The secret just created or rotated, shown this once on the endpoint's page. */
function RevealedSecretPanel({ endpointId }: { endpointId: string }) {
  const revealed = useRevealedSecrets((all) => all[endpointId]);
  if (!revealed) return null;
  return (
    <section
      aria-labelledby="revealed-secret-title"
      className="grid gap-3 rounded-lg border border-warning/40 bg-warning/5 p-4"
    >
      <h3 id="revealed-secret-title" className="text-sm font-semibold">
        {revealed.previousUntil ? "Save your new signing secret" : "Save your signing secret"}
      </h3>
      <SecretReveal
        secret={revealed.secret}
        note={
          revealed.previousUntil
            ? `The previous secret also signs until ${formatDateTime(revealed.previousUntil)}.`
            : undefined
        }
      />
      <div className="flex justify-end">
        <Button variant="outline" onClick={() => forgetSecret(endpointId)}>
          I have saved it
        </Button>
      </div>
    </section>
  );
}

function DeleteEndpointButton({ endpoint }: { endpoint: Endpoint }) {
  const remove = useDeleteEndpoint();
  const router = useRouter();
  return (
    <ConfirmDialog
      trigger={
        <Button variant="outline" className="text-destructive hover:text-destructive">
          <Trash2 aria-hidden />
          Delete
        </Button>
      }
      title="Delete this endpoint?"
      description={`${endpoint.url} stops receiving events at once, and its delivery log is deleted. This cannot be undone.`}
      confirmLabel="Delete endpoint"
      destructive
      pending={remove.isPending}
      onConfirm={async () => {
        try {
          await remove.mutateAsync(endpoint.id);
        } catch (error) {
          toast.error("Could not delete the endpoint", problemMessage(error));
          throw error;
        }
        toast.success("Endpoint deleted");
        router.push("/settings/webhooks");
      }}
    />
  );
}
