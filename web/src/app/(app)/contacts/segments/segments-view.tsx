"use client";

import { Plus } from "lucide-react";
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { Suspense } from "react";

import { PageHeader } from "@/components/shell/app-frame";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { SegmentEditor } from "@/features/contacts/segments/segment-editor";
import { SegmentList } from "@/features/contacts/segments/segment-list";

/** Segments live under Contacts (they are saved filters over contacts): the list, or with
 * `?edit=<id>` (or `new`) the rule builder with its live count. */
function Segments() {
  const edit = useSearchParams().get("edit");
  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm">
        <Link href="/contacts" className="text-muted-foreground hover:underline">
          Contacts
        </Link>
      </nav>
      {edit ? (
        <>
          <PageHeader
            title={edit === "new" ? "New segment" : "Edit segment"}
            description="Build the audience from conditions; the count follows as you edit."
          />
          <SegmentEditor key={edit} id={edit} />
        </>
      ) : (
        <>
          <PageHeader
            title="Segments"
            description="Saved audiences: contacts matching rules, counted when used."
            actions={
              <Button asChild>
                <Link href="/contacts/segments?edit=new">
                  <Plus aria-hidden="true" /> New segment
                </Link>
              </Button>
            }
          />
          <Card>
            <CardContent className="pt-5">
              <SegmentList />
            </CardContent>
          </Card>
        </>
      )}
    </>
  );
}

export function SegmentsView() {
  return (
    <Suspense>
      <Segments />
    </Suspense>
  );
}
