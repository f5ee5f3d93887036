/** The endpoint form, with the API's limits (shared/webhooks/schemas.py WebhookEndpointIn). */
import * as z from "zod";

export const URL_MAX = 2000;
export const DESCRIPTION_MAX = 500;
export const EVENT_TYPES_MAX = 100;
export const ALL_EVENTS = "*";

function isWebUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === "https:" || url.protocol === "http:") && Boolean(url.hostname);
  } catch {
    return false;
  }
}

export const endpointSchema = z
  .object({
    url: z
      .string()
      .trim()
      .min(1, "Enter the URL that receives the events.")
      .max(URL_MAX, `Use at most ${URL_MAX} characters.`)
      .refine(isWebUrl, "Enter a full URL, like https://example.com/webhooks."),
    description: z
      .string()
      .trim()
      .max(DESCRIPTION_MAX, `Use at most ${DESCRIPTION_MAX} characters.`),
    all_events: z.boolean(),
    event_types: z.array(z.string()).max(EVENT_TYPES_MAX, `Pick at most ${EVENT_TYPES_MAX} types.`),
  })
  .refine((v) => v.all_events || v.event_types.length > 0, {
    path: ["event_types"],
    message: "Pick at least one event type, or all events.",
  });

export type EndpointValues = z.infer<typeof endpointSchema>;

export const emptyEndpoint: EndpointValues = {
  url: "",
  description: "",
  all_events: true,
  event_types: [],
};

/** The form's values as the API's body. */
export function endpointBody(values: EndpointValues) {
  return {
    url: values.url.trim(),
    description: values.description.trim() || null,
    event_types: values.all_events ? [ALL_EVENTS] : values.event_types,
  };
}

/** An endpoint as form values (editing). */
export function endpointValues(endpoint: {
  url: string;
  description: string | null;
  event_types: string[];
}): EndpointValues {
  const all = endpoint.event_types.includes(ALL_EVENTS);
  return {
    url: endpoint.url,
    description: endpoint.description ?? "",
    all_events: all,
    event_types: all ? [] : endpoint.event_types,
  };
}
