"use client";

import { PageHeader } from "@/components/shell/app-frame";
import { NewTemplateButton, TemplateList } from "@/features/templates/template-list";

export function TemplatesView() {
  return (
    <>
      <PageHeader
        title="Templates"
        description="Messages you reuse, with variables, live length and every version kept."
        actions={<NewTemplateButton />}
      />
      <TemplateList />
    </>
  );
}
