"use client";

import { Suspense } from "react";

import { PageHeader } from "@/components/shell/app-frame";
import { Card, CardContent } from "@/components/ui/card";
import { Label } from "@/components/ui/label";
import { Select } from "@/components/ui/select";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { BuyNumbersDialog } from "@/features/numbers/buy-dialog";
import type { NumberStatus } from "@/features/numbers/hooks";
import { ImportNumbersButton } from "@/features/numbers/import-button";
import { NumbersTable } from "@/features/numbers/numbers-table";
import { PoolsSection } from "@/features/numbers/pools";
import { atLeast } from "@/features/tenancy/roles";
import { useRole } from "@/features/tenancy/session";
import { useQueryParams } from "@/lib/use-query-params";

const STATUSES: readonly { value: NumberStatus; label: string }[] = [
  { value: "active", label: "Healthy" },
  { value: "paused", label: "Paused" },
  { value: "failing", label: "Paused by health" },
  { value: "released", label: "Released" },
];

function isStatus(value: string | null): value is NumberStatus {
  return STATUSES.some((s) => s.value === value);
}

function Numbers() {
  const [params, setParams] = useQueryParams();
  const tab = params.get("tab") === "pools" ? "pools" : "numbers";
  const asked = params.get("status");
  const status = isStatus(asked) ? asked : null;
  const canManage = atLeast(useRole(), "admin");

  return (
    <>
      <PageHeader
        title="Numbers"
        description="The phone numbers you send from, their health and rate, and the pools campaigns use."
        actions={
          canManage ? (
            <>
              <ImportNumbersButton />
              <BuyNumbersDialog />
            </>
          ) : null
        }
      />
      <Tabs
        value={tab}
        onValueChange={(value) => setParams({ tab: value === "numbers" ? null : value })}
      >
        <TabsList aria-label="Numbers or pools">
          <TabsTrigger value="numbers">Numbers</TabsTrigger>
          <TabsTrigger value="pools">Pools</TabsTrigger>
        </TabsList>
        <TabsContent value="numbers">
          <Card>
            <CardContent className="grid gap-4 pt-6">
              <div className="flex items-center gap-2">
                <Label htmlFor="number-status">Show</Label>
                <Select
                  id="number-status"
                  className="w-48"
                  value={status ?? ""}
                  onChange={(e) => setParams({ status: e.target.value })}
                >
                  <option value="">All numbers</option>
                  {STATUSES.map((s) => (
                    <option key={s.value} value={s.value}>
                      {s.label}
                    </option>
                  ))}
                </Select>
              </div>
              <NumbersTable status={status} />
            </CardContent>
          </Card>
        </TabsContent>
        <TabsContent value="pools">
          <PoolsSection />
        </TabsContent>
      </Tabs>
    </>
  );
}

export function NumbersView() {
  return (
    <Suspense>
      <Numbers />
    </Suspense>
  );
}
