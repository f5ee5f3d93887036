"use client";

import { Plus, Webhook } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import * as React from "react";

import { problemMessage } from "@/api/problem";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Dialog, DialogContent } from "@/components/ui/dialog";
import { EmptyState, ErrorState, LoadingState } from "@/components/ui/states";
import { Switch } from "@/components/ui/switch";
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from "@/components/ui/table";
import { toast } from "@/components/ui/toast";
import { atLeast } from "@/features/tenancy/roles";
import { useRole } from "@/features/tenancy/session";

import { EndpointForm } from "./endpoint-form";
import { EndpointStatus, eventTypesLabel } from "./endpoint-status";
import { type Endpoint, useCreateEndpoint, useEndpoints, useUpdateEndpoint } from "./hooks";
import { emptyEndpoint } from "./schemas";
import { revealSecret } from "./secret-store";

export const endpointHref = (id: string) => `/settings/webhooks/view?id=${encodeURIComponent(id)}`;

/** The webhook endpoints of the workspace, and the button that adds one. */
export function WebhookEndpoints() {
  const endpoints = useEndpoints();
  const canEdit = atLeast(useRole(), "admin");
  const [creating, setCreating] = React.useState(false);

  const add = canEdit ? (
    <Button onClick={() => setCreating(true)}>
      <Plus aria-hidden />
      Add endpoint
    </Button>
  ) : null;

  return (
    <div className="grid grid-cols-[minmax(0,1fr)] gap-4">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div className="grid gap-1">
          <h2 className="text-lg font-semibold">Webhooks</h2>
          <p className="text-sm text-muted-foreground">
            Receive the workspace&apos;s events (messages, contacts, campaigns…) as signed HTTP
            requests, retried until your server answers 2xx.
          </p>
        </div>
        {endpoints.data?.length ? add : null}
      </div>
      {endpoints.isPending ? (
        <LoadingState rows={4} label="Loading endpoints" />
      ) : endpoints.isError ? (
        <ErrorState
          error={problemMessage(endpoints.error)}
          onRetry={() => void endpoints.refetch()}
        />
      ) : endpoints.data.length === 0 ? (
        <EmptyState icon={Webhook} title="No endpoints yet" action={add}>
          Add the URL of a server of yours: it receives each event you pick, signed with a secret
          only it knows (Standard Webhooks).
        </EmptyState>
      ) : (
        <Card>
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead>Endpoint</TableHead>
                <TableHead className="hidden sm:table-cell">Events</TableHead>
                <TableHead>Status</TableHead>
                <TableHead className="text-right">Enabled</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {endpoints.data.map((endpoint) => (
                <EndpointRow key={endpoint.id} endpoint={endpoint} canEdit={canEdit} />
              ))}
            </TableBody>
          </Table>
        </Card>
      )}
      <CreateEndpointDialog open={creating} onOpenChange={setCreating} />
    </div>
  );
}

function EndpointRow({ endpoint, canEdit }: { endpoint: Endpoint; canEdit: boolean }) {
  const update = useUpdateEndpoint(endpoint.id);
  return (
    <TableRow>
      <TableCell className="max-w-48 sm:max-w-80">
        <Link
          href={endpointHref(endpoint.id)}
          className="block truncate font-medium text-primary hover:underline"
          title={endpoint.url}
        >
          {endpoint.url}
        </Link>
        {endpoint.description ? (
          <span className="block truncate text-xs text-muted-foreground">
            {endpoint.description}
          </span>
        ) : null}
        <span className="block text-xs text-muted-foreground sm:hidden">
          {eventTypesLabel(endpoint.event_types)}
        </span>
      </TableCell>
      <TableCell className="hidden whitespace-nowrap sm:table-cell">
        {eventTypesLabel(endpoint.event_types)}
      </TableCell>
      <TableCell>
        <EndpointStatus endpoint={endpoint} />
      </TableCell>
      <TableCell className="text-right">
        <EnabledSwitch endpoint={endpoint} disabled={!canEdit} update={update} />
      </TableCell>
    </TableRow>
  );
}

export function EnabledSwitch({
  endpoint,
  disabled,
  update,
}: {
  endpoint: Endpoint;
  disabled: boolean;
  update: ReturnType<typeof useUpdateEndpoint>;
}) {
  return (
    <Switch
      checked={update.isPending ? Boolean(update.variables?.enabled) : endpoint.enabled}
      disabled={disabled || update.isPending}
      aria-label={`Enabled: ${endpoint.url}`}
      onCheckedChange={(enabled) =>
        update.mutate(
          { enabled },
          {
            onSuccess: () => toast.success(enabled ? "Endpoint enabled" : "Endpoint disabled"),
            onError: (error) => toast.error("Could not change the endpoint", problemMessage(error)),
          },
        )
      }
    />
  );
}

/** Create, then open the new endpoint's page, where its secret is shown once. */
function CreateEndpointDialog({
  open,
  onOpenChange,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const router = useRouter();
  const create = useCreateEndpoint();

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent title="Add an endpoint" className="max-w-xl">
        <EndpointForm
          defaultValues={emptyEndpoint}
          submitLabel="Create endpoint"
          onCancel={() => onOpenChange(false)}
          onSubmit={async (body) => {
            const created = await create.mutateAsync(body);
            revealSecret(created.id, { secret: created.secret });
            onOpenChange(false);
            router.push(endpointHref(created.id));
          }}
        />
      </DialogContent>
    </Dialog>
  );
}
