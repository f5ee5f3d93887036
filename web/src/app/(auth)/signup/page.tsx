import { Suspense } from "react";

import { AuthHeading } from "@/components/shell/auth-frame";
import { SignupForm } from "@/features/tenancy/signup-form";

export const metadata = { title: "Create your account" };

export default function SignupPage() {
  return (
    <>
      <AuthHeading title="Create your account">
        Start on the built-in SMS simulator; connect Twilio when you are ready.
      </AuthHeading>
      <Suspense>
        <SignupForm />
      </Suspense>
    </>
  );
}
