"use client";

import { QueryClientProvider } from "@tanstack/react-query";
import dynamic from "next/dynamic";
import { useEffect } from "react";

import { restoreSession, useSession } from "@/features/tenancy/session";
import { queryClient } from "@/lib/query-client";

// Toasts come after something happened: their UI is not part of any page's first load.
const Toaster = dynamic(() => import("@/components/ui/toaster"), { ssr: false });

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
