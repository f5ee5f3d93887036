"use client";

import { Check, Columns3 } from "lucide-react";
import { DropdownMenu as Menu } from "radix-ui";

import { Button } from "@/components/ui/button";

/** Which custom fields show as columns: a menu of checkboxes (arrows, Space, Escape). */
export function ColumnChooser({
  keys,
  chosen,
  onChange,
}: {
  keys: string[];
  chosen: string[];
  onChange: (next: string[]) => void;
}) {
  return (
    <Menu.Root modal={false}>
      <Menu.Trigger asChild>
        <Button variant="outline">
          <Columns3 aria-hidden="true" />
          Columns
        </Button>
      </Menu.Trigger>
      <Menu.Portal>
        <Menu.Content
          align="end"
          sideOffset={6}
          className="z-50 max-h-80 min-w-52 overflow-y-auto rounded-lg border bg-card p-1 text-card-foreground shadow-lg"
        >
          <Menu.Label className="px-2 py-1.5 text-xs font-medium text-muted-foreground">
            Custom fields
          </Menu.Label>
          {keys.length === 0 ? (
            <p className="px-2 py-1.5 text-sm text-muted-foreground">
              No custom field on this page.
            </p>
          ) : (
            keys.map((key) => (
              <Menu.CheckboxItem
                key={key}
                checked={chosen.includes(key)}
                onSelect={(e) => e.preventDefault()}
                onCheckedChange={(on) =>
                  onChange(on ? [...chosen, key] : chosen.filter((k) => k !== key))
                }
                className="relative flex cursor-default items-center gap-2 rounded-md py-1.5 pr-2 pl-7 text-sm outline-none select-none data-[highlighted]:bg-muted"
              >
                <Menu.ItemIndicator className="absolute left-2 flex size-3.5 items-center justify-center">
                  <Check className="size-3.5" aria-hidden="true" />
                </Menu.ItemIndicator>
                {key}
              </Menu.CheckboxItem>
            ))
          )}
        </Menu.Content>
      </Menu.Portal>
    </Menu.Root>
  );
}
