import { QueryClient } from "@tanstack/react-query";

import { ApiProblem } from "@/api/problem";

/** One client for the whole console; cleared when the session or the workspace changes. */
export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      // A 4xx will answer the same again; network errors and 5xx get two more tries.
      retry: (failures, error) =>
        failures < 2 && !(error instanceof ApiProblem && error.status >= 400 && error.status < 500),
    },
    mutations: { retry: false },
  },
});
