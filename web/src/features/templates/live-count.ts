import { useDebouncedValue } from "@/lib/use-debounced-value";

import { useDraftPreview } from "./hooks";

/** The live count of `body`, 250 ms after the typing stops, from the API's preview. */
export function useLiveCount(body: string) {
  const settled = useDebouncedValue(body, 250);
  const preview = useDraftPreview(settled);
  const pending = body !== settled || preview.isFetching;
  return { preview, pending: pending && body.trim().length > 0 };
}
