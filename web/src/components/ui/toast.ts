/** Short confirmations and failures that no field owns: `toast.error("Could not save", detail)`.
 * The store is tiny; the Radix viewport (toaster.tsx) loads after the page. */
import { create } from "zustand";

export type ToastKind = "success" | "error" | "info";

export interface ToastItem {
  id: number;
  kind: ToastKind;
  title: string;
  description?: string | undefined;
}

export const useToasts = create<{ items: ToastItem[] }>(() => ({ items: [] }));
let nextId = 1;

function push(kind: ToastKind, title: string, description?: string) {
  const item = { id: nextId++, kind, title, description };
  useToasts.setState((s) => ({ items: [...s.items.slice(-3), item] }));
}

export function dismissToast(id: number) {
  useToasts.setState((s) => ({ items: s.items.filter((t) => t.id !== id) }));
}

export const toast = {
  success: (title: string, description?: string) => push("success", title, description),
  error: (title: string, description?: string) => push("error", title, description),
  info: (title: string, description?: string) => push("info", title, description),
};
