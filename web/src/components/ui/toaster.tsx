"use client";

import { CircleAlert, CircleCheck, Info, X } from "lucide-react";
import { Toast as ToastPrimitive } from "radix-ui";

import { cn } from "@/lib/utils";

import { dismissToast as dismiss, useToasts } from "./toast";

const icons = { success: CircleCheck, error: CircleAlert, info: Info };

/** Mounted once at the root; announces toasts politely (errors assertively). */
export default function Toaster() {
  const items = useToasts((s) => s.items);
  return (
    <ToastPrimitive.Provider swipeDirection="right" duration={5000}>
      {items.map((item) => {
        const Icon = icons[item.kind];
        return (
          <ToastPrimitive.Root
            key={item.id}
            type={item.kind === "error" ? "foreground" : "background"}
            onOpenChange={(open) => !open && dismiss(item.id)}
            className="flex w-full items-start gap-3 rounded-lg border bg-card p-4 pr-10 shadow-lg data-[state=closed]:opacity-0"
          >
            <Icon
              aria-hidden="true"
              className={cn(
                "mt-0.5 size-4 shrink-0",
                item.kind === "success" && "text-success-strong",
                item.kind === "error" && "text-destructive",
                item.kind === "info" && "text-primary",
              )}
            />
            <div className="grid gap-0.5">
              <ToastPrimitive.Title className="text-sm font-semibold">
                {item.title}
              </ToastPrimitive.Title>
              {item.description ? (
                <ToastPrimitive.Description className="text-sm text-muted-foreground">
                  {item.description}
                </ToastPrimitive.Description>
              ) : null}
            </div>
            <ToastPrimitive.Close
              aria-label="Dismiss"
              className="absolute top-3 right-3 rounded-md p-1 text-muted-foreground hover:bg-muted hover:text-foreground"
            >
              <X className="size-4" />
            </ToastPrimitive.Close>
          </ToastPrimitive.Root>
        );
      })}
      <ToastPrimitive.Viewport className="fixed right-0 bottom-0 z-[100] flex w-full max-w-sm flex-col gap-2 p-4 outline-none" />
    </ToastPrimitive.Provider>
  );
}
