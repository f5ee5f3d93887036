"use client";

import { Check, Copy } from "lucide-react";
import * as React from "react";

import { Button } from "@/components/ui/button";
import { toast } from "@/components/ui/toast";
import { cn } from "@/lib/utils";

/** The heading of a settings section (the frame holds the page's <h1>). */
export function SectionHeader({
  title,
  description,
  actions,
}: {
  title: string;
  description?: React.ReactNode;
  actions?: React.ReactNode;
}) {
  return (
    <div className="mb-5 flex flex-wrap items-start justify-between gap-3">
      <div className="grid gap-1">
        <h2 className="text-lg font-semibold tracking-tight">{title}</h2>
        {description ? (
          <p className="max-w-2xl text-sm text-muted-foreground">{description}</p>
        ) : null}
      </div>
      {actions}
    </div>
  );
}

/** Copies `value`; says so for a moment (and to screen readers). */
export function CopyButton({
  value,
  what,
  className,
}: {
  value: string;
  /** What is copied, read after the visible word: "Copy the inbound URL". */
  what: string;
  className?: string;
}) {
  const [copied, setCopied] = React.useState(false);
  React.useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), 2000);
    return () => clearTimeout(timer);
  }, [copied]);
  return (
    <Button
      type="button"
      variant="outline"
      size="sm"
      className={className}
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(value);
          setCopied(true);
        } catch {
          toast.error("Could not copy", "Select the text and copy it yourself.");
        }
      }}
    >
      {copied ? <Check aria-hidden="true" /> : <Copy aria-hidden="true" />}
      <span aria-live="polite">{copied ? "Copied" : "Copy"}</span>
      <span className="sr-only"> {what}</span>
    </Button>
  );
}

/** A value to copy into another system: monospace, selectable, with its copy button. */
export function CopyField({ id, value, what }: { id: string; value: string; what: string }) {
  return (
    <div className="flex min-w-0 items-center gap-2">
      <code
        id={id}
        className={cn(
          "min-w-0 flex-1 truncate rounded-md border bg-muted/60 px-3 py-2 font-mono text-xs select-all",
        )}
        title={value}
      >
        {value}
      </code>
      <CopyButton value={value} what={what} />
    </div>
  );
}

/** A row of a settings form: the fields, then the save button with its state. */
export function FormActions({ children }: { children: React.ReactNode }) {
  return <div className="flex flex-wrap items-center justify-end gap-3">{children}</div>;
}

/** A card's heading under the section's <h2>. */
export function CardHeading({ className, ...props }: React.ComponentProps<"h3">) {
  return <h3 className={cn("text-base leading-tight font-semibold", className)} {...props} />;
}

const DOT = {
  success: "bg-success",
  danger: "bg-destructive",
  warning: "bg-warning",
  neutral: "bg-muted-foreground",
} as const;

/** A state in words with a coloured dot: the text keeps the body colour (contrast on any
 * tinted background), the colour only repeats what the word says. */
export function StatusBadge({
  tone,
  children,
  className,
}: {
  tone: keyof typeof DOT;
  children: React.ReactNode;
  className?: string;
}) {
  return (
    <span
      className={cn(
        "inline-flex items-center gap-1.5 rounded-full border bg-card px-2 py-0.5 text-xs font-medium whitespace-nowrap text-foreground",
        className,
      )}
    >
      <span aria-hidden="true" className={cn("size-1.5 rounded-full", DOT[tone])} />
      {children}
    </span>
  );
}
