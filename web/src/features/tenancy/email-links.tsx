"use client";

import { CircleCheck, CircleX } from "lucide-react";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { useEffect, useRef } from "react";

import { problemMessage } from "@/api/problem";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { LoadingState, Spinner } from "@/components/ui/states";

import { useAcceptInvitation, useVerifyEmail } from "./hooks";
import { loadMe, useSession } from "./session";

/** Opened from the verification email: confirms the address at once. */
export function VerifyEmail() {
  const token = useSearchParams().get("token") ?? "";
  const status = useSession((s) => s.status);
  const verify = useVerifyEmail();
  const started = useRef(false);
  const { mutate } = verify;

  useEffect(() => {
    // Once per token: a link is spent when used (React's dev double-mount included).
    if (!token || started.current) return;
    started.current = true;
    mutate(token, { onSuccess: () => void loadMe().catch(() => undefined) });
  }, [token, mutate]);

  const next = status === "signed-in" ? "/dashboard" : "/login";
  const nextLabel = status === "signed-in" ? "Continue to your dashboard" : "Log in";

  if (!token) {
    return <Alert variant="error">This link has no verification token.</Alert>;
  }
  if (verify.isError) {
    return (
      <div className="grid gap-4">
        <Alert variant="error">
          <CircleX aria-hidden="true" />
          <span>
            {problemMessage(verify.error)} You can ask for a new link from the banner in the
            console.
          </span>
        </Alert>
        <Button asChild variant="outline" className="w-full">
          <Link href={next}>{nextLabel}</Link>
        </Button>
      </div>
    );
  }
  if (verify.isSuccess) {
    return (
      <div className="grid gap-4">
        <Alert variant="success">
          <CircleCheck aria-hidden="true" />
          <span>Your email address is verified.</span>
        </Alert>
        <Button asChild className="w-full">
          <Link href={next}>{nextLabel}</Link>
        </Button>
      </div>
    );
  }
  return <LoadingState rows={2} label="Verifying your email address" />;
}

/** Opened from an invitation email: join the workspace as the signed-in user. */
export function AcceptInvitation() {
  const router = useRouter();
  const token = useSearchParams().get("token") ?? "";
  const status = useSession((s) => s.status);
  const email = useSession((s) => s.me?.user?.email);
  const accept = useAcceptInvitation();
  const here = `/invitations/accept?token=${encodeURIComponent(token)}`;

  if (!token) {
    return <Alert variant="error">This link has no invitation token.</Alert>;
  }
  if (status === "restoring") return <LoadingState rows={2} />;
  if (status !== "signed-in") {
    return (
      <div className="grid gap-3">
        <p className="text-sm text-muted-foreground">
          Log in, or create an account with the email address the invitation was sent to; you will
          come back here to join.
        </p>
        <Button asChild className="w-full">
          <Link href={`/login?next=${encodeURIComponent(here)}`}>Log in to accept</Link>
        </Button>
        <Button asChild variant="outline" className="w-full">
          <Link href={`/signup?next=${encodeURIComponent(here)}`}>Create an account</Link>
        </Button>
      </div>
    );
  }
  return (
    <div className="grid gap-4">
      <p className="text-sm text-muted-foreground">
        You are signed in as <strong className="text-foreground">{email}</strong>.
      </p>
      {accept.isError ? <Alert variant="error">{problemMessage(accept.error)}</Alert> : null}
      <Button
        className="w-full"
        disabled={accept.isPending}
        onClick={() => accept.mutate(token, { onSuccess: () => router.replace("/dashboard") })}
      >
        {accept.isPending ? <Spinner className="text-primary-foreground" label="Joining" /> : null}
        Join the workspace
      </Button>
    </div>
  );
}
