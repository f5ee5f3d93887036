/** The detail page's figures from the stats route, as pure functions (unit-tested). */
import type { components } from "@/api/schema";

type Stats = components["schemas"]["CampaignStats"];

/** Twilio's error codes a campaign meets most, in words (others show their number). */
export const ERROR_CODES: Record<string, string> = {
  "21610": "Recipient unsubscribed (STOP)",
  "21211": "Invalid phone number",
  "21614": "Not a mobile number",
  "30003": "Handset unreachable",
  "30004": "Message blocked",
  "30005": "Unknown destination",
  "30006": "Landline or unreachable carrier",
  "30007": "Filtered by the carrier",
  "30008": "Unknown error",
};

export interface Figures {
  audience: number;
  /** Recipients settled: handed over, failed, skipped or cancelled. */
  done: number;
  percent: number;
  /** Handed to the carrier (sent, delivered or undelivered). */
  handedOver: number;
  delivered: number;
  failed: number;
  deliveryRate: number | null;
  failures: { code: string; label: string; count: number }[];
}

export function figures(stats: Stats): Figures {
  const inFlight = stats.pending + stats.queued + stats.sending;
  const done = Math.max(0, stats.audience - inFlight);
  const handedOver = stats.sent + stats.delivered + stats.undelivered;
  const outcomes = stats.delivered + stats.undelivered + stats.failed;
  return {
    audience: stats.audience,
    done,
    percent: stats.audience ? Math.min(100, Math.round((done / stats.audience) * 100)) : 0,
    handedOver,
    delivered: stats.delivered,
    failed: stats.failed + stats.undelivered,
    deliveryRate: outcomes ? stats.delivered / outcomes : null,
    failures: Object.entries(stats.failed_by_code)
      .map(([code, count]) => ({ code, label: ERROR_CODES[code] ?? `Error ${code}`, count }))
      .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code)),
  };
}

export interface Sample {
  at: number;
  perSecond: number;
  handedOver: number;
}

/**
 * The throughput series the page draws: one sample per poll, at most `keep` of them. A
 * sample's rate is the handed-over delta since the previous sample over the time between
 * them (the route's own 10-second figure for the first one).
 */
export function addSample(series: Sample[], stats: Stats, at: number, keep = 150): Sample[] {
  const handedOver = stats.sent + stats.delivered + stats.undelivered + stats.failed;
  const last = series[series.length - 1];
  if (last && at <= last.at) return series;
  const perSecond =
    last && at - last.at >= 500
      ? Math.max(0, (handedOver - last.handedOver) / ((at - last.at) / 1000))
      : stats.throughput_per_second;
  return [...series, { at, perSecond: Math.round(perSecond * 10) / 10, handedOver }].slice(-keep);
}
