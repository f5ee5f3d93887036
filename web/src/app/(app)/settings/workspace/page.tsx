import { WorkspaceSettingsSection } from "@/features/settings/workspace";

export const metadata = { title: "Workspace · Settings" };

export default function WorkspacePage() {
  return <WorkspaceSettingsSection />;
}
