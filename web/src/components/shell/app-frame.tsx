"use client";

import { Menu } from "lucide-react";
import { usePathname, useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";

import { Button } from "@/components/ui/button";
import { Sheet, SheetContent, SheetTrigger } from "@/components/ui/sheet";
import { ErrorState, LoadingState } from "@/components/ui/states";
import { restoreSession, useSession } from "@/features/tenancy/session";
import { UserMenu } from "@/features/tenancy/user-menu";
import { VerifyEmailBanner } from "@/features/tenancy/verify-email-banner";
import { WorkspaceSwitcher } from "@/features/tenancy/workspace-switcher";

import { Nav } from "./nav";

/** After a client-side navigation, focus moves to the new page's content (screen readers
 * and keyboard users start there, not on the link they used). */
function useFocusMainOnNavigate() {
  const pathname = usePathname();
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    document.getElementById("main")?.focus({ preventScroll: false });
  }, [pathname]);
}

/** The signed-in frame: navigation, header with the workspace switcher, the page. */
export function AppFrame({ children }: { children: React.ReactNode }) {
  const router = useRouter();
  const pathname = usePathname();
  const status = useSession((s) => s.status);
  const [navOpen, setNavOpen] = useState(false);
  useFocusMainOnNavigate();

  useEffect(() => {
    if (status === "signed-out") {
      const here = `${pathname}${window.location.search}`;
      router.replace(`/login?next=${encodeURIComponent(here)}`);
    }
  }, [status, pathname, router]);

  if (status === "unreachable") {
    return (
      <main id="main" className="mx-auto grid min-h-dvh max-w-md place-items-center px-4">
        <ErrorState
          title="The platform cannot be reached"
          error="Check that it is running and your connection is up."
          onRetry={() => void restoreSession()}
        />
      </main>
    );
  }
  if (status !== "signed-in") {
    return (
      <main id="main" className="mx-auto max-w-5xl px-6 py-16">
        <LoadingState rows={4} label="Opening your workspace" />
      </main>
    );
  }

  return (
    <div className="min-h-dvh lg:grid lg:grid-cols-[15rem_minmax(0,1fr)]">
      <a
        href="#main"
        className="sr-only z-50 rounded-md bg-card px-3 py-2 text-sm font-medium shadow focus:not-sr-only focus:fixed focus:top-3 focus:left-3"
      >
        Skip to content
      </a>
      <aside className="sticky top-0 hidden h-dvh border-r bg-card lg:block">
        <Nav />
      </aside>
      <div className="flex min-w-0 flex-col">
        <header className="sticky top-0 z-30 flex h-14 items-center gap-2 border-b bg-card/95 px-3 backdrop-blur sm:px-5">
          <Sheet open={navOpen} onOpenChange={setNavOpen}>
            <SheetTrigger asChild>
              <Button variant="ghost" size="icon" className="lg:hidden" aria-label="Open menu">
                <Menu />
              </Button>
            </SheetTrigger>
            <SheetContent title="Menu">
              <Nav onNavigate={() => setNavOpen(false)} />
            </SheetContent>
          </Sheet>
          <WorkspaceSwitcher />
          <div className="flex-1" />
          <UserMenu />
        </header>
        <VerifyEmailBanner />
        <main
          id="main"
          tabIndex={-1}
          className={
            // The inbox uses the whole window (three panes); other pages a readable column.
            pathname.replace(/\/+$/, "") === "/inbox"
              ? "w-full min-w-0 flex-1 outline-none"
              : "mx-auto w-full max-w-6xl flex-1 px-4 py-6 outline-none sm:px-6 lg:py-8"
          }
        >
          {children}
        </main>
      </div>
    </div>
  );
}

/** Title, intro and actions of a signed-in page. */
export function PageHeader({
  title,
  description,
  actions,
}: {
  title: string;
  description?: React.ReactNode;
  actions?: React.ReactNode;
}) {
  return (
    <div className="mb-6 flex flex-wrap items-end justify-between gap-4">
      <div className="grid gap-1">
        <h1 className="text-2xl font-semibold tracking-tight">{title}</h1>
        {description ? <p className="text-sm text-muted-foreground">{description}</p> : null}
      </div>
      {actions ? <div className="flex items-center gap-2">{actions}</div> : null}
    </div>
  );
}
