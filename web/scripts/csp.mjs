// Gives every exported page a Content-Security-Policy <meta> that allows its own inline
// scripts by hash. A static export inlines the React Server Components payload as
// <script> elements, different on every page, so no single header could allow them without
// 'unsafe-inline'; a <meta> travels with the file to any static host (the gateway locally,
// the bucket in GCP). Framing is refused by the server's headers (a <meta> cannot).
// Runs after `next build` (npm run build).
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const OUT = join(dirname(fileURLToPath(import.meta.url)), "..", "out");
const INLINE_SCRIPT = /<script(?![^>]*\ssrc=)[^>]*>([\s\S]*?)<\/script>/g;
const MARK = 'http-equiv="Content-Security-Policy"';

/** The console's needs, stated once: everything from its own origin, nothing inline but
 * the listed scripts. Styles allow 'unsafe-inline' (Radix positions popovers with style
 * attributes; the API reference injects its stylesheet). */
export function policy(scriptHashes) {
  const scripts = ["'self'", ...scriptHashes.map((h) => `'sha256-${h}'`)].join(" ");
  return [
    "default-src 'self'",
    `script-src ${scripts}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
  ].join("; ");
}

export function inlineScriptHashes(html) {
  return [...html.matchAll(INLINE_SCRIPT)]
    .map((m) => m[1])
    .filter((body) => body.trim().length > 0)
    .map((body) => createHash("sha256").update(body, "utf8").digest("base64"));
}

export function withCsp(html) {
  if (html.includes(MARK)) return html;
  const meta = `<meta ${MARK} content="${policy([...new Set(inlineScriptHashes(html))])}"/>`;
  return html.replace(/<head>/, `<head>${meta}`);
}

function* htmlFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* htmlFiles(path);
    else if (entry.name.endsWith(".html")) yield path;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  let pages = 0;
  for (const file of htmlFiles(OUT)) {
    writeFileSync(file, withCsp(readFileSync(file, "utf8")));
    pages += 1;
  }
  console.log(`csp: ${pages} pages carry their Content-Security-Policy`);
}
