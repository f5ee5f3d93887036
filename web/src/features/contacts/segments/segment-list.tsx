"use client";

import { Filter, Plus } from "lucide-react";
import Link from "next/link";

import { problemMessage } from "@/api/problem";
import { Button } from "@/components/ui/button";
import { EmptyState, ErrorState, LoadingState, Spinner } from "@/components/ui/states";
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from "@/components/ui/table";
import { formatCount, formatDateTime } from "@/lib/format";

import { useSegments } from "../hooks";
import { useSegmentCount } from "./hooks";

function SegmentCount({ id }: { id: string }) {
  const count = useSegmentCount(id);
  if (count.isPending) return <Spinner label="Counting" />;
  if (count.isError) return <span className="text-muted-foreground">—</span>;
  return <span className="tabular-nums">{formatCount(count.data)}</span>;
}

export function SegmentList() {
  const segments = useSegments();
  if (segments.isPending) return <LoadingState rows={4} label="Loading segments" />;
  if (segments.isError) {
    return (
      <ErrorState error={problemMessage(segments.error)} onRetry={() => void segments.refetch()} />
    );
  }
  if (segments.data.length === 0) {
    return (
      <EmptyState
        icon={Filter}
        title="No segment yet"
        action={
          <Button asChild size="sm">
            <Link href="/contacts/segments?edit=new">
              <Plus aria-hidden="true" /> New segment
            </Link>
          </Button>
        }
      >
        A segment is a saved audience: contacts matching rules on their fields, tags, consent and
        activity. Campaigns send to segments.
      </EmptyState>
    );
  }
  return (
    <Table aria-label="Segments">
      <TableHeader>
        <TableRow>
          <TableHead>Name</TableHead>
          <TableHead className="text-right">Contacts now</TableHead>
          <TableHead>Updated</TableHead>
          <TableHead>
            <span className="sr-only">Actions</span>
          </TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {segments.data.map((s) => (
          <TableRow key={s.id}>
            <TableCell>
              <Link
                href={`/contacts/segments?edit=${s.id}`}
                className="font-medium hover:underline"
              >
                {s.name}
              </Link>
              {s.description ? (
                <p className="text-xs text-muted-foreground">{s.description}</p>
              ) : null}
            </TableCell>
            <TableCell className="text-right">
              <SegmentCount id={s.id} />
            </TableCell>
            <TableCell className="whitespace-nowrap text-muted-foreground">
              {formatDateTime(s.updated_at)}
            </TableCell>
            <TableCell className="text-right">
              <Button variant="ghost" size="sm" asChild>
                <Link href={`/contacts?segment=${s.id}`}>View contacts</Link>
              </Button>
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
