"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import * as React from "react";

/** Values to put in the query string: an empty string, null or undefined removes the key. */
export type QueryChanges = Record<string, string | null | undefined>;

/**
 * The page's query string as state (filters live in the URL, so a view is a link), and a
 * setter that applies a change to the query last asked for, not the one last rendered:
 * the router updates the URL in a transition, so two changes in quick succession (a filter
 * cleared, another set) would otherwise have the second undo the first.
 */
export function useQueryParams(): [URLSearchParams, (changes: QueryChanges) => void] {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const text = params.toString();
  const asked = React.useRef(text);
  React.useEffect(() => {
    asked.current = text; // the URL caught up, or moved (the back button)
  }, [text]);
  const current = React.useMemo(() => new URLSearchParams(text), [text]);
  const set = React.useCallback(
    (changes: QueryChanges) => {
      const next = new URLSearchParams(asked.current);
      for (const [key, value] of Object.entries(changes)) {
        if (value) next.set(key, value);
        else next.delete(key);
      }
      asked.current = next.toString();
      router.replace(asked.current ? `${pathname}?${asked.current}` : pathname, {
        scroll: false,
      });
    },
    [pathname, router],
  );
  return [current, set];
}
