import { MembersSettings } from "@/features/settings/members";

export const metadata = { title: "Members · Settings" };

export default function MembersPage() {
  return <MembersSettings />;
}
