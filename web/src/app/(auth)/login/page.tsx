import { Suspense } from "react";

import { AuthHeading } from "@/components/shell/auth-frame";
import { LoginForm } from "@/features/tenancy/login-form";

export const metadata = { title: "Log in" };

export default function LoginPage() {
  return (
    <>
      <AuthHeading title="Log in">Welcome back. Log in to your workspace.</AuthHeading>
      <Suspense>
        <LoginForm />
      </Suspense>
    </>
  );
}
