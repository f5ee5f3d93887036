"use client";

import { AlertTriangle, Paperclip } from "lucide-react";
import { useEffect, useLayoutEffect, useMemo, useRef } from "react";

import { problemMessage } from "@/api/problem";
import { ErrorState, LoadingState, Spinner } from "@/components/ui/states";
import { formatDateTime } from "@/lib/format";
import { cn } from "@/lib/utils";

import { type Message, useThread } from "./hooks";
import { type FailedSend as Failed, usePendingSends } from "./pending-sends";

const NONE: Failed[] = [];

const SENDER_LABELS: Record<string, string> = {
  agent: "Agent",
  ai: "AI",
  campaign: "Campaign",
  system: "Keyword reply",
  api: "API",
  contact: "Contact",
};

const STATUS_LABELS: Record<string, string> = {
  queued: "Queued",
  scheduled: "Scheduled",
  sending: "Sending",
  sent: "Sent",
  delivered: "Delivered",
  undelivered: "Undelivered",
  failed: "Failed",
  suppressed: "Not sent (suppressed)",
};

/** Media stay links: they live on the provider's hosts, outside the console's CSP. */
function isImage(url: string): boolean {
  return /\.(png|jpe?g|gif|webp)(\?|$)/i.test(url) || /\/Media\//.test(url);
}

/** The thread, oldest at the top; scrolling to the top loads older messages, and the view
 * stays on the newest one when a message arrives (unless the agent scrolled up to read). */
export function MessageList({ conversationId }: { conversationId: string }) {
  const thread = useThread(conversationId);
  const scroller = useRef<HTMLDivElement>(null);
  const sentinel = useRef<HTMLDivElement>(null);
  const anchor = useRef<{ height: number; top: number } | null>(null);
  const atBottom = useRef(true);
  const failed = usePendingSends((s) => s.failed[conversationId] ?? NONE);

  const messages: Message[] = useMemo(
    () => (thread.data ? [...thread.data.pages].reverse().flatMap((p) => p.data) : []),
    [thread.data],
  );
  const newest = messages.at(-1)?.id;

  // Older page loaded: keep what the agent was looking at in place.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    if (anchor.current) {
      el.scrollTop = el.scrollHeight - anchor.current.height + anchor.current.top;
      anchor.current = null;
    } else if (atBottom.current) {
      el.scrollTop = el.scrollHeight;
    }
  }, [messages.length, newest, failed.length]);

  useEffect(() => {
    atBottom.current = true;
  }, [conversationId]);

  // The top sentinel in view: load the previous page.
  useEffect(() => {
    const el = sentinel.current;
    const root = scroller.current;
    if (!el || !root) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (
          entries.some((e) => e.isIntersecting) &&
          thread.hasNextPage &&
          !thread.isFetchingNextPage
        ) {
          anchor.current = { height: root.scrollHeight, top: root.scrollTop };
          void thread.fetchNextPage();
        }
      },
      { root, rootMargin: "120px 0px 0px 0px" },
    );
    observer.observe(el);
    return () => observer.disconnect();
  }, [thread]);

  return (
    <div
      ref={scroller}
      role="log"
      aria-label="Messages"
      aria-live="polite"
      tabIndex={0}
      className="min-h-0 flex-1 overflow-y-auto bg-background px-3 py-4 focus-visible:outline-2 focus-visible:outline-ring sm:px-5"
      onScroll={(e) => {
        const el = e.currentTarget;
        atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
      }}
    >
      <div ref={sentinel} aria-hidden className="h-px" />
      {thread.isFetchingNextPage ? (
        <div className="flex justify-center py-2">
          <Spinner label="Loading older messages" />
        </div>
      ) : thread.data && !thread.hasNextPage && messages.length > 0 ? (
        <p className="pb-3 text-center text-xs text-muted-foreground">Start of the conversation</p>
      ) : null}
      {thread.isPending ? (
        <LoadingState rows={5} label="Loading messages" />
      ) : thread.isError ? (
        <ErrorState error={problemMessage(thread.error)} onRetry={() => void thread.refetch()} />
      ) : (
        <ol className="grid gap-3">
          {messages.map((m) => (
            <MessageBubble key={m.id} message={m} />
          ))}
          {failed.map((f) => (
            <FailedSend
              key={f.key}
              conversationId={conversationId}
              failedKey={f.key}
              body={f.body}
              error={f.error}
            />
          ))}
        </ol>
      )}
    </div>
  );
}

