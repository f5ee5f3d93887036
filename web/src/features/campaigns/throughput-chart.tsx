"use client";

import {
  Area,
  AreaChart,
  CartesianGrid,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";

import type { Sample } from "./live-figures";

const time = new Intl.DateTimeFormat("en-US", {
  hour: "numeric",
  minute: "2-digit",
  second: "2-digit",
});

/** Messages per second over the polls of this visit. The figures are also in a table. */
export function ThroughputChart({ series }: { series: Sample[] }) {
  const rows = series.map((s) => ({ ...s, label: time.format(new Date(s.at)) }));
  return (
    <figure className="grid gap-2">
      <div className="h-56 w-full" aria-hidden="true">
        <ResponsiveContainer width="100%" height="100%">
          <AreaChart
            data={rows}
            margin={{ top: 8, right: 8, left: 0, bottom: 0 }}
            accessibilityLayer={false}
          >
            <defs>
              <linearGradient id="fill-throughput" x1="0" y1="0" x2="0" y2="1">
                <stop offset="0%" stopColor="var(--chart-1)" stopOpacity={0.25} />
                <stop offset="100%" stopColor="var(--chart-1)" stopOpacity={0} />
              </linearGradient>
            </defs>
            <CartesianGrid vertical={false} stroke="var(--border)" />
            <XAxis
              dataKey="label"
              tickLine={false}
              axisLine={false}
              minTickGap={32}
              tick={{ fontSize: 12, fill: "var(--muted-foreground)" }}
            />
            <YAxis
              tickLine={false}
              axisLine={false}
              width={44}
              tick={{ fontSize: 12, fill: "var(--muted-foreground)" }}
            />
            <Tooltip
              formatter={(v) => [`${String(v)} msg/s`, "Throughput"]}
              contentStyle={{ borderRadius: 8, border: "1px solid var(--border)", fontSize: 12 }}
            />
            <Area
              type="monotone"
              dataKey="perSecond"
              name="Messages per second"
              stroke="var(--chart-1)"
              strokeWidth={2}
              fill="url(#fill-throughput)"
              isAnimationActive={false}
            />
          </AreaChart>
        </ResponsiveContainer>
      </div>
      <figcaption className="sr-only">Messages per second while this page is open</figcaption>
      <table className="sr-only">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Messages per second</th>
          </tr>
        </thead>
        <tbody>
          {rows.slice(-10).map((row) => (
            <tr key={row.at}>
              <th scope="row">{row.label}</th>
              <td>{row.perSecond}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
