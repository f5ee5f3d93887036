import type { components } from "@/api/schema";

export type Role = components["schemas"]["MembershipOut"]["role"];

const RANK: Record<Role, number> = { member: 1, admin: 2, owner: 3 };

/** Whether `role` may do what `needed` may (owner > admin > member), as the API decides. */
export function atLeast(role: Role | null | undefined, needed: Role): boolean {
  return role ? RANK[role] >= RANK[needed] : false;
}

export const ROLE_LABELS: Record<Role, string> = {
  owner: "Owner",
  admin: "Admin",
  member: "Member",
};
