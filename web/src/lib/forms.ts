import { zodResolver } from "@hookform/resolvers/zod";
import type { FieldValues, Resolver } from "react-hook-form";
import type { $ZodType } from "zod/v4/core";

type Schema = $ZodType<FieldValues, FieldValues>;

/**
 * A zod resolver whose schema module loads on the first validation (the first submit), not
 * with the page: the signed-out pages stay within their first-load budget. Signed-in pages
 * can use `zodResolver(schema)` directly.
 *
 *   useForm<LoginValues>({ resolver: lazyZodResolver(() => import("./schemas").then((m) => m.loginSchema)) })
 */
export function lazyZodResolver<T extends FieldValues>(load: () => Promise<Schema>): Resolver<T> {
  let resolver: Resolver<T> | null = null;
  return async (values, context, options) => {
    resolver ??= zodResolver(await load()) as Resolver<FieldValues> as Resolver<T>;
    return resolver(values, context, options);
  };
}
