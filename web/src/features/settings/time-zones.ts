/** IANA time zones as the browser knows them (the API checks against its own tz database). */
let zones: string[] | null = null;

export function timeZones(): string[] {
  if (zones) return zones;
  const known =
    typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  zones = Array.from(new Set(["UTC", ...known])).sort((a, b) => a.localeCompare(b));
  return zones;
}
