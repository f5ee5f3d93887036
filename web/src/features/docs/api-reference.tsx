"use client";

import "@scalar/api-reference-react/style.css";

import { ApiReferenceReact } from "@scalar/api-reference-react";
import { useMemo } from "react";

import { authFetch } from "@/api/client";

/**
 * The OpenAPI document (/openapi.json, derived from the registry) rendered by Scalar,
 * bundled with the console: no CDN, no proxy, no web fonts from elsewhere. "Test request"
 * goes through the console's client, so it carries the signed-in session's token (renewed
 * on a 401) unless a token or API key is typed into the reference's auth field.
 */
/** The console's font and accent; greys darkened to meet WCAG AA contrast (axe-checked). */
const SCALAR_CSS = `
html body .light-mode, html body.light-mode {
  --scalar-font: "Inter Variable", ui-sans-serif, system-ui, sans-serif;
  --scalar-color-2: #5c5c5c;
  --scalar-color-3: #646464;
  --scalar-color-accent: #4338ca;
  --scalar-sidebar-color-2: #5c5c5c;
  --scalar-color-green: #08734a;
}`;

export default function ApiReference() {
  const configuration = useMemo(
    () => ({
      url: "/openapi.json",
      theme: "default" as const,
      layout: "modern" as const,
      withDefaultFonts: false,
      telemetry: false,
      agent: { disabled: true },
      mcp: { disabled: true },
      hideDarkModeToggle: true,
      forceDarkModeState: "light" as const,
      customCss: SCALAR_CSS,
      hideClientButton: true,
      showDeveloperTools: "never" as const,
      documentDownloadType: "json" as const,
      baseServerURL: typeof window === "undefined" ? undefined : window.location.origin,
      servers: typeof window === "undefined" ? [] : [{ url: window.location.origin }],
      authentication: { preferredSecurityScheme: "bearerAuth" },
      customFetch: (input: RequestInfo | URL, init?: RequestInit) =>
        authFetch(new Request(input, init)),
    }),
    [],
  );
  return <ApiReferenceReact configuration={configuration} />;
}
