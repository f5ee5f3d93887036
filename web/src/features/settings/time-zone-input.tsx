"use client";

import * as React from "react";

import { Input } from "@/components/ui/input";

import { timeZones } from "./time-zones";

/** A text input that suggests IANA time zones as you type ("chic" -> America/Chicago):
 * the browser's own list (datalist), so it works with the keyboard and on phones. */
export function TimeZoneInput(props: React.ComponentProps<typeof Input>) {
  const listId = React.useId();
  const options = React.useMemo(() => timeZones(), []);
  return (
    <>
      <Input
        list={listId}
        autoComplete="off"
        spellCheck={false}
        placeholder="Type to search: America/Chicago"
        {...props}
      />
      <datalist id={listId}>
        {options.map((zone) => (
          <option key={zone} value={zone} />
        ))}
      </datalist>
    </>
  );
}
