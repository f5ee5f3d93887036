"""Path and method matching shared by the local gateway and every HTTP function.

A path is matched to the most specific route template first, without looking at the
method: a fixed segment beats a `{placeholder}` in the same place, so `/v1/contacts/bulk`
is the bulk route for every method, never `/v1/contacts/{contact_id}` with the id "bulk".
Only then is the method checked: a method the template does not serve is a 405 naming the
methods it does serve (`Allow`), whatever other template the path would also fit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from shared.http.problems import Problem

T = TypeVar("T")

# Methods answered for every route without being declared: HEAD as GET, OPTIONS (preflight).
IMPLICIT_METHODS = ("HEAD", "OPTIONS")


@dataclass
class Template(Generic[T]):
    path: str
    pattern: re.Pattern[str]
    # One entry per segment, 0 for fixed and 1 for a placeholder: smaller sorts first.
    specificity: tuple[int, ...]
    endpoints: dict[str, T] = field(default_factory=dict)

    @property
    def allow(self) -> str:
        """The methods of this resource, as an `Allow` header lists them."""
        methods = set(self.endpoints)
        if "GET" in methods:
            methods.add("HEAD")
        return ", ".join(sorted(methods | {"OPTIONS"}))


def _compile(path: str) -> tuple[re.Pattern[str], tuple[int, ...]]:
    parts: list[str] = []
    specificity: list[int] = []
    for segment in path.strip("/").split("/"):
        if segment.startswith("{") and segment.endswith("}"):
            parts.append(f"(?P<{segment[1:-1]}>[^/]+)")
            specificity.append(1)
        else:
            parts.append(re.escape(segment))
            specificity.append(0)
    return re.compile("/" + "/".join(parts) + "/?"), tuple(specificity)


class Router(Generic[T]):
    """Routes (method, template, endpoint) to endpoints; see the module docstring."""

    def __init__(self, routes: Iterable[tuple[str, str, T]]) -> None:
        templates: dict[str, Template[T]] = {}
        for method, path, endpoint in routes:
            if path not in templates:
                pattern, specificity = _compile(path)
                templates[path] = Template(path, pattern, specificity)
            templates[path].endpoints[method.upper()] = endpoint
        self.templates = sorted(templates.values(), key=lambda t: t.specificity)

    def resource(self, path: str) -> tuple[Template[T], dict[str, str]]:
        """The most specific template that fits `path` and its placeholder values (404)."""
        for template in self.templates:
            found = template.pattern.fullmatch(path)
            if found:
                return template, found.groupdict()
        raise Problem(404, "not-found", "Not found", f"No route for {path}.")

    def match(self, method: str, path: str) -> tuple[T, dict[str, str]]:
        """The endpoint for this method and path (404 unknown path, 405 unserved method).
        OPTIONS is left to the caller (`resource`): it is answered without an endpoint."""
        template, values = self.resource(path)
        method = method.upper()
        endpoint = template.endpoints.get(method)
        if endpoint is None and method == "HEAD":
            endpoint = template.endpoints.get("GET")
        if endpoint is None:
            raise method_not_allowed(method, template.allow)
        return endpoint, values


def method_not_allowed(method: str, allow: str) -> Problem:
    return Problem(
        405,
        "method-not-allowed",
        "Method not allowed",
        f"{method} is not allowed here; use {allow}.",
        headers={"Allow": allow},
    )
