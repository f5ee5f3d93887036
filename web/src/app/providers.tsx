"use client";

import { QueryClientProvider } from "@tanstack/react-query";
import { useEffect } from "react";

import { Toaster } from "@/components/ui/toast";
import { restoreSession, useSession } from "@/features/tenancy/session";
import { queryClient } from "@/lib/query-client";

/** Server state (TanStack Query), toasts, and the session restored once per page load. */
export function Providers({ children }: { children: React.ReactNode }) {
  useEffect(() => {
    if (useSession.getState().status === "restoring") void restoreSession();
  }, []);
  return (
    <QueryClientProvider client={queryClient}>
      {children}
      <Toaster />
    </QueryClientProvider>
  );
}
