import { Suspense } from "react";

import { AuthHeading } from "@/components/shell/auth-frame";
import { VerifyEmail } from "@/features/tenancy/email-links";

export const metadata = { title: "Verify your email" };

export default function VerifyEmailPage() {
  return (
    <>
      <AuthHeading title="Verify your email" />
      <Suspense>
        <VerifyEmail />
      </Suspense>
    </>
  );
}
