import * as React from "react";

import { cn } from "@/lib/utils";

import { Badge } from "./badge";

export type DotTone = "success" | "warning" | "danger" | "neutral";

const TONES: Record<DotTone, string> = {
  success: "bg-success",
  warning: "bg-warning",
  danger: "bg-destructive",
  neutral: "bg-muted-foreground",
};

/** A state as text with a coloured dot: the colour helps, the text (full contrast) says it. */
export function DotBadge({
  tone,
  className,
  children,
  ...props
}: React.ComponentProps<"span"> & { tone: DotTone }) {
  return (
    <Badge variant="outline" className={cn("gap-1.5", className)} {...props}>
      <span aria-hidden="true" className={cn("size-1.5 shrink-0 rounded-full", TONES[tone])} />
      {children}
    </Badge>
  );
}
