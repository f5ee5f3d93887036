"use client";

import { useEffect, useRef } from "react";

import { Dialog, DialogContent } from "@/components/ui/dialog";

export interface ShortcutActions {
  next: () => void;
  previous: () => void;
  reply: () => void;
  close: () => void;
  assign: () => void;
  snooze: () => void;
  search: () => void;
  help: () => void;
}

export const SHORTCUTS: readonly { keys: string; label: string; action: keyof ShortcutActions }[] =
  [
    { keys: "j", label: "Next conversation", action: "next" },
    { keys: "k", label: "Previous conversation", action: "previous" },
    { keys: "r", label: "Reply (focus the composer)", action: "reply" },
    { keys: "e", label: "Close or reopen", action: "close" },
    { keys: "a", label: "Assign", action: "assign" },
    { keys: "s", label: "Snooze", action: "snooze" },
    { keys: "/", label: "Search", action: "search" },
    { keys: "?", label: "This list", action: "help" },
  ];

/** Whether a key press belongs to what has focus (typing, a menu, a dialog). */
function typingIn(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target.closest("[role=menu], [role=dialog], [role=listbox]")) return true;
  return ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

/** The inbox's single-key shortcuts (none with a modifier, none while typing). */
export function useInboxShortcuts(actions: ShortcutActions) {
  const current = useRef(actions);
  useEffect(() => {
    current.current = actions;
  });
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || typingIn(e.target)) return;
      const found = SHORTCUTS.find((s) => s.keys === e.key);
      if (!found) return;
      e.preventDefault();
      current.current[found.action]();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
}

export function ShortcutsDialog({
  open,
  onOpenChange,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent
        title="Keyboard shortcuts"
        description="In the inbox, when you are not typing."
      >
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
          {SHORTCUTS.map((s) => (
            <div key={s.keys} className="contents">
              <dt>
                <kbd className="rounded border bg-muted px-1.5 py-0.5 font-mono text-xs">
                  {s.keys}
                </kbd>
              </dt>
              <dd>{s.label}</dd>
            </div>
          ))}
          <div className="contents">
            <dt>
              <kbd className="rounded border bg-muted px-1.5 py-0.5 font-mono text-xs">
                Ctrl/⌘ Enter
              </kbd>
            </dt>
            <dd>Send the reply</dd>
          </div>
        </dl>
      </DialogContent>
    </Dialog>
  );
}
