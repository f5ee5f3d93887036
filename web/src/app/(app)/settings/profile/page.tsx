import { ProfileSettings } from "@/features/settings/profile";

export const metadata = { title: "Profile · Settings" };

export default function ProfilePage() {
  return <ProfileSettings />;
}
