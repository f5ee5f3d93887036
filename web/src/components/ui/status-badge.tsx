import * as React from "react";

import { cn } from "@/lib/utils";

const DOT = {
  success: "bg-success",
  warning: "bg-warning",
  danger: "bg-destructive",
  neutral: "bg-muted-foreground",
  primary: "bg-primary",
} as const;

export type StatusTone = keyof typeof DOT;

/**
 * A state as a coloured dot and dark text (Enabled, Paid, Failed...): the colour carries
 * the tone, the text stays readable at any size (tinted text on a tint of the same colour
 * fails WCAG's 4.5:1 at badge size for green and amber).
 */
export function StatusBadge({
  tone,
  className,
  children,
  ...props
}: React.ComponentProps<"span"> & { tone: StatusTone }) {
  return (
    <span
      className={cn(
        "inline-flex items-center gap-1.5 rounded-full border bg-card px-2 py-0.5 text-xs font-medium whitespace-nowrap text-foreground",
        className,
      )}
      {...props}
    >
      <span aria-hidden className={cn("size-1.5 shrink-0 rounded-full", DOT[tone])} />
      {children}
    </span>
  );
}
