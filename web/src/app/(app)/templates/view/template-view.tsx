"use client";

import { ArrowLeft } from "lucide-react";
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { Suspense } from "react";

import { problemMessage } from "@/api/problem";
import { PageHeader } from "@/components/shell/app-frame";
import { Button } from "@/components/ui/button";
import { ErrorState, LoadingState } from "@/components/ui/states";
import { useTemplate } from "@/features/templates/hooks";
import { DeleteTemplateButton, TemplateEditor } from "@/features/templates/template-editor";

function Back() {
  return (
    <Button asChild variant="ghost" size="sm" className="-ml-2 w-fit">
      <Link href="/templates">
        <ArrowLeft aria-hidden="true" />
        Templates
      </Link>
    </Button>
  );
}

/** `/templates/view` writes a new template; `/templates/view?id=...` edits one. */
function Template() {
  const id = useSearchParams().get("id");
  const template = useTemplate(id);
  if (!id) {
    return (
      <div className="grid max-w-3xl gap-2">
        <Back />
        <PageHeader title="New template" description="Write it once, reuse it in campaigns." />
        <TemplateEditor />
      </div>
    );
  }
  return (
    <div className="grid max-w-3xl gap-2">
      <Back />
      {template.isPending ? (
        <LoadingState rows={6} label="Loading the template" />
      ) : template.isError ? (
        <ErrorState
          title="This template could not be loaded"
          error={problemMessage(template.error)}
          onRetry={() => void template.refetch()}
        />
      ) : (
        <>
          <PageHeader
            title={template.data.name}
            description={`Version ${template.data.current_version}`}
            actions={<DeleteTemplateButton template={template.data} />}
          />
          <TemplateEditor key={template.data.id} template={template.data} />
        </>
      )}
    </div>
  );
}

export function TemplateView() {
  return (
    <Suspense>
      <Template />
    </Suspense>
  );
}
