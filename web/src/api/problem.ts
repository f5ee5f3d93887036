/**
 * RFC 9457 problems as the API sends them (application/problem+json), as one typed error.
 *
 * Validation problems name field paths (`body.email`, `query.limit`, `body.rows[2].phone`);
 * forms show each message next to its field with `fieldErrors` / `applyProblem`.
 */

export interface ProblemFieldError {
  field: string;
  message: string;
  code?: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  request_id?: string;
  errors?: ProblemFieldError[];
}

const PROBLEM_BASE = "https://smsplatform.dev/problems/";

export class ApiProblem extends Error {
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly detail: string | undefined;
  readonly errors: ProblemFieldError[];
  readonly requestId: string | undefined;
  readonly retryAfter: number | undefined;

  constructor(body: ProblemBody, retryAfter?: number) {
    super(body.detail ?? body.title);
    this.name = "ApiProblem";
    this.status = body.status;
    this.type = body.type;
    this.title = body.title;
    this.detail = body.detail;
    this.errors = body.errors ?? [];
    this.requestId = body.request_id;
    this.retryAfter = retryAfter;
  }

  /** The stable part of `type`: "validation-error", "email-taken", "rate-limited"... */
  get slug(): string {
    return this.type.startsWith(PROBLEM_BASE) ? this.type.slice(PROBLEM_BASE.length) : this.type;
  }
}

function isProblemBody(value: unknown): value is ProblemBody {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.status === "number" && typeof v.title === "string";
}

/** Any failed response as an ApiProblem, even one that is not problem+json (a proxy's 502). */
export function toProblem(response: Response, body: unknown): ApiProblem {
  const header = response.headers.get("Retry-After");
  const retryAfter = header && /^\d+$/.test(header) ? Number(header) : undefined;
  if (isProblemBody(body)) {
    return new ApiProblem({ ...body, type: body.type ?? "about:blank" }, retryAfter);
  }
  return new ApiProblem(
    {
      type: "about:blank",
      title: response.statusText || "Request failed",
      status: response.status,
      detail:
        response.status >= 500
          ? "The server could not answer. Try again in a moment."
          : `The request failed (${response.status}).`,
    },
    retryAfter,
  );
}

/** A network failure (offline, DNS, refused) as a problem the UI can show like any other. */
export function networkProblem(): ApiProblem {
  return new ApiProblem({
    type: "about:blank",
    title: "Network error",
    status: 0,
    detail: "Could not reach the server. Check your connection and try again.",
  });
}

/**
 * Field paths of a problem mapped to form field names: `body.address.zip` -> `address.zip`,
 * `body.rows[2].phone` -> `rows.2.phone` (react-hook-form's path syntax). The first message
 * of a field wins. Paths outside `prefix` are not fields of the form and are left out.
 */
export function fieldErrors(problem: ApiProblem, prefix = "body"): Record<string, string> {
  const out: Record<string, string> = {};
  for (const error of problem.errors) {
    if (error.field !== prefix && !error.field.startsWith(`${prefix}.`)) continue;
    const path = error.field
      .slice(prefix.length + 1)
      .replace(/\[(\d+)\]/g, ".$1")
      .replace(/^\./, "");
    if (path && !(path in out)) out[path] = error.message;
  }
  return out;
}

/** What to tell a person about a problem that no field owns. */
export function problemMessage(error: unknown): string {
  if (error instanceof ApiProblem) {
    if (error.status === 429 && error.retryAfter) {
      const minutes = Math.ceil(error.retryAfter / 60);
      return `${error.detail ?? error.title} (try again in ${minutes} minute${minutes > 1 ? "s" : ""}).`;
    }
    return error.detail ?? error.title;
  }
  return "Something went wrong. Try again.";
}

interface ErrorSink {
  setError: (name: never, error: { type: string; message: string }) => void;
}

/**
 * Shows a problem on a react-hook-form form: every field path on its field, problems
 * named by slug on the field they concern (`{ "email-taken": "email" }`), anything else as
 * the form's root error. Returns the fields it set.
 */
export function applyProblem<TFields extends string>(
  form: ErrorSink,
  error: unknown,
  options: { fields: readonly TFields[]; slugs?: Partial<Record<string, TFields>> },
): TFields[] {
  const set = (name: string, message: string) =>
    form.setError(name as never, { type: "server", message });
  if (!(error instanceof ApiProblem)) {
    set("root.server", problemMessage(error));
    return [];
  }
  const known = new Set<string>(options.fields);
  const placed: TFields[] = [];
  for (const [path, message] of Object.entries(fieldErrors(error))) {
    const field = path.split(".")[0] ?? path;
    if (known.has(field)) {
      set(path, message);
      placed.push(field as TFields);
    }
  }
  const bySlug = options.slugs?.[error.slug];
  if (bySlug && placed.length === 0) {
    set(bySlug, problemMessage(error));
    placed.push(bySlug);
  }
  if (placed.length === 0) set("root.server", problemMessage(error));
  return placed;
}
