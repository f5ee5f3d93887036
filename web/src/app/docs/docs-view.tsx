"use client";

import Link from "next/link";
import dynamic from "next/dynamic";

import { Brand } from "@/components/shell/brand";
import { Button } from "@/components/ui/button";
import { LoadingState } from "@/components/ui/states";
import { useSession } from "@/features/tenancy/session";

const ApiReference = dynamic(() => import("@/features/docs/api-reference"), {
  ssr: false,
  loading: () => <LoadingState rows={8} label="Loading the API reference" className="p-8" />,
});

export function DocsView() {
  const status = useSession((s) => s.status);
  const me = useSession((s) => s.me);
  return (
    <div className="min-h-dvh bg-card">
      <header className="flex h-14 items-center gap-3 border-b px-4 sm:px-6">
        <Link href="/" className="rounded-md">
          <Brand />
        </Link>
        <span className="text-sm text-muted-foreground">API reference</span>
        {/* The guides are pages of the API itself (shared/platform/guides.py), not routes of the console. */}
        <nav aria-label="Guides" className="hidden gap-3 text-sm md:flex">
          <a className="underline-offset-4 hover:underline" href="/docs/template-variables">
            Template variables
          </a>
          <a className="underline-offset-4 hover:underline" href="/docs/segments">
            Segment filters
          </a>
        </nav>
        <div className="flex-1" />
        {status === "signed-in" && me ? (
          <p className="hidden text-xs text-muted-foreground sm:block" data-testid="docs-session">
            Test requests run as <strong className="text-foreground">{me.user?.email}</strong> in{" "}
            <strong className="text-foreground">{me.workspace.name}</strong>
          </p>
        ) : null}
        {status === "signed-in" ? (
          <Button asChild size="sm" variant="outline">
            <Link href="/dashboard">Back to the console</Link>
          </Button>
        ) : (
          <Button asChild size="sm" variant="outline">
            <Link href="/login?next=/docs">Log in to try requests</Link>
          </Button>
        )}
      </header>
      {/* The reference renders its own <main> landmark. */}
      <div id="main">
        <h1 className="sr-only">API reference</h1>
        <ApiReference />
      </div>
    </div>
  );
}
