import type { Role } from "@/features/tenancy/roles";

import { pageExists } from "./rooms";

export interface SettingsSection {
  href: string;
  label: string;
  /** Hidden below this role (the API refuses anyway). */
  minRole?: Role;
}

/**
 * The sections of Settings, in the order of its side menu. As with the rooms, a section
 * shows up once its page exists (src/app/(app)/settings/<section>/page.tsx).
 */
export const SETTINGS_SECTIONS: readonly SettingsSection[] = [
  { href: "/settings/profile", label: "Profile" },
  { href: "/settings/workspace", label: "Workspace", minRole: "admin" },
  { href: "/settings/members", label: "Members" },
  { href: "/settings/api-keys", label: "API keys", minRole: "admin" },
  { href: "/settings/twilio", label: "Twilio", minRole: "admin" },
  { href: "/settings/ai", label: "AI assistant", minRole: "admin" },
  { href: "/settings/compliance", label: "Compliance", minRole: "admin" },
  { href: "/settings/webhooks", label: "Webhooks", minRole: "admin" },
  { href: "/settings/billing", label: "Billing", minRole: "admin" },
];

export const builtSettingsSections = (): SettingsSection[] =>
  SETTINGS_SECTIONS.filter((section) => pageExists(section.href));
