/**
 * The upload of an import: the File goes as-is in a multipart body (the browser streams it
 * from disk; nothing here reads it), with XMLHttpRequest for its upload progress, which
 * fetch does not report. The session's access token is sent, renewed once on a 401.
 */
import { networkProblem, toProblem } from "@/api/problem";
import type { components } from "@/api/schema";
import { refreshSession, useSession } from "@/features/tenancy/session";

export type ImportJob = components["schemas"]["ImportOut"];

export interface UploadOptions {
  mapping: Record<string, string>;
  tags: string[];
  onDuplicate: "update" | "skip";
  defaultRegion: string;
}

function send(
  file: File,
  options: UploadOptions,
  token: string | null,
  onProgress: (sent: number, total: number) => void,
): Promise<{ status: number; body: unknown; response: Response }> {
  const form = new FormData();
  form.append("mapping", JSON.stringify(options.mapping));
  form.append("on_duplicate", options.onDuplicate);
  if (options.tags.length) form.append("tags", options.tags.join(","));
  if (options.defaultRegion) form.append("default_region", options.defaultRegion);
  form.append("file", file, file.name);
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/v1/contacts/imports");
    if (token) xhr.setRequestHeader("Authorization", `Bearer ${token}`);
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onerror = () => reject(networkProblem());
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = null;
      }
      const headers = new Headers();
      const retry = xhr.getResponseHeader("Retry-After");
      if (retry) headers.set("Retry-After", retry);
      const response = new Response(null, {
        status: xhr.status,
        statusText: xhr.statusText,
        headers,
      });
      resolve({ status: xhr.status, body, response });
    };
    xhr.send(form);
  });
}

export async function uploadImport(
  file: File,
  options: UploadOptions,
  onProgress: (sent: number, total: number) => void,
): Promise<ImportJob> {
  let result = await send(file, options, useSession.getState().accessToken, onProgress);
  if (result.status === 401) {
    const renewed = await refreshSession().catch(() => null);
    if (renewed) result = await send(file, options, renewed, onProgress);
  }
  if (result.status < 200 || result.status >= 300) throw toProblem(result.response, result.body);
  return result.body as ImportJob;
}
