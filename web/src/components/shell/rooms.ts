import {
  FileText,
  Inbox,
  LayoutDashboard,
  type LucideIcon,
  Phone,
  Send,
  Settings,
  Users,
} from "lucide-react";

import type { Role } from "@/features/tenancy/roles";

import { PAGES } from "./pages.gen";

export interface Room {
  href: string;
  label: string;
  icon: LucideIcon;
  /** Hidden below this role (the API refuses anyway). */
  minRole?: Role;
}

/**
 * The rooms of the product, in the order of the navigation (they mirror shared/<domain>).
 * A room shows up once its page exists (src/app/(app)/<room>/page.tsx): nothing here
 * changes when a page is added, and no entry ever leads to a placeholder.
 */
export const ROOMS: readonly Room[] = [
  { href: "/dashboard", label: "Dashboard", icon: LayoutDashboard },
  { href: "/inbox", label: "Inbox", icon: Inbox },
  { href: "/campaigns", label: "Campaigns", icon: Send },
  { href: "/contacts", label: "Contacts", icon: Users },
  { href: "/templates", label: "Templates", icon: FileText },
  { href: "/numbers", label: "Numbers", icon: Phone },
  { href: "/settings", label: "Settings", icon: Settings },
];

export function pageExists(href: string): boolean {
  const path = href.split("?")[0] ?? href;
  return PAGES.includes(path.length > 1 ? path.replace(/\/+$/, "") : path);
}

export const builtRooms = (): Room[] => ROOMS.filter((room) => pageExists(room.href));
