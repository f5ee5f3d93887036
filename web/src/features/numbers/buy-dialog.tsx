"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { Check, Search, ShoppingCart } from "lucide-react";
import * as React from "react";
import { useForm } from "react-hook-form";

import { applyProblem, problemMessage } from "@/api/problem";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogTrigger } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { EmptyState, ErrorState, LoadingState, Spinner } from "@/components/ui/states";
import { formatPhone } from "@/lib/format";

import { type AvailableQuery, useAvailableNumbers, usePurchaseNumber } from "./hooks";
import { searchSchema, type SearchValues } from "./schemas";

function BuyButton({
  phone,
  bought,
  onBought,
}: {
  phone: string;
  bought: boolean;
  onBought: () => void;
}) {
  const purchase = usePurchaseNumber();
  const [error, setError] = React.useState<string | null>(null);
  const boughtRef = React.useRef<HTMLSpanElement>(null);
  React.useEffect(() => {
    // The Buy button that had the focus is gone: keep the focus in the dialog.
    if (bought && document.activeElement === document.body) boughtRef.current?.focus();
  }, [bought]);
  if (bought) {
    return (
      <span
        ref={boughtRef}
        tabIndex={-1}
        data-bought
        className="inline-flex items-center gap-1 text-sm font-medium outline-none"
      >
        <Check className="size-4 text-success" aria-hidden="true" /> Bought
      </span>
    );
  }
  return (
    <div className="flex flex-col items-end gap-1">
      <Button
        size="sm"
        variant="outline"
        disabled={purchase.isPending}
        aria-label={`Buy ${formatPhone(phone)}`}
        onClick={async () => {
          setError(null);
          try {
            await purchase.mutateAsync(phone);
            onBought(); // the row says "Bought": no toast over the dialog (Escape closes it)
          } catch (e) {
            setError(problemMessage(e));
          }
        }}
      >
        {purchase.isPending ? <Spinner label="Buying" /> : <ShoppingCart aria-hidden="true" />}
        Buy
      </Button>
      {error ? (
        <p role="alert" className="max-w-56 text-right text-xs text-destructive">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** Search the provider's numbers (the simulator locally) and buy them one by one. */
export function BuyNumbersDialog() {
  const [open, setOpen] = React.useState(false);
  const [query, setQuery] = React.useState<AvailableQuery | null>(null);
  const [bought, setBought] = React.useState<Set<string>>(new Set());
  const results = useAvailableNumbers(query);
  const form = useForm<SearchValues>({
    resolver: zodResolver(searchSchema),
    defaultValues: { area_code: "", contains: "" },
  });
  const { errors } = form.formState;

  React.useEffect(() => {
    if (results.error) {
      applyProblem(form, results.error, { fields: ["area_code", "contains"] });
    }
  }, [results.error, form]);

  const onSubmit = form.handleSubmit((values) => {
    setQuery({
      country: "US",
      limit: 20,
      ...(values.area_code ? { area_code: values.area_code } : {}),
      ...(values.contains ? { contains: values.contains } : {}),
    });
  });

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next) setBought(new Set());
      }}
    >
      <DialogTrigger asChild>
        <Button>
          <ShoppingCart aria-hidden="true" />
          Buy numbers
        </Button>
      </DialogTrigger>
      <DialogContent
        title="Buy numbers"
        description="Search your provider's numbers by area code or digits. Each number you buy sends at its own rate."
        className="max-w-xl"
      >
        <form
          onSubmit={onSubmit}
          noValidate
          className="grid items-start gap-3 sm:grid-cols-[1fr_1fr_auto]"
        >
          <Field id="area_code" label="Area code" error={errors.area_code?.message}>
            <Input
              inputMode="numeric"
              placeholder="415"
              maxLength={3}
              {...form.register("area_code")}
            />
          </Field>
          <Field id="contains" label="Contains" error={errors.contains?.message}>
            <Input
              inputMode="numeric"
              placeholder="555"
              maxLength={10}
              {...form.register("contains")}
            />
          </Field>
          <Button type="submit" variant="secondary" className="sm:mt-[22px]">
            <Search aria-hidden="true" />
            Search
          </Button>
        </form>
        {errors.root?.server ? <Alert variant="error">{errors.root.server.message}</Alert> : null}
        <div aria-live="polite" className="min-h-24">
          {query === null ? (
            <p className="py-6 text-center text-sm text-muted-foreground">
              Search to see the numbers you can buy.
            </p>
          ) : results.isFetching && !results.data ? (
            <LoadingState rows={4} label="Searching numbers" />
          ) : results.isError ? (
            <ErrorState
              error={problemMessage(results.error)}
              onRetry={() => void results.refetch()}
            />
          ) : results.data && results.data.length === 0 ? (
            <EmptyState title="No number matches">
              Try another area code, or fewer digits.
            </EmptyState>
          ) : (
            <ul className="divide-y rounded-lg border" aria-label="Numbers you can buy">
              {results.data?.map((n) => (
                <li
                  key={n.phone_number}
                  className="flex items-center justify-between gap-3 px-3 py-2"
                >
                  <div className="grid">
                    <span className="font-medium tabular-nums">{formatPhone(n.phone_number)}</span>
                    <span className="text-xs text-muted-foreground">
                      {[n.locality, n.region].filter(Boolean).join(", ") || n.friendly_name}
                      {n.capabilities.mms ? " · SMS + MMS" : " · SMS"}
                    </span>
                  </div>
                  <BuyButton
                    phone={n.phone_number}
                    bought={bought.has(n.phone_number)}
                    onBought={() => setBought((s) => new Set(s).add(n.phone_number))}
                  />
                </li>
              ))}
            </ul>
          )}
        </div>
      </DialogContent>
    </Dialog>
  );
}
