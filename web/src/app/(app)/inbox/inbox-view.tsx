"use client";

import { Suspense } from "react";

import { LoadingState } from "@/components/ui/states";
import { Inbox } from "@/features/conversations/inbox";

/** The inbox reads its filters and the open conversation from the URL (`/inbox?id=`). */
export function InboxView() {
  return (
    <Suspense fallback={<LoadingState rows={6} label="Opening the inbox" />}>
      <Inbox />
    </Suspense>
  );
}
