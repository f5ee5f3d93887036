"use client";

import {
  ArrowDownLeft,
  ArrowUpRight,
  Ban,
  CheckCircle2,
  MessageSquare,
  Pencil,
  ShieldCheck,
  Trash2,
  X,
} from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import * as React from "react";

import { problemMessage } from "@/api/problem";
import { PageHeader } from "@/components/shell/app-frame";
import { Badge } from "@/components/ui/badge";
import { StatusBadge } from "@/components/ui/status-badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Input } from "@/components/ui/input";
import { EmptyState, ErrorState, LoadingState } from "@/components/ui/states";
import { toast } from "@/components/ui/toast";
import { formatDateTime, formatPhone } from "@/lib/format";

import { ContactFormDialog } from "./contact-form";
import { contactName } from "./contacts-list";
import {
  type ConsentEvent,
  type Contact,
  useAddTags,
  useConsentEvents,
  useContact,
  useContactMessages,
  useDeleteContact,
  useRemoveTag,
  useSetOptOut,
} from "./hooks";
import { parseTags, tagsProblem } from "./schemas";

const SOURCES: Record<string, string> = {
  keyword: "Texted a keyword",
  api: "Console or API",
  provider_error: "Carrier reported unreachable",
  import: "CSV import",
  agent: "An agent",
};

function Detail({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="grid gap-0.5">
      <dt className="text-xs font-medium text-muted-foreground">{label}</dt>
      <dd className="text-sm break-words">
        {children || <span className="text-muted-foreground">—</span>}
      </dd>
    </div>
  );
}

function TagsCard({ contact }: { contact: Contact }) {
  const add = useAddTags(contact.id);
  const remove = useRemoveTag(contact.id);
  const [text, setText] = React.useState("");
  const [error, setError] = React.useState<string | null>(null);
  return (
    <Card>
      <CardHeader>
        <CardTitle>Tags</CardTitle>
      </CardHeader>
      <CardContent className="grid gap-3">
        {contact.tags.length === 0 ? (
          <p className="text-sm text-muted-foreground">No tag yet.</p>
        ) : (
          <ul className="flex flex-wrap gap-1.5" aria-label="Tags of this contact">
            {contact.tags.map((t) => (
              <li key={t}>
                <Badge variant="outline" className="gap-0.5 pr-1">
                  {t}
                  <button
                    type="button"
                    aria-label={`Remove tag ${t}`}
                    className="rounded-full p-0.5 hover:bg-background focus-visible:outline-2 focus-visible:outline-ring"
                    onClick={() =>
                      remove.mutate(t, {
                        onError: (e) => toast.error("Could not remove the tag", problemMessage(e)),
                      })
                    }
                  >
                    <X className="size-3" aria-hidden="true" />
                  </button>
                </Badge>
              </li>
            ))}
          </ul>
        )}
        <form
          noValidate
          className="grid gap-1"
          onSubmit={async (e) => {
            e.preventDefault();
            const tags = parseTags(text);
            const problem = tags.length ? tagsProblem(text) : "Enter a tag.";
            setError(problem);
            if (problem) return;
            try {
              await add.mutateAsync(tags);
              setText("");
            } catch (err) {
              setError(problemMessage(err));
            }
          }}
        >
          <div className="flex gap-2">
            <Input
              aria-label="New tags"
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? "new-tags-error" : undefined}
              placeholder="Add tags, separated by commas"
              value={text}
              onChange={(e) => setText(e.target.value)}
            />
            <Button type="submit" variant="outline" disabled={add.isPending}>
              Add
            </Button>
          </div>
          {error ? (
            <p id="new-tags-error" role="alert" className="text-xs font-medium text-destructive">
              {error}
            </p>
          ) : null}
        </form>
      </CardContent>
    </Card>
  );
}

