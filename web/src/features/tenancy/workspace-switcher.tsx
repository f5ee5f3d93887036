"use client";

import { Check, ChevronsUpDown } from "lucide-react";
import { useState } from "react";

import { problemMessage } from "@/api/problem";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { toast } from "@/components/ui/toast";

import { ROLE_LABELS } from "./roles";
import { switchWorkspace, useSession } from "./session";

function initials(name: string): string {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0]?.toUpperCase())
    .join("");
}

/** The current workspace; switching gets tokens for the other one and resets every query. */
export function WorkspaceSwitcher() {
  const me = useSession((s) => s.me);
  const [busy, setBusy] = useState(false);
  if (!me) return null;
  const current = me.workspace;

  async function choose(id: string, name: string) {
    if (id === current.id) return;
    setBusy(true);
    try {
      await switchWorkspace(id);
      toast.success(`Switched to ${name}`);
    } catch (error) {
      toast.error("Could not switch workspace", problemMessage(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <DropdownMenu>
      <DropdownMenuTrigger
        disabled={busy}
        className="flex min-w-0 items-center gap-2 rounded-md px-2 py-1.5 text-left hover:bg-muted"
      >
        <span
          aria-hidden="true"
          className="grid size-7 shrink-0 place-items-center rounded-md bg-accent text-xs font-semibold text-accent-foreground"
        >
          {initials(current.name)}
        </span>
        <span className="grid min-w-0 leading-tight">
          <span className="truncate text-sm font-semibold">
            <span className="sr-only">Workspace: </span>
            {current.name}
          </span>
          <span className="text-xs text-muted-foreground">{ROLE_LABELS[me.role]}</span>
        </span>
        <ChevronsUpDown className="size-4 shrink-0 text-muted-foreground" aria-hidden="true" />
      </DropdownMenuTrigger>
      <DropdownMenuContent align="start" className="w-64">
        <DropdownMenuLabel>Workspaces</DropdownMenuLabel>
        {me.memberships.map(({ workspace, role }) => (
          <DropdownMenuItem
            key={workspace.id}
            onSelect={() => void choose(workspace.id, workspace.name)}
          >
            <span
              aria-hidden="true"
              className="grid size-6 shrink-0 place-items-center rounded bg-muted text-[10px] font-semibold"
            >
              {initials(workspace.name)}
            </span>
            <span className="grid min-w-0 flex-1 leading-tight">
              <span className="truncate">{workspace.name}</span>
              <span className="text-xs text-muted-foreground">{ROLE_LABELS[role]}</span>
            </span>
            {workspace.id === current.id ? (
              <Check className="text-primary" aria-label="Current workspace" />
            ) : null}
          </DropdownMenuItem>
        ))}
      </DropdownMenuContent>
    </DropdownMenu>
  );
}
