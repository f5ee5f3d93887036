import { MessageSquareText } from "lucide-react";

import { cn } from "@/lib/utils";

export const PRODUCT_NAME = "SMS Platform";

export function Brand({ className, inverted = false }: { className?: string; inverted?: boolean }) {
  return (
    <span className={cn("inline-flex items-center gap-2 font-semibold tracking-tight", className)}>
      <span
        className={cn(
          "grid size-7 place-items-center rounded-lg",
          inverted ? "bg-white/15 text-white" : "bg-primary text-primary-foreground",
        )}
      >
        <MessageSquareText className="size-4" aria-hidden="true" />
      </span>
      {PRODUCT_NAME}
    </span>
  );
}
