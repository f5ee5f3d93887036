"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect } from "react";

import { builtSettingsSections } from "@/components/shell/settings-sections";
import { LoadingState } from "@/components/ui/states";
import { atLeast } from "@/features/tenancy/roles";
import { useRole } from "@/features/tenancy/session";

/** /settings has no content of its own: it opens the first section this role may see
 * (a static export has no server redirect, so it happens here, with a link meanwhile). */
export function SettingsIndex() {
  const router = useRouter();
  const role = useRole();
  const sections = builtSettingsSections().filter(
    (section) => !section.minRole || atLeast(role, section.minRole),
  );
  const first = sections[0];
  useEffect(() => {
    if (first) router.replace(first.href);
  }, [first, router]);
  return (
    <div className="grid gap-3">
      <h2 className="sr-only">Sections</h2>
      <LoadingState rows={2} label="Opening settings" />
      {first ? (
        <p className="text-sm text-muted-foreground">
          Opening{" "}
          <Link href={first.href} className="font-medium text-primary underline">
            {first.label}
          </Link>
          …
        </p>
      ) : null}
    </div>
  );
}
