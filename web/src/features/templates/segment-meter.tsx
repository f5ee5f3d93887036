"use client";

import { AlertTriangle, Sparkles } from "lucide-react";

import { problemMessage } from "@/api/problem";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Spinner } from "@/components/ui/states";
import { cn } from "@/lib/utils";

import { showChar, summarize, type Measured } from "./segment-counter";

interface Props {
  measured: Measured | undefined;
  /** A newer count is on its way (what is typed changed). */
  pending: boolean;
  error?: unknown;
  className?: string;
}

const TONE = { ok: "success", notice: "primary", warning: "warning" } as const;

/**
 * Characters, encoding and segments of what is typed, announced politely to screen
 * readers as it changes. `data-*` attributes carry the figures for tests.
 */
export function SegmentMeter({ measured, pending, error, className }: Props) {
  const summary = measured ? summarize(measured) : null;
  return (
    <div
      className={cn("flex flex-wrap items-center gap-x-3 gap-y-1 text-sm", className)}
      aria-live="polite"
      data-testid="segment-meter"
      data-segments={measured?.segments}
      data-encoding={measured?.encoding}
      data-characters={measured?.characters}
    >
      {summary ? (
        <>
          <Badge
            variant={TONE[summary.tone]}
            className={cn("tabular-nums", summary.tone === "ok" && "text-success-strong")}
          >
            {summary.segments}
          </Badge>
          <span className="text-muted-foreground tabular-nums">{summary.detail}</span>
          <span className="text-xs text-muted-foreground">{summary.capacity}</span>
        </>
      ) : error ? (
        <span className="text-destructive">{problemMessage(error)}</span>
      ) : (
        <span className="text-muted-foreground">Type a message to see its length.</span>
      )}
      {pending ? <Spinner className="size-3.5" label="Counting" /> : null}
    </div>
  );
}

interface EncodingAdviceProps {
  measured:
    | (Measured & {
        gsm_suggestion?: string | null;
        body_gsm_suggestion?: string | null;
        rendered?: string | null;
      })
    | undefined;
  /** Replace the body with the GSM-7 suggestion. */
  onUseSuggestion?: (text: string) => void;
}

/** Why a message went UCS-2 and how to get back to GSM-7, or what smart encoding did. */
export function EncodingAdvice({ measured, onUseSuggestion }: EncodingAdviceProps) {
  if (!measured) return null;
  const summary = summarize(measured);
  if (measured.encoding === "GSM-7" && measured.rendered) {
    return (
      <p className="flex items-start gap-2 rounded-md bg-muted px-3 py-2 text-xs text-muted-foreground">
        <Sparkles className="mt-0.5 size-3.5 shrink-0" aria-hidden="true" />
        Smart encoding sends curly quotes, dashes and special spaces as their plain GSM-7
        look-alikes, so this message stays in GSM-7.
      </p>
    );
  }
  if (measured.encoding !== "UCS-2") return null;
  return (
    <div
      role="status"
      className="grid gap-2 rounded-md border border-warning/40 bg-warning/10 px-3 py-2.5 text-sm"
    >
      <p className="flex items-start gap-2">
        <AlertTriangle className="mt-0.5 size-4 shrink-0 text-warning" aria-hidden="true" />
        <span>
          {summary.culprits.length ? (
            <>
              Not in the GSM-7 alphabet:{" "}
              {summary.culprits.map((c) => (
                <kbd
                  key={c}
                  className="mx-0.5 rounded border bg-card px-1 font-mono text-xs"
                  title={`U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase()}`}
                >
                  {showChar(c)}
                </kbd>
              ))}
              . The whole message is sent as UCS-2: 70 characters per segment instead of 160.
            </>
          ) : (
            "The message is sent as UCS-2: 70 characters per segment instead of 160."
          )}
        </span>
      </p>
      {measured.body_gsm_suggestion ? (
        <div className="flex flex-wrap items-center gap-2 pl-6">
          <span className="text-xs text-muted-foreground">
            Replacing smart quotes and dashes makes it GSM-7.
          </span>
          {onUseSuggestion ? (
            <Button
              type="button"
              size="sm"
              variant="outline"
              onClick={() => onUseSuggestion(measured.body_gsm_suggestion!)}
            >
              Use the GSM-7 version
            </Button>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
