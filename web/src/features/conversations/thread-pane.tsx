"use client";

import {
  AlarmClock,
  ArrowLeft,
  Bot,
  CheckCircle2,
  CircleDot,
  MailOpen,
  PanelRight,
  UserRound,
} from "lucide-react";
import { type Ref, useEffect, useImperativeHandle, useRef, useState } from "react";

import { problemMessage } from "@/api/problem";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogFooter } from "@/components/ui/dialog";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { Input } from "@/components/ui/input";
import { Sheet, SheetContent } from "@/components/ui/sheet";
import { EmptyState, ErrorState, LoadingState } from "@/components/ui/states";
import { toast } from "@/components/ui/toast";
import { useSession } from "@/features/tenancy/session";
import { formatDateTime, formatPhone } from "@/lib/format";
import { cn } from "@/lib/utils";

import { Composer, type ComposerHandle } from "./composer";
import { contactName } from "./conversation-list";
import {
  type Conversation,
  type Patch,
  useConversation,
  useMarkRead,
  useMembers,
  usePatchConversations,
} from "./hooks";
import { MessageList } from "./message-list";
import { SidePanel } from "./side-panel";

export interface ThreadHandle {
  focusComposer: () => void;
  toggleClosed: () => void;
  openAssign: () => void;
  openSnooze: () => void;
}

export function ThreadPane({
  ref,
  className,
  conversationId,
  onBack,
}: {
  ref?: Ref<ThreadHandle>;
  className?: string;
  conversationId: string | null;
  onBack: () => void;
}) {
  const conversation = useConversation(conversationId);
  const composer = useRef<ComposerHandle>(null);
  const [assignOpen, setAssignOpen] = useState(false);
  const [snoozeOpen, setSnoozeOpen] = useState(false);
  const [detailsOpen, setDetailsOpen] = useState(false);
  const patch = usePatchConversations();
  const c = conversation.data;

  const change = (label: string, body: Patch) => {
    if (!c) return;
    patch.mutate(
      { ids: [c.id], patch: body },
      {
        onSuccess: () => toast.success(label),
        onError: (error) => toast.error("The change was not saved", problemMessage(error)),
      },
    );
  };

  useImperativeHandle(ref, () => ({
    focusComposer: () => composer.current?.focus(),
    toggleClosed: () => {
      if (c)
        change(c.status === "closed" ? "Reopened" : "Closed", {
          status: c.status === "closed" ? "open" : "closed",
        });
    },
    openAssign: () => c && setAssignOpen(true),
    openSnooze: () => c && setSnoozeOpen(true),
  }));

  useMarkReadWhenOpen(c);

  if (!conversationId) {
    return (
      <section
        aria-label="Conversation"
        className={cn("min-h-0 flex-col items-center justify-center p-6", className)}
      >
        <EmptyState title="No conversation open">
          Pick one in the list, or press <kbd className="rounded border px-1">j</kbd> for the first.{" "}
          <kbd className="rounded border px-1">?</kbd> lists the shortcuts.
        </EmptyState>
      </section>
    );
  }

  return (
    <section aria-label="Conversation" className={cn("min-h-0 min-w-0", className)}>
      <div className="flex min-h-0 min-w-0 flex-1 flex-col">
        <header className="flex flex-wrap items-center gap-2 border-b bg-card px-3 py-2">
          <Button
            variant="ghost"
            size="icon"
            className="md:hidden"
            aria-label="Back to the list"
            onClick={onBack}
          >
            <ArrowLeft />
          </Button>
          <div className="min-w-0 flex-1">
            <h2 className="truncate text-base font-semibold">
              {c ? contactName(c.contact) : "Loading…"}
            </h2>
            {c ? (
              <p className="flex flex-wrap items-center gap-1.5 text-xs text-muted-foreground">
                {c.contact.first_name || c.contact.last_name ? (
                  <span>{formatPhone(c.contact.phone)}</span>
                ) : null}
                <Badge
                  variant={c.status === "open" ? "primary" : "outline"}
                  data-testid="conversation-status"
                >
                  {statusLabel(c)}
                </Badge>
                {c.needs_human ? (
                  <Badge variant="warning" data-testid="handoff-badge">
                    <Bot className="size-3" aria-hidden /> Needs human
                    {c.needs_human_reason ? `: ${c.needs_human_reason}` : ""}
                  </Badge>
                ) : null}
              </p>
            ) : null}
          </div>
          {c ? (
            <div className="flex flex-wrap items-center gap-1">
              <AssignMenu
                conversation={c}
                open={assignOpen}
                onOpenChange={setAssignOpen}
                onAssign={change}
              />
              <SnoozeMenu open={snoozeOpen} onOpenChange={setSnoozeOpen} onSnooze={change} />
              <Button
                variant="outline"
                size="sm"
                aria-keyshortcuts="e"
                onClick={() =>
                  change(c.status === "closed" ? "Reopened" : "Closed", {
                    status: c.status === "closed" ? "open" : "closed",
                  })
                }
              >
                {c.status === "closed" ? <CircleDot /> : <CheckCircle2 />}
                {c.status === "closed" ? "Reopen" : "Close"}
              </Button>
              <MarkUnreadButton id={c.id} />
              <Button
                variant="ghost"
                size="icon"
                className="2xl:hidden"
                aria-label="Contact and lead"
                onClick={() => setDetailsOpen(true)}
              >
                <PanelRight />
              </Button>
            </div>
          ) : null}
        </header>
        {conversation.isError ? (
          <ErrorState
            className="m-4"
            error={problemMessage(conversation.error)}
            onRetry={() => void conversation.refetch()}
          />
        ) : !c ? (
          <LoadingState rows={6} label="Loading the conversation" className="p-4" />
        ) : (
          <>
            <MessageList conversationId={c.id} />
            {/* Keyed: what was typed in one conversation is never sent in another. */}
            <Composer key={c.id} ref={composer} conversation={c} />
          </>
        )}
      </div>
      {c ? (
        <>
          <aside
            aria-label="Contact and lead"
            className="hidden w-72 shrink-0 overflow-y-auto border-l bg-card 2xl:block"
          >
            <SidePanel conversation={c} />
          </aside>
          <Sheet open={detailsOpen} onOpenChange={setDetailsOpen}>
            <SheetContent
              title="Contact and lead"
              className="right-0 left-auto w-80 overflow-y-auto"
            >
              <SidePanel conversation={c} />
            </SheetContent>
          </Sheet>
        </>
      ) : null}
    </section>
  );
}

