"use client";

import {
  Area,
  AreaChart,
  CartesianGrid,
  Legend,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";

import { formatBucket, formatCount } from "@/lib/format";

import type { Activity } from "./hooks";

export const SERIES = [
  { key: "sent", label: "Sent", color: "var(--chart-1)" },
  { key: "delivered", label: "Delivered", color: "var(--chart-2)" },
  { key: "failed", label: "Failed", color: "var(--chart-3)" },
  { key: "replies", label: "Replies", color: "var(--chart-4)" },
  { key: "opt_outs", label: "Opt-outs", color: "var(--chart-5)" },
] as const;

/** Messages over time. The figures are also in a table for screen readers. */
export function ActivityChart({ activity }: { activity: Activity }) {
  const rows = activity.points.map((p) => ({
    ...p,
    label: formatBucket(p.start, activity.bucket),
  }));
  return (
    <figure className="grid gap-2">
      <div className="h-72 w-full" aria-hidden="true">
        <ResponsiveContainer width="100%" height="100%">
          <AreaChart
            data={rows}
            margin={{ top: 8, right: 8, left: -12, bottom: 0 }}
            accessibilityLayer={false}
          >
            <defs>
              {SERIES.map((s) => (
                <linearGradient key={s.key} id={`fill-${s.key}`} x1="0" y1="0" x2="0" y2="1">
                  <stop offset="0%" stopColor={s.color} stopOpacity={0.22} />
                  <stop offset="100%" stopColor={s.color} stopOpacity={0} />
                </linearGradient>
              ))}
            </defs>
            <CartesianGrid vertical={false} stroke="var(--border)" />
            <XAxis
              dataKey="label"
              tickLine={false}
              axisLine={false}
              tick={{ fontSize: 12, fill: "var(--muted-foreground)" }}
              minTickGap={16}
            />
            <YAxis
              allowDecimals={false}
              tickLine={false}
              axisLine={false}
              width={48}
              tick={{ fontSize: 12, fill: "var(--muted-foreground)" }}
              tickFormatter={(v: number) => formatCount(v)}
            />
            <Tooltip
              contentStyle={{
                borderRadius: 8,
                border: "1px solid var(--border)",
                fontSize: 12,
                boxShadow: "0 4px 12px rgb(0 0 0 / 0.08)",
              }}
            />
            <Legend
              iconType="circle"
              iconSize={8}
              wrapperStyle={{ fontSize: 12 }}
              itemSorter={null}
            />
            {SERIES.map((s) => (
              <Area
                key={s.key}
                type="monotone"
                dataKey={s.key}
                name={s.label}
                stroke={s.color}
                strokeWidth={2}
                fill={`url(#fill-${s.key})`}
                isAnimationActive={false}
              />
            ))}
          </AreaChart>
        </ResponsiveContainer>
      </div>
      <figcaption className="sr-only">Messages per {activity.bucket}</figcaption>
      <table className="sr-only">
        <thead>
          <tr>
            <th scope="col">{activity.bucket === "hour" ? "Hour" : "Day"}</th>
            {SERIES.map((s) => (
              <th key={s.key} scope="col">
                {s.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.start}>
              <th scope="row">{row.label}</th>
              {SERIES.map((s) => (
                <td key={s.key}>{row[s.key]}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
