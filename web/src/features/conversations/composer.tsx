"use client";

import { useQuery } from "@tanstack/react-query";
import { Ban, Send, Sparkles } from "lucide-react";
import { type Ref, useEffect, useId, useImperativeHandle, useRef, useState } from "react";

import { problemMessage } from "@/api/problem";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Select } from "@/components/ui/select";
import { Textarea } from "@/components/ui/textarea";
import { toast } from "@/components/ui/toast";
import { cn } from "@/lib/utils";

import { type Conversation, previewReply, useDraft, useDraftActions, useTemplates } from "./hooks";
import { newIdempotencyKey, usePendingSends } from "./pending-sends";

export interface ComposerHandle {
  focus: () => void;
}

const MAX_BODY = 1600;

/** Why nothing can be sent to this contact, or null. */
export function blockedReason(c: Conversation): string | null {
  if (c.contact.erased) return "This contact was erased: nothing can be sent to them.";
  if (c.contact.opted_out) {
    return "This contact opted out (they texted STOP or were unsubscribed): nothing can be sent to them until they opt back in.";
  }
  return null;
}

function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

/** Encoding and segments of what would be sent, from the API's preview (debounced). */
function SegmentInfo({ conversationId, text }: { conversationId: string; text: string }) {
  const body = useDebounced(text, 250);
  const preview = useQuery({
    queryKey: ["conversations", "preview", conversationId, body],
    queryFn: () => previewReply(conversationId, { body }),
    enabled: body.length > 0 && body.length <= MAX_BODY,
    staleTime: Infinity,
    retry: false,
  });
  if (!text) return <span>Ctrl+Enter to send</span>;
  if (text.length > MAX_BODY) {
    return <span className="text-destructive">Too long: at most {MAX_BODY} characters.</span>;
  }
  const p = preview.data;
  if (!p) return <span>…</span>;
  return (
    <span data-testid="segment-info">
      {p.encoding} · {p.segments} segment{p.segments > 1 ? "s" : ""} · {p.characters} characters
      {p.unicode_chars.length > 0 ? (
        <span> · Unicode because of {p.unicode_chars.slice(0, 5).join(" ")}</span>
      ) : null}
    </span>
  );
}

export function Composer({
  ref,
  conversation,
}: {
  ref?: Ref<ComposerHandle>;
  conversation: Conversation;
}) {
  const id = conversation.id;
  const textareaId = useId();
  const area = useRef<HTMLTextAreaElement>(null);
  const [text, setText] = useState("");
  const [editingDraft, setEditingDraft] = useState(false);
  const key = useRef(newIdempotencyKey());
  const send = usePendingSends((s) => s.send);
  const inflight = usePendingSends((s) => s.inflight.has(key.current));
  const templates = useTemplates();
  const draft = useDraft(id);
  const ai = useDraftActions(id);
  const blocked = blockedReason(conversation);

  useImperativeHandle(ref, () => ({ focus: () => area.current?.focus() }));

  const submit = () => {
    const body = text.trim();
    if (!body || blocked || body.length > MAX_BODY) return;
    if (editingDraft) {
      ai.send.mutate(body, {
        onSuccess: () => {
          setText("");
          setEditingDraft(false);
          toast.success("Sent");
        },
        onError: (error) => toast.error("Not sent", problemMessage(error)),
      });
      return;
    }
    const sending = key.current;
    key.current = newIdempotencyKey();
    setText("");
    void send(id, body, sending);
  };

  const insertTemplate = async (templateId: string) => {
    if (!templateId) return;
    try {
      const rendered = await previewReply(id, { template_id: templateId });
      setText(rendered.text);
      area.current?.focus();
    } catch (error) {
      toast.error("The template could not be rendered", problemMessage(error));
    }
  };

  if (blocked) {
    return (
      <div className="border-t bg-card p-3">
        <p
          role="status"
          data-testid="composer-blocked"
          className="flex items-start gap-2 rounded-md bg-muted p-3 text-sm"
        >
          <Ban className="mt-0.5 size-4 shrink-0 text-destructive" aria-hidden />
          {blocked}
        </p>
      </div>
    );
  }

  const pending = draft.data;
  return (
    <div className="grid gap-2 border-t bg-card p-3">
      {pending && !editingDraft ? (
        <section
          aria-label="Claude's draft"
          data-testid="ai-draft"
          className="grid gap-2 rounded-md border border-primary/30 bg-accent/40 p-3"
        >
          <p className="flex items-center gap-1.5 text-xs font-medium text-muted-foreground">
            <Sparkles className="size-3.5" aria-hidden /> Claude&apos;s draft
          </p>
          <p className="text-sm whitespace-pre-wrap">{pending.body}</p>
          <div className="flex flex-wrap gap-2">
            <Button
              size="sm"
              disabled={ai.send.isPending}
              onClick={() =>
                ai.send.mutate(null, {
                  onSuccess: () => toast.success("Draft sent"),
                  onError: (error) => toast.error("Not sent", problemMessage(error)),
                })
              }
            >
              Approve and send
            </Button>
            <Button
              size="sm"
              variant="outline"
              onClick={() => {
                setText(pending.body);
                setEditingDraft(true);
                area.current?.focus();
              }}
            >
              Edit
            </Button>
            <Button
              size="sm"
              variant="ghost"
              disabled={ai.discard.isPending}
              onClick={() =>
                ai.discard.mutate(undefined, {
                  onError: (error) => toast.error("Not discarded", problemMessage(error)),
                })
              }
            >
              Discard
            </Button>
          </div>
        </section>
      ) : null}
      <form
        className="grid gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <label htmlFor={textareaId} className="sr-only">
          Reply
        </label>
        <Textarea
          id={textareaId}
          ref={area}
          rows={3}
          value={text}
          placeholder={editingDraft ? "Edit Claude's draft" : "Write a reply"}
          aria-keyshortcuts="Control+Enter Meta+Enter"
          className="min-h-20 resize-y"
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              submit();
            } else if (e.key === "Escape") {
              area.current?.blur();
            }
          }}
        />
        <div className="flex flex-wrap items-center gap-2">
          <Select
            aria-label="Insert a template"
            className="w-44"
            value=""
            onChange={(e) => void insertTemplate(e.target.value)}
          >
            <option value="">Insert a template…</option>
            {(templates.data ?? []).map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </Select>
          <Button
            type="button"
            variant="outline"
            size="sm"
            disabled={ai.suggest.isPending}
            onClick={() =>
              ai.suggest.mutate(undefined, {
                onError: (error) => toast.error("No suggestion", problemMessage(error)),
              })
            }
          >
            <Sparkles /> {ai.suggest.isPending ? "Asking Claude…" : "Suggest a reply"}
          </Button>
          {editingDraft ? (
            <Badge variant="primary">
              Editing Claude&apos;s draft
              <button
                type="button"
                className="ml-1 underline"
                onClick={() => {
                  setEditingDraft(false);
                  setText("");
                }}
              >
                cancel
              </button>
            </Badge>
          ) : null}
          <span className={cn("ml-auto text-xs text-muted-foreground")} aria-live="polite">
            <SegmentInfo conversationId={id} text={text} />
          </span>
          <Button type="submit" size="sm" disabled={!text.trim() || inflight || ai.send.isPending}>
            <Send /> Send
          </Button>
        </div>
      </form>
    </div>
  );
}