function statusLabel(c: Conversation): string {
  if (c.status === "snoozed") {
    return c.snoozed_until
      ? `Snoozed until ${formatDateTime(c.snoozed_until)}`
      : "Snoozed until they reply";
  }
  return c.status === "open" ? "Open" : "Closed";
}

/** Opening an unread conversation marks it read for the caller. */
function useMarkReadWhenOpen(c: Conversation | undefined) {
  const read = useMarkRead();
  const done = useRef<string | null>(null);
  const key = c ? `${c.id}:${c.last_inbound_at ?? ""}` : null;
  useEffect(() => {
    if (!c || !c.unread || done.current === key) return;
    done.current = key;
    read.mutate({ ids: [c.id], read: true });
  }, [c, key, read]);
}

function MarkUnreadButton({ id }: { id: string }) {
  const read = useMarkRead();
  return (
    <Button
      variant="ghost"
      size="icon"
      aria-label="Mark unread"
      title="Mark unread"
      disabled={read.isPending}
      onClick={() =>
        read.mutate(
          { ids: [id], read: false },
          {
            onSuccess: () => toast.info("Marked unread"),
            onError: (e) => toast.error("Not marked unread", problemMessage(e)),
          },
        )
      }
    >
      <MailOpen />
    </Button>
  );
}

