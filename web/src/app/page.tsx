"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";

import { LoadingState } from "@/components/ui/states";
import { useSession } from "@/features/tenancy/session";

/** `/`: the dashboard when signed in, else the login page. */
export default function Home() {
  const router = useRouter();
  const status = useSession((s) => s.status);
  useEffect(() => {
    if (status === "signed-in" || status === "unreachable") router.replace("/dashboard");
    if (status === "signed-out") router.replace("/login");
  }, [status, router]);
  return (
    <main id="main" className="mx-auto max-w-5xl px-6 py-16">
      <h1 className="sr-only">SMS Platform</h1>
      <LoadingState rows={4} label="Opening the console" />
    </main>
  );
}
