import { ComplianceSettings } from "@/features/settings/compliance";

export const metadata = { title: "Compliance · Settings" };

export default function CompliancePage() {
  return <ComplianceSettings />;
}
