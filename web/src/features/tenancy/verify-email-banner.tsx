"use client";

import { MailWarning } from "lucide-react";

import { problemMessage } from "@/api/problem";
import { Button } from "@/components/ui/button";
import { toast } from "@/components/ui/toast";

import { useResendVerification } from "./hooks";
import { useSession } from "./session";

/** Until the address is confirmed: a reminder with a way to get a new link. */
export function VerifyEmailBanner() {
  const user = useSession((s) => s.me?.user);
  const resend = useResendVerification();
  if (!user || user.email_verified) return null;
  return (
    <div className="flex flex-wrap items-center gap-x-3 gap-y-2 border-b border-warning/30 bg-warning/10 px-4 py-2 text-sm sm:px-6">
      <MailWarning className="size-4 shrink-0 text-warning" aria-hidden="true" />
      <span className="flex-1">
        Confirm your email address: we sent a link to <strong>{user.email}</strong>.
      </span>
      <Button
        variant="outline"
        size="sm"
        disabled={resend.isPending || resend.isSuccess}
        onClick={() =>
          resend.mutate(undefined, {
            onSuccess: () => toast.success("Verification link sent", `Check ${user.email}.`),
            onError: (error) => toast.error("Could not send the link", problemMessage(error)),
          })
        }
      >
        {resend.isSuccess ? "Link sent" : "Send a new link"}
      </Button>
    </div>
  );
}
