import Link from "next/link";

import { Button } from "@/components/ui/button";

export default function NotFound() {
  return (
    <main id="main" className="grid min-h-dvh place-items-center px-4">
      <div className="grid max-w-sm gap-3 text-center">
        <p className="text-sm font-semibold text-primary">404</p>
        <h1 className="text-2xl font-semibold tracking-tight">This page does not exist</h1>
        <p className="text-sm text-muted-foreground">
          The link may be old, or the page may have moved.
        </p>
        <Button asChild className="mx-auto mt-2">
          <Link href="/dashboard">Go to the dashboard</Link>
        </Button>
      </div>
    </main>
  );
}
