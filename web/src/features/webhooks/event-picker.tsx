"use client";

import { Checkbox } from "@/components/ui/checkbox";
import { LoadingState } from "@/components/ui/states";
import { ErrorState } from "@/components/ui/states";
import { problemMessage } from "@/api/problem";

import { TEST_EVENT, useEventTypes, type EventType } from "./hooks";

interface EventPickerProps {
  allEvents: boolean;
  onAllEventsChange: (all: boolean) => void;
  selected: string[];
  onSelectedChange: (types: string[]) => void;
  /** Error id, for aria-describedby of the group. */
  errorId?: string | undefined;
  invalid?: boolean;
}

function groupOf(type: string): string {
  return type.split(".")[0] ?? type;
}

/** The catalogue (GET /v1/webhook-events) as checkboxes grouped by object. */
export function EventPicker({
  allEvents,
  onAllEventsChange,
  selected,
  onSelectedChange,
  errorId,
  invalid,
}: EventPickerProps) {
  const types = useEventTypes();
  const chosen = new Set(selected);
  const toggle = (type: string, on: boolean) =>
    onSelectedChange(on ? [...selected, type] : selected.filter((t) => t !== type));

  const groups = new Map<string, EventType[]>();
  for (const type of types.data ?? []) {
    if (type.type === TEST_EVENT) continue;
    const group = groups.get(groupOf(type.type)) ?? [];
    group.push(type);
    groups.set(groupOf(type.type), group);
  }

  return (
    <fieldset
      className="grid gap-3"
      aria-describedby={errorId}
      aria-invalid={invalid ? true : undefined}
    >
      <legend className="mb-1.5 text-sm font-medium">Events</legend>
      <label className="flex items-start gap-2 text-sm">
        <Checkbox
          checked={allEvents}
          onCheckedChange={(value) => onAllEventsChange(value === true)}
          className="mt-0.5"
        />
        <span>
          <span className="font-medium">All events</span>
          <span className="block text-xs text-muted-foreground">
            Every type in the catalogue, including types added later.
          </span>
        </span>
      </label>
      {allEvents ? null : types.isPending ? (
        <LoadingState rows={4} label="Loading event types" />
      ) : types.isError ? (
        <ErrorState
          title="The event types could not be loaded"
          error={problemMessage(types.error)}
          onRetry={() => void types.refetch()}
        />
      ) : (
        <div className="grid max-h-72 gap-3 overflow-y-auto rounded-md border p-3">
          {[...groups.entries()].map(([group, list]) => (
            <div key={group} role="group" aria-label={`${group} events`} className="grid gap-1.5">
              <p className="text-xs font-semibold tracking-wide text-muted-foreground uppercase">
                {group}
              </p>
              {list.map((type) => (
                <label key={type.type} className="flex items-start gap-2 text-sm">
                  <Checkbox
                    checked={chosen.has(type.type)}
                    onCheckedChange={(value) => toggle(type.type, value === true)}
                    className="mt-0.5"
                  />
                  <span className="min-w-0">
                    <code className="font-mono text-xs">{type.type}</code>
                    <span className="block text-xs text-muted-foreground">{type.description}</span>
                  </span>
                </label>
              ))}
            </div>
          ))}
        </div>
      )}
    </fieldset>
  );
}
