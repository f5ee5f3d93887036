"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { KeyRound, Plus, TriangleAlert } from "lucide-react";
import { useState } from "react";
import { useForm } from "react-hook-form";

import { applyProblem, problemMessage } from "@/api/problem";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Dialog, DialogContent, DialogFooter } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { EmptyState, ErrorState, LoadingState, Spinner } from "@/components/ui/states";
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from "@/components/ui/table";
import { toast } from "@/components/ui/toast";
import { atLeast, ROLE_LABELS } from "@/features/tenancy/roles";
import { useRole } from "@/features/tenancy/session";
import { formatDateTime } from "@/lib/format";

import {
  type ApiKey,
  type ApiKeyCreated,
  type Role,
  useApiKeys,
  useCreateApiKey,
  useRevokeApiKey,
} from "./hooks";
import { type ApiKeyValues, apiKeySchema, ROLES } from "./schemas";
import { CopyField, SectionHeader } from "./section";

function CreateKeyForm({
  myRole,
  onCreated,
}: {
  myRole: Role;
  onCreated: (key: ApiKeyCreated) => void;
}) {
  const create = useCreateApiKey();
  const form = useForm<ApiKeyValues>({
    resolver: zodResolver(apiKeySchema),
    defaultValues: { name: "", role: "member" },
  });
  const { errors, isSubmitting } = form.formState;
  const onSubmit = form.handleSubmit(async (values) => {
    try {
      onCreated(await create.mutateAsync(values));
    } catch (error) {
      applyProblem(form, error, { fields: ["name", "role"], slugs: { "api-key-limit": "name" } });
    }
  });
  return (
    <form onSubmit={onSubmit} noValidate className="grid gap-4">
      <Field
        id="key-name"
        label="Name"
        error={errors.name?.message}
        hint="What uses it: “CRM sync”, “Zapier”."
      >
        <Input autoComplete="off" autoFocus {...form.register("name")} />
      </Field>
      <Field
        id="key-role"
        label="Role"
        error={errors.role?.message}
        hint="The key can do what a member with this role can do."
      >
        <Select {...form.register("role")}>
          {ROLES.filter((role) => atLeast(myRole, role)).map((role) => (
            <option key={role} value={role}>
              {ROLE_LABELS[role]}
            </option>
          ))}
        </Select>
      </Field>
      {errors.root?.server ? <Alert variant="error">{errors.root.server.message}</Alert> : null}
      <DialogFooter>
        <Button type="submit" disabled={isSubmitting}>
          {isSubmitting ? <Spinner className="text-primary-foreground" label="Creating" /> : null}
          Create key
        </Button>
      </DialogFooter>
    </form>
  );
}

function ShowSecretOnce({ created, onDone }: { created: ApiKeyCreated; onDone: () => void }) {
  return (
    <div className="grid gap-4">
      <Alert variant="warning">
        <TriangleAlert aria-hidden="true" />
        <span>
          Copy this key now and store it somewhere safe: it is shown <strong>only once</strong>. We
          keep a hash of it, never the key.
        </span>
      </Alert>
      <div className="grid gap-1.5">
        <p className="text-sm font-medium" id="new-key-label">
          {created.name} ({ROLE_LABELS[created.role]})
        </p>
        <CopyField id="new-key-secret" value={created.secret} what="the API key" />
      </div>
      <p className="text-sm text-muted-foreground">
        Send it as{" "}
        <code className="font-mono text-xs">Authorization: Bearer {created.prefix}…</code>
      </p>
      <DialogFooter>
        <Button onClick={onDone}>I have stored the key</Button>
      </DialogFooter>
    </div>
  );
}

function KeyRow({ apiKey }: { apiKey: ApiKey }) {
  const revoke = useRevokeApiKey();
  return (
    <TableRow>
      <TableCell className="font-medium">{apiKey.name}</TableCell>
      <TableCell>
        <code className="font-mono text-xs">{apiKey.prefix}…</code>
      </TableCell>
      <TableCell>{ROLE_LABELS[apiKey.role]}</TableCell>
      <TableCell className="whitespace-nowrap text-muted-foreground">
        {formatDateTime(apiKey.created_at)}
      </TableCell>
      <TableCell className="whitespace-nowrap text-muted-foreground">
        {apiKey.last_used_at ? formatDateTime(apiKey.last_used_at) : "Never"}
      </TableCell>
      <TableCell className="text-right">
        <ConfirmDialog
          trigger={
            <Button variant="outline" size="sm" aria-label={`Revoke the key ${apiKey.name}`}>
              Revoke
            </Button>
          }
          title={`Revoke “${apiKey.name}”?`}
          description="Every request made with this key is refused from now on (401). This cannot be undone: whatever uses it needs a new key."
          confirmLabel="Revoke key"
          destructive
          pending={revoke.isPending}
          onConfirm={() =>
            revoke.mutateAsync(apiKey.id).then(
              () => toast.success("Key revoked", `${apiKey.prefix}… no longer works.`),
              (error: unknown) => {
                toast.error("Not revoked", problemMessage(error));
                throw error;
              },
            )
          }
        />
      </TableCell>
    </TableRow>
  );
}

export function ApiKeysSettings() {
  const role = useRole();
  const keys = useApiKeys();
  const [open, setOpen] = useState(false);
  const [created, setCreated] = useState<ApiKeyCreated | null>(null);
  const canManage = atLeast(role, "admin");

  function close(next: boolean) {
    setOpen(next);
    if (!next) setCreated(null);
  }

  const createButton = canManage ? (
    <Button onClick={() => setOpen(true)}>
      <Plus aria-hidden="true" />
      Create API key
    </Button>
  ) : null;

  return (
    <>
      <SectionHeader
        title="API keys"
        description="Keys let your own systems call the API as this workspace. Each has a role; revoke one the moment it may have leaked."
        actions={keys.data && keys.data.length > 0 ? createButton : null}
      />
      <Dialog open={open} onOpenChange={close}>
        <DialogContent
          title={created ? "Your new API key" : "Create an API key"}
          onInteractOutside={(event) => {
            if (created) event.preventDefault(); // the secret is not lost by a stray click
          }}
        >
          {created ? (
            <ShowSecretOnce created={created} onDone={() => close(false)} />
          ) : role ? (
            <CreateKeyForm myRole={role} onCreated={setCreated} />
          ) : null}
        </DialogContent>
      </Dialog>
      {keys.isPending ? (
        <LoadingState rows={3} label="Loading API keys" />
      ) : keys.isError ? (
        <ErrorState error={problemMessage(keys.error)} onRetry={() => void keys.refetch()} />
      ) : keys.data.length === 0 ? (
        <EmptyState icon={KeyRound} title="No API keys yet" action={createButton}>
          Create a key to send messages, sync contacts or read reports from your own code. The API
          reference (Docs) shows every call.
        </EmptyState>
      ) : (
        <Card>
          <CardContent className="px-0 pb-0 sm:px-0">
            <Table aria-label="API keys">
              <TableHeader>
                <TableRow>
                  <TableHead className="pl-5">Name</TableHead>
                  <TableHead>Key</TableHead>
                  <TableHead>Role</TableHead>
                  <TableHead>Created</TableHead>
                  <TableHead>Last used</TableHead>
                  <TableHead className="pr-5 text-right">
                    <span className="sr-only">Actions</span>
                  </TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {keys.data.map((apiKey) => (
                  <KeyRow key={apiKey.id} apiKey={apiKey} />
                ))}
              </TableBody>
            </Table>
          </CardContent>
        </Card>
      )}
    </>
  );
}
