"use client";

import { problemMessage } from "@/api/problem";
import { Button } from "@/components/ui/button";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { toast } from "@/components/ui/toast";
import { useSession } from "@/features/tenancy/session";

import { type Patch, useMarkRead, usePatchConversations } from "./hooks";

/** Actions on the selected conversations (each one a PATCH; the list refetches after). */
export function BulkBar({ ids, onDone }: { ids: string[]; onDone: () => void }) {
  const me = useSession((s) => s.me?.user?.id ?? null);
  const patch = usePatchConversations();
  const read = useMarkRead();
  const busy = patch.isPending || read.isPending;
  const run = (label: string, body: Patch) =>
    patch.mutate(
      { ids, patch: body },
      {
        onSuccess: () => {
          toast.success(`${label}: ${ids.length} conversation${ids.length > 1 ? "s" : ""}`);
          onDone();
        },
        onError: (error) => toast.error(`${label} failed`, problemMessage(error)),
      },
    );
  return (
    <div
      role="toolbar"
      aria-label="Selected conversations"
      className="flex flex-wrap items-center gap-1.5 rounded-md bg-muted p-1.5"
    >
      <span className="px-1 text-xs font-medium">{ids.length} selected</span>
      <Button
        size="sm"
        variant="outline"
        disabled={busy}
        onClick={() => run("Closed", { status: "closed" })}
      >
        Close
      </Button>
      <Button
        size="sm"
        variant="outline"
        disabled={busy}
        onClick={() => run("Reopened", { status: "open" })}
      >
        Reopen
      </Button>
      <DropdownMenu>
        <DropdownMenuTrigger asChild>
          <Button size="sm" variant="outline" disabled={busy}>
            More
          </Button>
        </DropdownMenuTrigger>
        <DropdownMenuContent align="start">
          {me ? (
            <DropdownMenuItem onSelect={() => run("Assigned to you", { assignee_id: me })}>
              Assign to me
            </DropdownMenuItem>
          ) : null}
          <DropdownMenuItem onSelect={() => run("Unassigned", { assignee_id: null })}>
            Unassign
          </DropdownMenuItem>
          <DropdownMenuItem onSelect={() => run("Snoozed", { status: "snoozed" })}>
            Snooze until they reply
          </DropdownMenuItem>
          <DropdownMenuItem
            onSelect={() =>
              read.mutate(
                { ids, read: true },
                { onSuccess: onDone, onError: (e) => toast.error("Failed", problemMessage(e)) },
              )
            }
          >
            Mark read
          </DropdownMenuItem>
          <DropdownMenuItem
            onSelect={() =>
              read.mutate(
                { ids, read: false },
                { onSuccess: onDone, onError: (e) => toast.error("Failed", problemMessage(e)) },
              )
            }
          >
            Mark unread
          </DropdownMenuItem>
        </DropdownMenuContent>
      </DropdownMenu>
      <Button size="sm" variant="ghost" onClick={onDone}>
        Clear
      </Button>
    </div>
  );
}
