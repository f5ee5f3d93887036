import { useQuery, useQueryClient } from "@tanstack/react-query";

import { api, authFetch, unwrap } from "@/api/client";
import { toProblem } from "@/api/problem";

import type { ImportJob } from "./upload";

export const importKeys = {
  job: (id: string) => ["contact-imports", id] as const,
  recent: ["contact-imports", "recent"] as const,
};

const FINISHED = new Set(["completed", "failed", "cancelled"]);

export function isFinished(job: Pick<ImportJob, "status">): boolean {
  return FINISHED.has(job.status);
}

/** An import's progress, polled every second until it finishes (then contacts refresh). */
export function useImportJob(id: string) {
  const client = useQueryClient();
  return useQuery({
    queryKey: importKeys.job(id),
    queryFn: async () => {
      const job = await unwrap(
        api.GET("/v1/contacts/imports/{import_id}", { params: { path: { import_id: id } } }),
      );
      if (isFinished(job)) {
        void client.invalidateQueries({ queryKey: ["contacts"] });
        void client.invalidateQueries({ queryKey: ["tags"] });
        void client.invalidateQueries({ queryKey: ["onboarding"] });
      }
      return job;
    },
    enabled: !!id,
    refetchInterval: (query) => (query.state.data && isFinished(query.state.data) ? false : 1000),
  });
}

export function useRecentImports() {
  return useQuery({
    queryKey: importKeys.recent,
    queryFn: () => unwrap(api.GET("/v1/contacts/imports", { params: { query: { limit: 5 } } })),
    select: (page) => page.data,
  });
}

/** The rows that were refused, as the CSV the API makes, saved by the browser. */
export async function downloadErrors(job: ImportJob): Promise<void> {
  if (!job.errors_url) return;
  const response = await authFetch(new Request(job.errors_url));
  if (!response.ok) throw toProblem(response, await response.json().catch(() => null));
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  const base = (job.filename ?? "contacts.csv").replace(/\.csv$/i, "");
  a.download = `${base}-errors.csv`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
