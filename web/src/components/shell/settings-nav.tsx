"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

import { atLeast } from "@/features/tenancy/roles";
import { useRole } from "@/features/tenancy/session";
import { withinPath } from "@/lib/navigation";
import { cn } from "@/lib/utils";

import { builtSettingsSections } from "./settings-sections";

/** Settings' own menu: a column beside the page, a scrolling row of tabs on a phone. */
export function SettingsNav() {
  const pathname = usePathname();
  const role = useRole();
  const sections = builtSettingsSections().filter(
    (section) => !section.minRole || atLeast(role, section.minRole),
  );
  return (
    <nav aria-label="Settings" className="md:w-48 md:shrink-0">
      <ul className="-mx-1 flex gap-1 overflow-x-auto pb-1 md:mx-0 md:grid md:gap-0.5 md:overflow-visible">
        {sections.map((section) => {
          const active = withinPath(pathname, section.href);
          return (
            <li key={section.href}>
              <Link
                href={section.href}
                aria-current={active ? "page" : undefined}
                className={cn(
                  "block rounded-md px-3 py-1.5 text-sm font-medium whitespace-nowrap text-muted-foreground transition-colors hover:bg-muted hover:text-foreground",
                  active && "bg-accent text-accent-foreground hover:bg-accent",
                )}
              >
                {section.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
