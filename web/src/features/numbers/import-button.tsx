"use client";

import { Download } from "lucide-react";

import { problemMessage } from "@/api/problem";
import { Button } from "@/components/ui/button";
import { Spinner } from "@/components/ui/states";
import { toast } from "@/components/ui/toast";

import { useImportNumbers } from "./hooks";

/** Brings in every SMS-capable number of the connected account (idempotent). */
export function ImportNumbersButton() {
  const importing = useImportNumbers();
  return (
    <Button
      variant="outline"
      disabled={importing.isPending}
      onClick={async () => {
        try {
          const result = await importing.mutateAsync();
          const parts = [
            `${result.imported} imported`,
            `${result.already_present} already here`,
            ...(result.skipped.length
              ? [`${result.skipped.length} skipped (not SMS-capable or taken)`]
              : []),
          ];
          toast.success("Numbers imported from your account", parts.join(", "));
        } catch (error) {
          toast.error("Could not import numbers", problemMessage(error));
        }
      }}
    >
      {importing.isPending ? <Spinner label="Importing" /> : <Download aria-hidden="true" />}
      Import from Twilio
    </Button>
  );
}
