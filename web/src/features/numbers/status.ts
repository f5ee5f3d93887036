import type { PhoneNumber } from "./hooks";

type Variant = "success" | "warning" | "danger" | "neutral";

/** How a number's state reads in the console: its health, and why when it is not sending. */
export function numberHealth(n: Pick<PhoneNumber, "status" | "status_reason">): {
  label: string;
  variant: Variant;
  why: string | null;
} {
  switch (n.status) {
    case "active":
      return { label: "Healthy", variant: "success", why: null };
    case "paused":
      return { label: "Paused", variant: "warning", why: n.status_reason ?? "Paused by a user" };
    case "failing":
      return {
        label: "Paused by health",
        variant: "danger",
        why: n.status_reason ?? "Too many recent messages failed",
      };
    case "released":
      return { label: "Released", variant: "neutral", why: n.status_reason };
    default:
      return { label: n.status, variant: "neutral", why: n.status_reason };
  }
}

export const MPS_MAX = 1000;