function MessageBubble({ message: m }: { message: Message }) {
  const inbound = m.direction === "inbound";
  const failed = m.status === "failed" || m.status === "undelivered";
  const at = m.received_at ?? m.queued_at ?? m.created_at;
  return (
    <li
      className={cn("flex", inbound ? "justify-start" : "justify-end")}
      data-direction={m.direction}
    >
      <div
        className={cn(
          "grid max-w-[85%] gap-1 sm:max-w-[70%]",
          inbound ? "justify-items-start" : "justify-items-end",
        )}
      >
        <div
          className={cn(
            "rounded-2xl px-3.5 py-2 text-sm break-words whitespace-pre-wrap",
            inbound
              ? "rounded-bl-sm border bg-card"
              : "rounded-br-sm bg-primary text-primary-foreground",
            failed && "border border-destructive bg-destructive/10 text-foreground",
          )}
        >
          {m.body}
          {(m.media_urls ?? []).length > 0 ? (
            <ul className="mt-2 grid gap-2">
              {(m.media_urls ?? []).map((url) => (
                <li key={url}>
                  <a
                    href={url}
                    target="_blank"
                    rel="noreferrer"
                    className="inline-flex items-center gap-1 underline"
                  >
                    <Paperclip className="size-3.5" aria-hidden />
                    {isImage(url) ? "Picture" : "Attachment"} sent by the contact
                  </a>
                </li>
              ))}
            </ul>
          ) : null}
        </div>
        <p className="flex flex-wrap items-center gap-x-1.5 text-xs text-muted-foreground">
          <span className="font-medium">
            {inbound ? "Contact" : (SENDER_LABELS[m.sender_type] ?? m.sender_type)}
          </span>
          <span aria-hidden>·</span>
          <time dateTime={at}>{formatDateTime(at)}</time>
          {!inbound ? (
            <>
              <span aria-hidden>·</span>
              <span className={cn(failed && "font-medium text-destructive")}>
                {STATUS_LABELS[m.status] ?? m.status}
              </span>
            </>
          ) : null}
        </p>
        {failed && (m.error_message || m.error_code) ? (
          <p className="flex items-center gap-1 text-xs text-destructive">
            <AlertTriangle className="size-3.5" aria-hidden />
            {m.error_message ?? "Not delivered"}
            {m.error_code ? ` (error ${m.error_code})` : ""}
          </p>
        ) : null}
      </div>
    </li>
  );
}

function FailedSend({
  conversationId,
  failedKey,
  body,
  error,
}: {
  conversationId: string;
  failedKey: string;
  body: string;
  error: string;
}) {
  const retry = usePendingSends((s) => s.retry);
  const drop = usePendingSends((s) => s.drop);
  return (
    <li className="flex justify-end" data-testid="failed-send">
      <div className="grid max-w-[85%] justify-items-end gap-1 sm:max-w-[70%]">
        <div className="rounded-2xl rounded-br-sm border border-destructive bg-destructive/10 px-3.5 py-2 text-sm whitespace-pre-wrap">
          {body}
        </div>
        <p className="flex flex-wrap items-center justify-end gap-2 text-xs text-destructive">
          <AlertTriangle className="size-3.5" aria-hidden /> Not sent: {error}
          <button
            type="button"
            className="font-medium underline focus-visible:outline-2 focus-visible:outline-ring"
            onClick={() => void retry(conversationId, failedKey)}
          >
            Retry
          </button>
          <button
            type="button"
            className="text-muted-foreground underline focus-visible:outline-2 focus-visible:outline-ring"
            onClick={() => drop(conversationId, failedKey)}
          >
            Discard
          </button>
        </p>
      </div>
    </li>
  );
}