function AssignMenu({
  conversation,
  open,
  onOpenChange,
  onAssign,
}: {
  conversation: Conversation;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onAssign: (label: string, patch: Patch) => void;
}) {
  const me = useSession((s) => s.me?.user?.id ?? null);
  const members = useMembers();
  const assignee = members.data?.find((m) => m.user_id === conversation.assignee_id);
  return (
    <DropdownMenu open={open} onOpenChange={onOpenChange}>
      <DropdownMenuTrigger asChild>
        <Button variant="outline" size="sm" aria-keyshortcuts="a">
          <UserRound />
          <span className="max-w-28 truncate">
            {conversation.assignee_id
              ? conversation.assignee_id === me
                ? "You"
                : (assignee?.name ?? "Assigned")
              : "Assign"}
          </span>
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="end">
        <DropdownMenuLabel>Assign to</DropdownMenuLabel>
        {me ? (
          <DropdownMenuItem onSelect={() => onAssign("Assigned to you", { assignee_id: me })}>
            Me
          </DropdownMenuItem>
        ) : null}
        {(members.data ?? [])
          .filter((m) => m.user_id !== me)
          .map((m) => (
            <DropdownMenuItem
              key={m.user_id}
              onSelect={() => onAssign(`Assigned to ${m.name}`, { assignee_id: m.user_id })}
            >
              {m.name}
            </DropdownMenuItem>
          ))}
        <DropdownMenuSeparator />
        <DropdownMenuItem
          disabled={!conversation.assignee_id}
          onSelect={() => onAssign("Unassigned", { assignee_id: null })}
        >
          Unassign
        </DropdownMenuItem>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}

function later(hours: number): string {
  return new Date(Date.now() + hours * 3_600_000).toISOString();
}

function tomorrowAt9(): string {
  const at = new Date();
  at.setDate(at.getDate() + 1);
  at.setHours(9, 0, 0, 0);
  return at.toISOString();
}

function SnoozeMenu({
  open,
  onOpenChange,
  onSnooze,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onSnooze: (label: string, patch: Patch) => void;
}) {
  const [custom, setCustom] = useState(false);
  const [when, setWhen] = useState("");
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      <DropdownMenu open={open} onOpenChange={onOpenChange}>
        <DropdownMenuTrigger asChild>
          <Button variant="outline" size="sm" aria-keyshortcuts="s">
            <AlarmClock /> Snooze
          </Button>
        </DropdownMenuTrigger>
        <DropdownMenuContent align="end">
          <DropdownMenuLabel>Snooze until</DropdownMenuLabel>
          <DropdownMenuItem
            onSelect={() => onSnooze("Snoozed for an hour", { snoozed_until: later(1) })}
          >
            In 1 hour
          </DropdownMenuItem>
          <DropdownMenuItem
            onSelect={() => onSnooze("Snoozed for 3 hours", { snoozed_until: later(3) })}
          >
            In 3 hours
          </DropdownMenuItem>
          <DropdownMenuItem
            onSelect={() => onSnooze("Snoozed until tomorrow", { snoozed_until: tomorrowAt9() })}
          >
            Tomorrow at 9:00
          </DropdownMenuItem>
          <DropdownMenuItem
            onSelect={() => onSnooze("Snoozed for a week", { snoozed_until: later(24 * 7) })}
          >
            In a week
          </DropdownMenuItem>
          <DropdownMenuItem
            onSelect={() => onSnooze("Snoozed until they reply", { status: "snoozed" })}
          >
            Until they reply
          </DropdownMenuItem>
          <DropdownMenuSeparator />
          <DropdownMenuItem onSelect={() => setCustom(true)}>Pick a time…</DropdownMenuItem>
        </DropdownMenuContent>
      </DropdownMenu>
      <Dialog open={custom} onOpenChange={setCustom}>
        <DialogContent title="Snooze until">
          <form
            className="grid gap-4"
            onSubmit={(e) => {
              e.preventDefault();
              const at = new Date(when);
              if (!when || Number.isNaN(at.getTime()) || at.getTime() <= Date.now()) {
                setError("Pick a time in the future.");
                return;
              }
              onSnooze(`Snoozed until ${formatDateTime(at.toISOString())}`, {
                snoozed_until: at.toISOString(),
              });
              setCustom(false);
            }}
          >
            <label className="grid gap-1 text-sm font-medium">
              Date and time
              <Input
                type="datetime-local"
                value={when}
                aria-invalid={error ? true : undefined}
                aria-describedby={error ? "snooze-error" : undefined}
                onChange={(e) => {
                  setWhen(e.target.value);
                  setError(null);
                }}
              />
            </label>
            {error ? (
              <p id="snooze-error" className="text-sm text-destructive">
                {error}
              </p>
            ) : null}
            <DialogFooter>
              <Button type="submit">Snooze</Button>
            </DialogFooter>
          </form>
        </DialogContent>
      </Dialog>
    </>
  );
}
