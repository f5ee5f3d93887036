"use client";

import { FileText, Plus } from "lucide-react";
import Link from "next/link";

import { problemMessage } from "@/api/problem";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState, ErrorState, LoadingState } from "@/components/ui/states";
import { LoadMore } from "@/components/ui/load-more";
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from "@/components/ui/table";
import { formatDateTime } from "@/lib/format";

import { useTemplates } from "./hooks";

export function NewTemplateButton() {
  return (
    <Button asChild>
      <Link href="/templates/view">
        <Plus aria-hidden="true" />
        New template
      </Link>
    </Button>
  );
}

/** Templates, newest first, a page of 50 at a time (the API's cursor). */
export function TemplateList() {
  const templates = useTemplates();
  if (templates.isPending) return <LoadingState rows={5} label="Loading templates" />;
  if (templates.isError) {
    return (
      <ErrorState
        error={problemMessage(templates.error)}
        onRetry={() => void templates.refetch()}
      />
    );
  }
  const rows = templates.data.pages.flatMap((p) => p.data);
  if (rows.length === 0) {
    return (
      <EmptyState icon={FileText} title="No templates yet" action={<NewTemplateButton />}>
        A template is a message you reuse: write it once with variables such as{" "}
        <code>{"{{first_name|there}}"}</code>, see its length as you type, and pick it for
        campaigns.
      </EmptyState>
    );
  }
  return (
    <Card className="overflow-hidden p-0">
      <Table>
        <TableHeader>
          <TableRow>
            <TableHead>Name</TableHead>
            <TableHead className="w-full">Message</TableHead>
            <TableHead>Version</TableHead>
            <TableHead>Updated</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {rows.map((t) => (
            <TableRow key={t.id}>
              <TableCell className="font-medium whitespace-nowrap">
                <Link href={`/templates/view?id=${t.id}`} className="hover:underline">
                  {t.name}
                </Link>
                {t.unknown_variables.length ? (
                  <Badge variant="warning" className="ml-2">
                    Check variables
                  </Badge>
                ) : null}
              </TableCell>
              <TableCell className="max-w-0 truncate text-muted-foreground" title={t.body}>
                {t.body}
              </TableCell>
              <TableCell className="tabular-nums">v{t.current_version}</TableCell>
              <TableCell className="whitespace-nowrap text-muted-foreground">
                {formatDateTime(t.updated_at)}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <LoadMore pages={templates} label="Show more" size="sm" className="border-t p-3" />
    </Card>
  );
}
