import { Progress } from "@/components/ui/progress";
import { cn } from "@/lib/utils";

import { formatAmount, formatLimit } from "./format";
import type { Limit, MeterUsage } from "./hooks";

const count = new Intl.NumberFormat("en-US");

const LIMIT_LABELS: Record<Limit["name"], string> = {
  seats: "Seats",
  numbers: "Phone numbers",
  contacts: "Contacts",
};

function Bar({
  id,
  label,
  value,
  detail,
  warn,
}: {
  id: string;
  label: string;
  value: number;
  detail: React.ReactNode;
  warn: boolean;
}) {
  return (
    <div className="grid gap-1.5" data-meter={id}>
      <div className="flex flex-wrap items-baseline justify-between gap-x-3 text-sm">
        <span id={`${id}-label`} className="font-medium">
          {label}
        </span>
        <span className="text-muted-foreground tabular-nums">{detail}</span>
      </div>
      <Progress
        value={Math.min(100, value)}
        aria-labelledby={`${id}-label`}
        aria-valuetext={`${Math.round(value)}%`}
        className={cn(warn && "[&>div]:bg-warning")}
      />
    </div>
  );
}

/** What this period used against what the plan includes, then the plan's limits. */
export function UsageBars({ usage, limits }: { usage: MeterUsage[]; limits: Limit[] }) {
  return (
    <div className="grid gap-5">
      {usage.map((meter) => (
        <div key={meter.meter} className="grid gap-1">
          <Bar
            id={`usage-${meter.meter}`}
            label={meter.display_name}
            value={meter.percent}
            warn={meter.percent >= 80}
            detail={`${count.format(meter.used)} of ${count.format(meter.included)} ${meter.unit}s (${meter.percent}%)`}
          />
          {meter.overage > 0 ? (
            <p className="text-xs text-muted-foreground">
              {count.format(meter.overage)} beyond the included
              {meter.overage_estimate_minor
                ? `: about ${formatAmount(meter.overage_estimate_minor)} on the next invoice`
                : ""}
              .
            </p>
          ) : null}
        </div>
      ))}
      <div className="grid gap-3 border-t pt-4">
        {limits.map((limit) => (
          <Bar
            key={limit.name}
            id={`limit-${limit.name}`}
            label={LIMIT_LABELS[limit.name]}
            value={limit.limit ? (limit.used * 100) / limit.limit : 0}
            warn={limit.limit !== null && limit.used >= limit.limit}
            detail={`${count.format(limit.used)} of ${formatLimit(limit.limit)}`}
          />
        ))}
      </div>
    </div>
  );
}
