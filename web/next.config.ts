import type { NextConfig } from "next";
import { PHASE_DEVELOPMENT_SERVER } from "next/constants";

/**
 * Production: a static export (web/out) served by the gateway locally and by a bucket in
 * GCP. Every page is a folder with an index.html (trailingSlash), so a reload of any URL
 * finds a file; records are addressed with query parameters (/campaigns/view?id=...).
 *
 * `next dev` (`make web`): the same pages, with the API proxied to a running gateway so
 * the console and the API share an origin, as they do in production.
 */
export default function config(phase: string): NextConfig {
  if (phase === PHASE_DEVELOPMENT_SERVER) {
    const api = process.env.SMSPLAT_API_URL ?? "http://127.0.0.1:8080";
    return {
      reactStrictMode: true,
      async rewrites() {
        return ["/v1/:path*", "/webhooks/:path*", "/openapi.json", "/health"].map((source) => ({
          source,
          destination: `${api}${source}`,
        }));
      },
    };
  }
  return {
    output: "export",
    trailingSlash: true,
    reactStrictMode: true,
    images: { unoptimized: true },
    productionBrowserSourceMaps: false,
    // Import only the primitives a page uses from the umbrella package.
    experimental: { optimizePackageImports: ["radix-ui", "lucide-react"] },
  };
}
