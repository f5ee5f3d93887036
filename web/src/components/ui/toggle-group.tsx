"use client";

import { ToggleGroup as Group } from "radix-ui";
import * as React from "react";

import { cn } from "@/lib/utils";

/** A segmented control: one choice among a few (24h / 7d / 30d). */
export function SegmentedControl<T extends string>({
  value,
  onValueChange,
  options,
  label,
  className,
}: {
  value: T;
  onValueChange: (value: T) => void;
  options: readonly { value: T; label: string }[];
  label: string;
  className?: string;
}) {
  return (
    <Group.Root
      type="single"
      value={value}
      aria-label={label}
      onValueChange={(next) => next && onValueChange(next as T)}
      className={cn("inline-flex rounded-lg border bg-muted p-0.5", className)}
    >
      {options.map((option) => (
        <Group.Item
          key={option.value}
          value={option.value}
          className="rounded-md px-3 py-1 text-xs font-medium text-muted-foreground transition-colors hover:text-foreground data-[state=on]:bg-card data-[state=on]:text-foreground data-[state=on]:shadow-sm"
        >
          {option.label}
        </Group.Item>
      ))}
    </Group.Root>
  );
}
