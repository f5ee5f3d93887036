"use client";

import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { Suspense } from "react";

import { PageHeader } from "@/components/shell/app-frame";
import { ImportWizard } from "@/features/contacts/import/import-wizard";

function Import() {
  const id = useSearchParams().get("id") ?? "";
  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm">
        <Link href="/contacts" className="text-muted-foreground hover:underline">
          Contacts
        </Link>
      </nav>
      <PageHeader
        title="Import contacts"
        description="From a CSV file: match its columns, then follow the import as it runs."
      />
      <ImportWizard jobId={id} />
    </>
  );
}

export function ImportView() {
  return (
    <Suspense>
      <Import />
    </Suspense>
  );
}
