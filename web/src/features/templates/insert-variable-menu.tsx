"use client";

import { Braces } from "lucide-react";
import type { RefObject } from "react";
import { flushSync } from "react-dom";

import { Button } from "@/components/ui/button";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";

import { insertAt, VARIABLES } from "./variables";

interface InsertVariableMenuProps {
  /** The message box the variable goes into, at its caret. */
  field: RefObject<HTMLTextAreaElement | null>;
  /** The message as it stands (read at the moment of choosing). */
  value: () => string;
  onChange: (text: string) => void;
}

/**
 * "Insert variable": puts the chosen tag at the message's caret and gives the focus back
 * to the message at once, caret after the tag, so typing goes on where it left off (the
 * menu's close leaves a focus that has moved where it is).
 */
export function InsertVariableMenu({ field, value, onChange }: InsertVariableMenuProps) {
  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button type="button" variant="ghost" size="sm">
          <Braces aria-hidden="true" />
          Insert variable
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="end">
        {VARIABLES.map((v) => (
          <DropdownMenuItem
            key={v.tag}
            onSelect={() => {
              const el = field.current;
              const current = value();
              const next = insertAt(
                current,
                v.tag,
                el?.selectionStart ?? current.length,
                el?.selectionEnd ?? current.length,
              );
              // Rendered now, so the caret is placed in the new text, not the old.
              flushSync(() => onChange(next.text));
              el?.focus();
              el?.setSelectionRange(next.caret, next.caret);
            }}
          >
            <span>{v.label}</span>
            <code className="ml-auto pl-4 text-xs text-muted-foreground">{v.tag}</code>
          </DropdownMenuItem>
        ))}
      </DropdownMenuContent>
    </DropdownMenu>
  );
}
