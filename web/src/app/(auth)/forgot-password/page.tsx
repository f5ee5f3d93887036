import { AuthHeading } from "@/components/shell/auth-frame";
import { ForgotPasswordForm } from "@/features/tenancy/password-forms";

export const metadata = { title: "Reset your password" };

export default function ForgotPasswordPage() {
  return (
    <>
      <AuthHeading title="Reset your password">
        Enter the email you log in with; we will send you a link to choose a new password.
      </AuthHeading>
      <ForgotPasswordForm />
    </>
  );
}
