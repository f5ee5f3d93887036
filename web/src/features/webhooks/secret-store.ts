/**
 * A secret the API just answered (on creation or rotation), handed from the action to the
 * endpoint's page in memory only: shown there once, gone on "Done" or a reload.
 */
import { create } from "zustand";

export interface RevealedSecret {
  secret: string;
  /** When the previous secret stops signing (after a rotation). */
  previousUntil?: string | undefined;
}

export const useRevealedSecrets = create<Record<string, RevealedSecret>>(() => ({}));

export function revealSecret(endpointId: string, revealed: RevealedSecret): void {
  useRevealedSecrets.setState({ [endpointId]: revealed });
}

export function forgetSecret(endpointId: string): void {
  useRevealedSecrets.setState((all) => {
    const rest = { ...all };
    delete rest[endpointId];
    return rest;
  }, true);
}
