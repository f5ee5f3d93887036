"use client";

import { BookOpen } from "lucide-react";
import Link from "next/link";
import { usePathname } from "next/navigation";

import { atLeast } from "@/features/tenancy/roles";
import { useRole } from "@/features/tenancy/session";
import { withinPath } from "@/lib/navigation";
import { cn } from "@/lib/utils";

import { Brand } from "./brand";
import { builtRooms } from "./rooms";

/** The rooms that exist, for the caller's role; the current one is marked for everyone. */
export function Nav({ onNavigate }: { onNavigate?: () => void }) {
  const pathname = usePathname();
  const role = useRole();
  const rooms = builtRooms().filter((room) => !room.minRole || atLeast(role, room.minRole));
  const item =
    "flex items-center gap-3 rounded-md px-3 py-2 text-sm font-medium text-muted-foreground transition-colors hover:bg-muted hover:text-foreground";
  return (
    <div className="flex h-full flex-col">
      <div className="flex h-14 items-center px-5">
        <Link href="/dashboard" className="rounded-md" onClick={onNavigate}>
          <Brand />
        </Link>
      </div>
      <nav aria-label="Main" className="flex-1 px-3 py-2">
        <ul className="grid gap-0.5">
          {rooms.map((room) => {
            const active = withinPath(pathname, room.href);
            return (
              <li key={room.href}>
                <Link
                  href={room.href}
                  onClick={onNavigate}
                  aria-current={active ? "page" : undefined}
                  className={cn(item, active && "bg-accent text-accent-foreground hover:bg-accent")}
                >
                  <room.icon className="size-4" aria-hidden="true" />
                  {room.label}
                </Link>
              </li>
            );
          })}
        </ul>
      </nav>
      <div className="border-t px-3 py-3">
        <Link href="/docs" className={item} onClick={onNavigate}>
          <BookOpen className="size-4" aria-hidden="true" />
          API reference
        </Link>
      </div>
    </div>
  );
}
