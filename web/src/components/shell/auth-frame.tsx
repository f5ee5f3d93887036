import { CheckCircle2 } from "lucide-react";
import Link from "next/link";

import { Brand } from "./brand";

const POINTS = [
  "Campaigns throttled per number, with quiet hours in each contact's time zone",
  "A shared inbox for replies, with Claude drafting and qualifying leads",
  "Opt-outs honoured everywhere, with the consent trail to prove it",
];

/** The frame of the signed-out pages: the product on the left, the form on the right. */
export function AuthFrame({ children }: { children: React.ReactNode }) {
  return (
    <div className="grid min-h-dvh lg:grid-cols-[minmax(0,5fr)_minmax(0,7fr)]">
      <aside className="relative hidden flex-col justify-between overflow-hidden bg-[oklch(0.27_0.09_268)] p-10 text-white lg:flex">
        <Link href="/" className="w-fit rounded-md">
          <Brand inverted />
        </Link>
        <div className="grid max-w-md gap-6">
          <p className="text-3xl leading-tight font-semibold tracking-tight text-balance">
            Text your customers at scale, and answer every reply.
          </p>
          <ul className="grid gap-3 text-sm text-white/80">
            {POINTS.map((point) => (
              <li key={point} className="flex gap-2.5">
                <CheckCircle2 className="mt-0.5 size-4 shrink-0 text-white/70" aria-hidden="true" />
                {point}
              </li>
            ))}
          </ul>
        </div>
        <p className="text-xs text-white/75">
          Developers: the{" "}
          <Link href="/docs" className="underline underline-offset-2">
            API reference
          </Link>{" "}
          describes every route.
        </p>
      </aside>
      <main id="main" className="flex flex-col items-center justify-center px-4 py-10 sm:px-8">
        <div className="mb-8 lg:hidden">
          <Brand />
        </div>
        <div className="w-full max-w-sm">{children}</div>
      </main>
    </div>
  );
}

/** Title and intro line of a signed-out page. */
export function AuthHeading({ title, children }: { title: string; children?: React.ReactNode }) {
  return (
    <div className="mb-6 grid gap-1.5">
      <h1 className="text-2xl font-semibold tracking-tight">{title}</h1>
      {children ? <p className="text-sm text-muted-foreground">{children}</p> : null}
    </div>
  );
}
