/** Billing amounts at the edge: minor units (cents) in, dollars out. */

/** 4900, "usd" -> "$49.00". */
export function formatAmount(minor: number, currency = "usd"): string {
  return new Intl.NumberFormat("en-US", {
    style: "currency",
    currency: currency.toUpperCase(),
  }).format(minor / 100);
}

/** A per-unit price that may be a fraction of a cent: "1.5" (cents) -> "$0.015". */
export function formatUnitPrice(minor: string, currency = "usd"): string {
  return new Intl.NumberFormat("en-US", {
    style: "currency",
    currency: currency.toUpperCase(),
    minimumFractionDigits: 2,
    maximumFractionDigits: 6,
  }).format(Number(minor) / 100);
}

export function formatLimit(value: number | null | undefined): string {
  return value === null || value === undefined
    ? "Unlimited"
    : new Intl.NumberFormat("en-US").format(value);
}

/** "active" -> "Active", "past_due" -> "Past due". */
export function statusLabel(status: string): string {
  const text = status.replace(/_/g, " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}
