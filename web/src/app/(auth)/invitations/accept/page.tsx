import { Suspense } from "react";

import { AuthHeading } from "@/components/shell/auth-frame";
import { AcceptInvitation } from "@/features/tenancy/email-links";

export const metadata = { title: "Join a workspace" };

export default function AcceptInvitationPage() {
  return (
    <>
      <AuthHeading title="You are invited">
        Join the workspace your teammate invited you to.
      </AuthHeading>
      <Suspense>
        <AcceptInvitation />
      </Suspense>
    </>
  );
}
