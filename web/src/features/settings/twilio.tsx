"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { PlugZap } from "lucide-react";
import Link from "next/link";
import { useForm } from "react-hook-form";

import { applyProblem, problemMessage } from "@/api/problem";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader } from "@/components/ui/card";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { ErrorState, LoadingState, Spinner } from "@/components/ui/states";
import { toast } from "@/components/ui/toast";
import { formatDateTime } from "@/lib/format";

import { type TwilioConfig, useConnectTwilio, useDisconnectTwilio, useTwilioConfig } from "./hooks";
import { type TwilioValues, twilioSchema } from "./schemas";
import { CardHeading, StatusBadge, CopyField, FormActions, SectionHeader } from "./section";

const FIELDS = ["account_sid", "auth_token", "messaging_service_sid"] as const;

function ConnectForm({ current }: { current: TwilioConfig | null }) {
  const connect = useConnectTwilio();
  const form = useForm<TwilioValues>({
    resolver: zodResolver(twilioSchema),
    defaultValues: {
      account_sid: current?.account_sid ?? "",
      auth_token: "",
      messaging_service_sid: current?.messaging_service_sid ?? "",
    },
  });
  const { errors, isSubmitting } = form.formState;
  const onSubmit = form.handleSubmit(async (values) => {
    try {
      const saved = await connect.mutateAsync({
        account_sid: values.account_sid,
        auth_token: values.auth_token,
        messaging_service_sid: values.messaging_service_sid || null,
      });
      form.reset({
        account_sid: saved.account_sid,
        auth_token: "",
        messaging_service_sid: saved.messaging_service_sid ?? "",
      });
      toast.success("Twilio connected", "Twilio accepted the credentials.");
    } catch (error) {
      applyProblem(form, error, {
        fields: FIELDS,
        slugs: { "invalid-credentials": "auth_token", "provider-unavailable": "auth_token" },
      });
    }
  });
  return (
    <form onSubmit={onSubmit} noValidate className="grid gap-4">
      <Field
        id="twilio-sid"
        label="Account SID"
        error={errors.account_sid?.message}
        hint="In the Twilio Console, on the account's home page: AC followed by 32 characters."
      >
        <Input
          autoComplete="off"
          spellCheck={false}
          placeholder="AC…"
          className="font-mono"
          {...form.register("account_sid")}
        />
      </Field>
      <Field
        id="twilio-token"
        label="Auth Token"
        error={errors.auth_token?.message}
        hint="Next to the Account SID. It is checked with Twilio, then stored encrypted."
      >
        <Input
          type="password"
          autoComplete="off"
          spellCheck={false}
          className="font-mono"
          {...form.register("auth_token")}
        />
      </Field>
      <Field
        id="twilio-mg"
        label="Messaging Service SID (optional)"
        error={errors.messaging_service_sid?.message}
        hint="Send through a Messaging Service (MG…) instead of from the numbers directly."
      >
        <Input
          autoComplete="off"
          spellCheck={false}
          placeholder="MG…"
          className="font-mono"
          {...form.register("messaging_service_sid")}
        />
      </Field>
      {errors.root?.server ? <Alert variant="error">{errors.root.server.message}</Alert> : null}
      <FormActions>
        <Button type="submit" disabled={isSubmitting}>
          {isSubmitting ? (
            <Spinner className="text-primary-foreground" label="Checking with Twilio" />
          ) : (
            <PlugZap aria-hidden="true" />
          )}
          {current ? "Replace credentials" : "Connect Twilio"}
        </Button>
      </FormActions>
    </form>
  );
}

function Connected({ config }: { config: TwilioConfig }) {
  const disconnect = useDisconnectTwilio();
  return (
    <Card>
      <CardHeader>
        <div className="flex flex-wrap items-center justify-between gap-2">
          <CardHeading>Status</CardHeading>
          <StatusBadge tone="success">Connected</StatusBadge>
        </div>
      </CardHeader>
      <CardContent className="grid gap-4">
        <dl className="grid gap-3 text-sm sm:grid-cols-[12rem_minmax(0,1fr)]">
          <dt className="text-muted-foreground">Account SID</dt>
          <dd className="font-mono break-all">{config.account_sid}</dd>
          <dt className="text-muted-foreground">Auth Token</dt>
          <dd className="font-mono break-all">{config.auth_token}</dd>
          <dt className="text-muted-foreground">Messaging Service</dt>
          <dd className="font-mono break-all">
            {config.messaging_service_sid ?? "None: numbers send directly"}
          </dd>
          <dt className="text-muted-foreground">Checked with Twilio</dt>
          <dd>{config.validated_at ? formatDateTime(config.validated_at) : "Not yet"}</dd>
        </dl>
        <div className="flex justify-end">
          <ConfirmDialog
            trigger={<Button variant="outline">Disconnect</Button>}
            title="Disconnect Twilio?"
            description="The credentials are deleted. Messages stop going out through this account until you connect one again; your numbers stay in the workspace."
            confirmLabel="Disconnect"
            destructive
            pending={disconnect.isPending}
            onConfirm={() =>
              disconnect.mutateAsync().then(
                () => toast.success("Twilio disconnected"),
                (error: unknown) => {
                  toast.error("Not disconnected", problemMessage(error));
                  throw error;
                },
              )
            }
          />
        </div>
      </CardContent>
    </Card>
  );
}

function WebhookUrls({ config }: { config: TwilioConfig }) {
  return (
    <Card>
      <CardHeader>
        <CardHeading>Webhook URLs</CardHeading>
        <CardDescription>
          Numbers you import or buy on the{" "}
          <Link href="/numbers" className="font-medium text-primary underline">
            Numbers
          </Link>{" "}
          page are set up for you. For numbers or a Messaging Service configured in Twilio yourself,
          paste these into its messaging settings (HTTP POST).
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        <div className="grid gap-1.5">
          <p className="text-sm font-medium">A message comes in</p>
          <CopyField
            id="twilio-inbound-url"
            value={config.inbound_webhook_url}
            what="the incoming message URL"
          />
        </div>
        <div className="grid gap-1.5">
          <p className="text-sm font-medium">Status callback URL</p>
          <CopyField
            id="twilio-status-url"
            value={config.status_webhook_url}
            what="the status callback URL"
          />
        </div>
      </CardContent>
    </Card>
  );
}

export function TwilioSettings() {
  const config = useTwilioConfig();
  return (
    <>
      <SectionHeader
        title="Twilio"
        description="The Twilio account your messages go through. Until one is connected, the built-in simulator answers (for trying things out; nothing reaches a phone)."
      />
      {config.isPending ? (
        <LoadingState rows={4} label="Loading the Twilio connection" className="max-w-2xl" />
      ) : config.isError ? (
        <ErrorState error={problemMessage(config.error)} onRetry={() => void config.refetch()} />
      ) : (
        <div className="grid max-w-2xl grid-cols-[minmax(0,1fr)] gap-6">
          {config.data ? (
            <>
              <Connected config={config.data} />
              <WebhookUrls config={config.data} />
            </>
          ) : (
            <Alert variant="info">No Twilio account is connected to this workspace.</Alert>
          )}
          <Card>
            <CardHeader>
              <CardHeading>
                {config.data ? "Replace the credentials" : "Connect your account"}
              </CardHeading>
              <CardDescription>Twilio checks them before anything is saved.</CardDescription>
            </CardHeader>
            <CardContent>
              <ConnectForm key={config.data?.account_sid ?? "none"} current={config.data} />
            </CardContent>
          </Card>
        </div>
      )}
    </>
  );
}