function ConsentCard({ contact }: { contact: Contact }) {
  const events = useConsentEvents(contact.id);
  const setOptOut = useSetOptOut(contact.id);
  const optingOut = !contact.opted_out;
  return (
    <Card>
      <CardHeader className="flex flex-row items-start justify-between gap-3">
        <div className="grid gap-1">
          <CardTitle>Consent</CardTitle>
          <CardDescription>
            {contact.opted_out
              ? `Opted out${contact.opted_out_at ? ` ${formatDateTime(contact.opted_out_at)}` : ""}: no message reaches this number.`
              : "Can receive messages."}
          </CardDescription>
        </div>
        <ConfirmDialog
          trigger={
            <Button variant="outline" size="sm">
              {optingOut ? <Ban aria-hidden="true" /> : <ShieldCheck aria-hidden="true" />}
              {optingOut ? "Opt out" : "Opt back in"}
            </Button>
          }
          title={optingOut ? "Opt this contact out?" : "Opt this contact back in?"}
          description={
            optingOut
              ? "No campaign or message will reach this number until it opts back in. The change is recorded in the consent history."
              : "Only opt a contact back in when they asked for it (a new written consent). The change is recorded."
          }
          confirmLabel={optingOut ? "Opt out" : "Opt back in"}
          destructive={optingOut}
          pending={setOptOut.isPending}
          onConfirm={async () => {
            try {
              await setOptOut.mutateAsync({ optedOut: optingOut, reason: "from the console" });
            } catch (error) {
              toast.error("Could not change the consent", problemMessage(error));
              throw error;
            }
          }}
        />
      </CardHeader>
      <CardContent>
        {events.isPending ? (
          <LoadingState rows={2} label="Loading consent history" />
        ) : events.isError ? (
          <ErrorState error={problemMessage(events.error)} onRetry={() => void events.refetch()} />
        ) : events.data.length === 0 ? (
          <p className="text-sm text-muted-foreground">No opt-out or opt-in recorded.</p>
        ) : (
          <ol className="grid gap-3" aria-label="Consent history">
            {events.data.map((e: ConsentEvent) => (
              <li key={e.id} className="flex gap-3 text-sm">
                {e.kind === "opt_out" ? (
                  <Ban className="mt-0.5 size-4 shrink-0 text-destructive" aria-hidden="true" />
                ) : (
                  <CheckCircle2
                    className="mt-0.5 size-4 shrink-0 text-success"
                    aria-hidden="true"
                  />
                )}
                <div className="grid gap-0.5">
                  <span className="font-medium">
                    {e.kind === "opt_out" ? "Opted out" : "Opted in"} ·{" "}
                    {SOURCES[e.source] ?? e.source}
                    {e.keyword ? ` (“${e.keyword}”)` : ""}
                  </span>
                  <span className="text-xs text-muted-foreground">
                    {formatDateTime(e.occurred_at)}
                    {e.reason ? ` · ${e.reason}` : ""}
                  </span>
                </div>
              </li>
            ))}
          </ol>
        )}
      </CardContent>
    </Card>
  );
}

function MessagesCard({ contact }: { contact: Contact }) {
  const messages = useContactMessages(contact.id);
  return (
    <Card>
      <CardHeader>
        <CardTitle>Messages</CardTitle>
        <CardDescription>The latest 50, newest first</CardDescription>
      </CardHeader>
      <CardContent>
        {messages.isPending ? (
          <LoadingState rows={3} label="Loading messages" />
        ) : messages.isError ? (
          <ErrorState
            error={problemMessage(messages.error)}
            onRetry={() => void messages.refetch()}
          />
        ) : messages.data.data.length === 0 ? (
          <EmptyState icon={MessageSquare} title="No message with this contact yet" />
        ) : (
          <ol className="grid gap-3" aria-label="Messages with this contact">
            {messages.data.data.map((m) => {
              const inbound = m.direction === "inbound";
              return (
                <li key={m.id} className={inbound ? "flex justify-start" : "flex justify-end"}>
                  <div
                    className={
                      inbound
                        ? "grid max-w-[85%] gap-1 rounded-lg border bg-muted px-3 py-2"
                        : "grid max-w-[85%] gap-1 rounded-lg border border-primary/20 bg-accent px-3 py-2"
                    }
                  >
                    <p className="text-sm break-words whitespace-pre-wrap">
                      {m.body ?? <span className="text-muted-foreground">(no text)</span>}
                    </p>
                    <p className="flex items-center gap-1 text-xs text-muted-foreground">
                      {inbound ? (
                        <ArrowDownLeft className="size-3" aria-hidden="true" />
                      ) : (
                        <ArrowUpRight className="size-3" aria-hidden="true" />
                      )}
                      {inbound ? "Received" : m.status} · {formatDateTime(m.created_at)}
                      {m.error_code ? ` · error ${m.error_code}` : ""}
                    </p>
                  </div>
                </li>
              );
            })}
          </ol>
        )}
      </CardContent>
    </Card>
  );
}

