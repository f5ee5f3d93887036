"""Claude through the official `anthropic` SDK, imported lazily (function cold starts).

One client per (API key, base URL), created on first use and reused across invocations.
The SDK's own retries are off (`max_retries=0`): a failed call is retried through the
`ai-replies` queue with backoff, so no function sleeps waiting for capacity, and the
retry count is ours (and visible) rather than hidden inside one invocation.

`create_message` returns what the engine needs and nothing SDK-typed: the response id
(the usage records' idempotency key), the stop reason, the `tool_use` input of the named
tool and the text, both picked by block type (never by position), and the token usage.
Transport and API errors become `AiCallError`, with the server's `retry-after` when sent.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from shared.config import get_settings

TIMEOUT_SECONDS = 30.0  # the ai-reply-worker has 120 s; one call never eats it all
MAX_SDK_RETRIES = 0

_lock = threading.Lock()
_cached: tuple[tuple[str, str], Any] | None = None


class AiNotConfigured(Exception):
    """ANTHROPIC_API_KEY is not set."""


class AiCallError(Exception):
    """The call failed before any usable answer: rate limit, overload, timeout, 5xx, 4xx."""

    def __init__(
        self, kind: str, message: str, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(f"{kind} ({status}): {message}")
        self.kind = kind
        self.status = status
        self.retry_after = retry_after


@dataclass(frozen=True)
class TokenUsage:
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0


@dataclass(frozen=True)
class ClaudeReply:
    id: str
    model: str
    stop_reason: str | None
    usage: TokenUsage
    tool_input: Any = None  # the input of the named tool's tool_use block, if any
    text: str = ""
    block_types: list[str] = field(default_factory=list)


def is_configured() -> bool:
    return bool(get_settings().anthropic_api_key.get_secret_value())


def client() -> Any:
    """The SDK client for the current settings (a new one when the key or URL changed)."""
    global _cached
    settings = get_settings()
    key = settings.anthropic_api_key.get_secret_value()
    if not key:
        raise AiNotConfigured("Set ANTHROPIC_API_KEY to use the AI engine.")
    ident = (key, settings.anthropic_base_url)
    with _lock:
        if _cached is None or _cached[0] != ident:
            import anthropic

            _cached = (
                ident,
                anthropic.Anthropic(
                    api_key=key,
                    base_url=settings.anthropic_base_url or None,
                    timeout=TIMEOUT_SECONDS,
                    max_retries=MAX_SDK_RETRIES,
                ),
            )
        return _cached[1]


def reset_client() -> None:
    """Forget the cached client (tests that change the settings)."""
    global _cached
    with _lock:
        _cached = None


def create_message(
    *,
    model: str,
    system: list[dict[str, Any]],
    messages: list[dict[str, Any]],
    tool: dict[str, Any],
    max_tokens: int = 1024,
) -> ClaudeReply:
    """One Messages API call that must answer through `tool` (forced with tool_choice)."""
    import anthropic

    try:
        response = client().messages.create(
            model=model,
            max_tokens=max_tokens,
            system=system,
            messages=messages,
            tools=[tool],
            tool_choice={"type": "tool", "name": tool["name"]},
        )
    except anthropic.APITimeoutError as exc:
        raise AiCallError("timeout", str(exc)) from exc
    except anthropic.APIConnectionError as exc:
        raise AiCallError("connection", str(exc)) from exc
    except anthropic.APIStatusError as exc:
        raise _status_error(exc) from exc
    except anthropic.APIError as exc:  # e.g. a response the SDK could not read
        raise AiCallError("api", str(exc)[:500]) from exc
    return _reply(response, tool["name"])


def _status_error(exc: Any) -> AiCallError:
    status = int(exc.status_code)
    kind = {429: "rate_limited", 529: "overloaded"}.get(
        status, "server" if status >= 500 else "api"
    )
    return AiCallError(kind, str(exc.message)[:500], status, _retry_after(exc.response))


def _retry_after(response: Any) -> float | None:
    raw = response.headers.get("retry-after") if response is not None else None
    try:
        return max(0.0, float(raw)) if raw is not None else None
    except ValueError:
        return None  # an HTTP date: use our own backoff


def _reply(response: Any, tool_name: str) -> ClaudeReply:
    tool_input: Any = None
    texts: list[str] = []
    for block in response.content:
        kind = getattr(block, "type", None)
        if kind == "tool_use" and block.name == tool_name and tool_input is None:
            tool_input = block.input
        elif kind == "text":
            texts.append(block.text)
    usage = response.usage
    return ClaudeReply(
        id=str(response.id),
        model=str(response.model),
        stop_reason=response.stop_reason,
        usage=TokenUsage(
            input_tokens=int(usage.input_tokens or 0),
            output_tokens=int(usage.output_tokens or 0),
            cache_read_tokens=int(usage.cache_read_input_tokens or 0),
            cache_write_tokens=int(usage.cache_creation_input_tokens or 0),
        ),
        tool_input=tool_input,
        text="\n".join(texts),
        block_types=[str(getattr(b, "type", "")) for b in response.content],
    )
