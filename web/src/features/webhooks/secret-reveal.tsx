"use client";

import { Check, Copy } from "lucide-react";
import * as React from "react";

import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";

/**
 * A signing secret, shown this once: selectable, copyable, with the reason to keep it now.
 * Copying uses the Clipboard API; where it is refused the text is selected for Ctrl+C.
 */
export function SecretReveal({ secret, note }: { secret: string; note?: React.ReactNode }) {
  const [copied, setCopied] = React.useState(false);
  const input = React.useRef<HTMLInputElement>(null);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied(true);
    } catch {
      input.current?.select();
    }
  };

  return (
    <div className="grid gap-3">
      <p className="text-sm">
        Copy this secret now: it is shown only once. {note ?? null} Your server verifies each
        delivery with it (Standard Webhooks; see the README).
      </p>
      <div className="grid gap-1.5">
        <Label htmlFor="webhook-secret">Signing secret</Label>
        <div className="flex gap-2">
          <Input
            ref={input}
            id="webhook-secret"
            readOnly
            value={secret}
            onFocus={(e) => e.currentTarget.select()}
            className="font-mono text-xs"
            data-testid="webhook-secret"
          />
          <Button type="button" variant="outline" onClick={copy}>
            {copied ? <Check aria-hidden /> : <Copy aria-hidden />}
            {copied ? "Copied" : "Copy"}
          </Button>
        </div>
        <p aria-live="polite" className="sr-only">
          {copied ? "Secret copied to the clipboard." : ""}
        </p>
      </div>
    </div>
  );
}
