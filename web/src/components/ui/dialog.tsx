"use client";

import { X } from "lucide-react";
import { Dialog as Primitive } from "radix-ui";
import * as React from "react";

import { cn } from "@/lib/utils";

export const Dialog = Primitive.Root;
export const DialogTrigger = Primitive.Trigger;
export const DialogClose = Primitive.Close;

/** A centred modal with a title (read by screen readers), an optional description and a
 * close button; focus stays inside until it closes, Escape closes it. */
export function DialogContent({
  className,
  children,
  title,
  description,
  ...props
}: React.ComponentProps<typeof Primitive.Content> & {
  title: string;
  description?: React.ReactNode;
}) {
  return (
    <Primitive.Portal>
      <Primitive.Overlay className="fixed inset-0 z-50 bg-black/40" />
      <Primitive.Content
        {...(description ? {} : { "aria-describedby": undefined })}
        className={cn(
          "fixed top-1/2 left-1/2 z-50 grid max-h-[90dvh] w-[calc(100vw-2rem)] max-w-lg -translate-x-1/2 -translate-y-1/2 gap-4 overflow-y-auto rounded-lg border bg-card p-6 shadow-xl outline-none",
          className,
        )}
        {...props}
      >
        <div className="grid gap-1 pr-6">
          <Primitive.Title className="text-base font-semibold">{title}</Primitive.Title>
          {description ? (
            <Primitive.Description className="text-sm text-muted-foreground">
              {description}
            </Primitive.Description>
          ) : null}
        </div>
        {children}
        <Primitive.Close
          aria-label="Close"
          className="absolute top-4 right-4 rounded-md p-1.5 text-muted-foreground hover:bg-muted focus-visible:outline-2 focus-visible:outline-ring"
        >
          <X className="size-4" />
        </Primitive.Close>
      </Primitive.Content>
    </Primitive.Portal>
  );
}

export function DialogFooter({ className, ...props }: React.ComponentProps<"div">) {
  return (
    <div
      className={cn("flex flex-col-reverse gap-2 sm:flex-row sm:justify-end", className)}
      {...props}
    />
  );
}
