import { Suspense } from "react";

import { AuthHeading } from "@/components/shell/auth-frame";
import { ResetPasswordForm } from "@/features/tenancy/password-forms";

export const metadata = { title: "Choose a new password" };

export default function ResetPasswordPage() {
  return (
    <>
      <AuthHeading title="Choose a new password" />
      <Suspense>
        <ResetPasswordForm />
      </Suspense>
    </>
  );
}
