"use client";

import * as React from "react";

import { cn } from "@/lib/utils";

import { Label } from "./label";

interface FieldProps {
  label: string;
  /** The control's id; the label, hint and error are tied to it for screen readers. */
  id: string;
  error?: string | undefined;
  hint?: React.ReactNode;
  /** Something on the label's line, right-aligned (a "Forgot password?" link). */
  aside?: React.ReactNode;
  className?: string;
  /** One control: an <input>, <textarea>, <Select> or anything taking these attributes. */
  children: React.ReactElement<{
    id?: string;
    "aria-invalid"?: boolean | undefined;
    "aria-describedby"?: string | undefined;
  }>;
}

/**
 * A labelled form control with its hint and its error shown right under it. The control
 * gets `aria-invalid` and `aria-describedby`, so the error is read with the field.
 */
export function Field({ label, id, error, hint, aside, className, children }: FieldProps) {
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(" ") || undefined;
  return (
    <div className={cn("grid gap-1.5", className)}>
      <div className="flex items-center justify-between gap-2">
        <Label htmlFor={id}>{label}</Label>
        {aside}
      </div>
      {React.cloneElement(children, {
        id,
        "aria-invalid": error ? true : undefined,
        "aria-describedby": describedBy,
      })}
      {hint && !error ? (
        <p id={hintId} className="text-xs text-muted-foreground">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={errorId} role="alert" className="text-xs font-medium text-destructive">
          {error}
        </p>
      ) : null}
    </div>
  );
}
