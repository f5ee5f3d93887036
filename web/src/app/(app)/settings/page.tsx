import { SettingsIndex } from "@/features/settings/settings-index";

export const metadata = { title: "Settings" };

export default function SettingsPage() {
  return <SettingsIndex />;
}