export function ContactDetail({ id }: { id: string }) {
  const contact = useContact(id);
  const remove = useDeleteContact();
  const router = useRouter();
  const [editing, setEditing] = React.useState(false);

  if (!id) {
    return <ErrorState title="No contact given" error="Open a contact from the contacts list." />;
  }
  if (contact.isPending) return <LoadingState rows={6} label="Loading contact" />;
  if (contact.isError) {
    return (
      <ErrorState
        title="This contact could not be loaded"
        error={problemMessage(contact.error)}
        onRetry={() => void contact.refetch()}
      />
    );
  }
  const c = contact.data;
  const name = contactName(c);
  const custom = Object.entries(c.fields);
  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm">
        <Link href="/contacts" className="text-muted-foreground hover:underline">
          Contacts
        </Link>
      </nav>
      <PageHeader
        title={name || formatPhone(c.phone)}
        description={
          <span className="flex flex-wrap items-center gap-2">
            <span className="tabular-nums">{formatPhone(c.phone)}</span>
            {c.opted_out ? (
              <StatusBadge tone="danger">Opted out</StatusBadge>
            ) : (
              <StatusBadge tone="success">Reachable</StatusBadge>
            )}
            <Badge variant="outline">{c.lead_stage}</Badge>
          </span>
        }
        actions={
          <>
            <Button variant="outline" onClick={() => setEditing(true)}>
              <Pencil aria-hidden="true" /> Edit
            </Button>
            <ConfirmDialog
              trigger={
                <Button variant="outline">
                  <Trash2 aria-hidden="true" /> Delete
                </Button>
              }
              title="Delete this contact?"
              description="Their personal data is erased (names, email, fields, tags, message bodies). If the number opted out, it stays opted out."
              confirmLabel="Delete contact"
              destructive
              pending={remove.isPending}
              onConfirm={async () => {
                try {
                  await remove.mutateAsync(c.id);
                  toast.success("Contact deleted");
                  router.push("/contacts");
                } catch (error) {
                  toast.error("Could not delete", problemMessage(error));
                  throw error;
                }
              }}
            />
          </>
        }
      />
      <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_minmax(0,1.3fr)]">
        <div className="grid content-start gap-6">
          <Card>
            <CardHeader>
              <CardTitle>Details</CardTitle>
            </CardHeader>
            <CardContent>
              <dl className="grid gap-3 sm:grid-cols-2">
                <Detail label="First name">{c.first_name}</Detail>
                <Detail label="Last name">{c.last_name}</Detail>
                <Detail label="Phone (E.164)">{c.phone}</Detail>
                <Detail label="Email">{c.email}</Detail>
                <Detail label="Time zone">{c.timezone}</Detail>
                <Detail label="Last message from them">
                  {c.last_message_at ? formatDateTime(c.last_message_at) : null}
                </Detail>
                <Detail label="Added">{formatDateTime(c.created_at)}</Detail>
                <Detail label="Updated">{formatDateTime(c.updated_at)}</Detail>
              </dl>
              <h3 className="mt-5 mb-2 text-sm font-semibold">Custom fields</h3>
              {custom.length === 0 ? (
                <p className="text-sm text-muted-foreground">None.</p>
              ) : (
                <dl className="grid gap-3 sm:grid-cols-2">
                  {custom.map(([key, value]) => (
                    <Detail key={key} label={key}>
                      {typeof value === "object" ? JSON.stringify(value) : String(value)}
                    </Detail>
                  ))}
                </dl>
              )}
            </CardContent>
          </Card>
          <TagsCard contact={c} />
          <ConsentCard contact={c} />
        </div>
        <MessagesCard contact={c} />
      </div>
      {editing ? <ContactFormDialog contact={c} onClose={() => setEditing(false)} /> : null}
    </>
  );
}
