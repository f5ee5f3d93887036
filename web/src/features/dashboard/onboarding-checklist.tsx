"use client";

import { ArrowRight, Check, X } from "lucide-react";
import Link from "next/link";
import { useSyncExternalStore } from "react";

import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Progress } from "@/components/ui/progress";
import { pageExists } from "@/components/shell/rooms";
import { atLeast, type Role } from "@/features/tenancy/roles";
import { useRole, useSession } from "@/features/tenancy/session";
import { cn } from "@/lib/utils";

import { type Onboarding, useOnboarding } from "./hooks";

type StepKey = Onboarding["steps"][number]["key"];

interface StepCopy {
  title: string;
  body: string;
  /** The console page that does it; until it exists, the API reference section. */
  href: string;
  docs: string;
  minRole: Role;
}

const STEPS: Record<StepKey, StepCopy> = {
  provider: {
    title: "Connect Twilio, or use the simulator",
    body: "The simulator sends nothing to real phones and answers like a carrier; connect your Twilio account when you are ready to go live.",
    href: "/settings/twilio",
    docs: "/docs#tag/messaging",
    minRole: "admin",
  },
  number: {
    title: "Get a phone number",
    body: "Buy or import a number to send from; put several in a pool to send faster.",
    href: "/numbers",
    docs: "/docs#tag/messaging",
    minRole: "admin",
  },
  contacts: {
    title: "Import your contacts",
    body: "Upload a CSV with phone numbers, names and tags; opted-out numbers stay protected.",
    href: "/contacts",
    docs: "/docs#tag/contact-imports",
    minRole: "member",
  },
  campaign: {
    title: "Send your first campaign",
    body: "Choose an audience, write the message, and launch; it sends at each number's rate.",
    href: "/campaigns",
    docs: "/docs#tag/campaigns",
    minRole: "member",
  },
};

const DISMISS_EVENT = "smsplat:onboarding";
const dismissKey = (workspaceId: string) => `smsplat:onboarding-dismissed:${workspaceId}`;

function useDismissed(workspaceId: string | undefined) {
  const dismissed = useSyncExternalStore(
    (notify) => {
      window.addEventListener(DISMISS_EVENT, notify);
      window.addEventListener("storage", notify);
      return () => {
        window.removeEventListener(DISMISS_EVENT, notify);
        window.removeEventListener("storage", notify);
      };
    },
    () => (workspaceId ? localStorage.getItem(dismissKey(workspaceId)) === "1" : false),
    () => false,
  );
  const dismiss = () => {
    if (!workspaceId) return;
    localStorage.setItem(dismissKey(workspaceId), "1");
    window.dispatchEvent(new Event(DISMISS_EVENT));
  };
  return [dismissed, dismiss] as const;
}

/** First steps of a new workspace; each ticks itself from the workspace's real data. */
export function OnboardingChecklist() {
  const { data } = useOnboarding();
  const role = useRole();
  const workspaceId = useSession((s) => s.me?.workspace.id);
  const [dismissed, dismiss] = useDismissed(workspaceId);
  if (!data || data.complete || dismissed) return null;

  const done = data.steps.filter((s) => s.done).length;
  const nextStep = data.steps.find((s) => !s.done)?.key;

  return (
    <Card aria-labelledby="onboarding-title" className="mb-6 overflow-hidden">
      <CardHeader className="flex-row items-start justify-between gap-4">
        <div className="grid gap-1">
          <CardTitle id="onboarding-title">Get set up</CardTitle>
          <CardDescription>
            {done} of {data.steps.length} done. Each step ticks itself as your workspace fills in.
          </CardDescription>
        </div>
        <Button variant="ghost" size="icon" aria-label="Hide the checklist" onClick={dismiss}>
          <X />
        </Button>
      </CardHeader>
      <CardContent className="grid gap-4">
        <Progress
          value={(done / data.steps.length) * 100}
          aria-label="Setup progress"
          className="h-1.5"
        />
        <ol className="grid gap-2">
          {data.steps.map((step, index) => {
            const copy = STEPS[step.key];
            const allowed = atLeast(role, copy.minRole);
            const href = pageExists(copy.href) ? copy.href : copy.docs;
            const current = step.key === nextStep;
            return (
              <li
                key={step.key}
                data-step={step.key}
                data-done={step.done}
                className={cn(
                  "flex flex-wrap items-start gap-x-3 gap-y-2 rounded-lg border p-3 sm:flex-nowrap sm:items-center",
                  current && "border-primary/30 bg-accent/50",
                )}
              >
                <span
                  className={cn(
                    "grid size-6 shrink-0 place-items-center rounded-full border text-xs font-semibold",
                    step.done
                      ? "border-success bg-success text-white"
                      : "bg-card text-muted-foreground",
                  )}
                >
                  {step.done ? <Check className="size-3.5" aria-label="Done" /> : index + 1}
                </span>
                <div className="grid min-w-0 flex-1 basis-[calc(100%-2.25rem)] gap-0.5 sm:basis-auto">
                  <p className={cn("text-sm font-medium", step.done && "text-muted-foreground")}>
                    {copy.title}
                    {step.key === "provider" && data.provider ? (
                      <Badge
                        variant={data.provider === "twilio" ? "success" : "primary"}
                        className="ml-2"
                      >
                        {data.provider === "twilio" ? "Twilio connected" : "Simulator"}
                      </Badge>
                    ) : null}
                  </p>
                  {!step.done ? <p className="text-sm text-muted-foreground">{copy.body}</p> : null}
                </div>
                {!step.done ? (
                  allowed ? (
                    <Button
                      asChild
                      size="sm"
                      variant={current ? "default" : "outline"}
                      className="ml-9 shrink-0 sm:ml-0"
                    >
                      <Link href={href}>
                        {href === copy.href ? "Start" : "See the API"}
                        <ArrowRight aria-hidden="true" />
                      </Link>
                    </Button>
                  ) : (
                    <span className="ml-9 shrink-0 text-xs text-muted-foreground sm:ml-0">
                      Ask an admin
                    </span>
                  )
                ) : null}
              </li>
            );
          })}
        </ol>
      </CardContent>
    </Card>
  );
}
