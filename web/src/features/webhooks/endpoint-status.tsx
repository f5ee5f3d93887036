import { StatusBadge } from "@/components/ui/status-badge";

import type { Endpoint } from "./hooks";

/** Enabled, failing (retries under way) or disabled (by someone, by 410 Gone, after 5 days). */
export function EndpointStatus({ endpoint }: { endpoint: Endpoint }) {
  if (!endpoint.enabled) {
    return (
      <StatusBadge tone="danger" title={endpoint.disabled_reason ?? undefined}>
        Disabled
      </StatusBadge>
    );
  }
  if (endpoint.failing_since) return <StatusBadge tone="warning">Failing</StatusBadge>;
  return <StatusBadge tone="success">Enabled</StatusBadge>;
}

export function eventTypesLabel(types: string[]): string {
  if (types.includes("*")) return "All events";
  if (types.length === 1) return types[0] ?? "";
  return `${types.length} event types`;
}
