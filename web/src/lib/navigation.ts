/** Where to go after signing in: only a path of this console (no open redirect). */
export function safeNext(value: string | null | undefined, fallback = "/dashboard"): string {
  if (!value || !value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) {
    return fallback;
  }
  return value;
}

/** `/dashboard/` and `/dashboard` are one page (static export with trailing slashes). */
export function samePath(a: string, b: string): boolean {
  const strip = (p: string) => (p.length > 1 ? p.replace(/\/+$/, "") : p);
  return strip(a) === strip(b);
}

/** A path and everything under it: `/campaigns` is active on `/campaigns/view`. */
export function withinPath(pathname: string, base: string): boolean {
  const strip = (p: string) => (p.length > 1 ? p.replace(/\/+$/, "") : p);
  const path = strip(pathname);
  const root = strip(base);
  return path === root || path.startsWith(`${root}/`);
}
