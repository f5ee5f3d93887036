"""Terraform inputs generated from the registry: infra/functions.auto.tfvars.json.

Three inputs, all derived from `shared.registry`:
- `functions`: one Cloud Function per registry entry;
- `url_map_routes`: the load balancer's route rules, which send every registry route to
  its function (serverless NEG) and everything else to the console's bucket;
- `url_map_tests`: sample requests with the function that must answer them; GCP refuses
  a URL map update that routes one of them elsewhere.

URL maps match paths, not methods, and have no `{param}` templates: a templated path
becomes a `path_template_match` with a `*` per parameter (one path segment), a fixed path
a `full_path_match`. Two functions may claim overlapping paths (`/v1/contacts/imports` of
contact-imports and `/v1/contacts/{contact_id}` of contacts), so the rules are ordered as
the local gateway resolves them (werkzeug): comparing segments from the left, a fixed
segment wins over a parameter. The URL map takes the first rule that matches.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from shared import registry

INPUTS_FILE = Path("infra") / "functions.auto.tfvars.json"

# Paths under an API prefix (`/v1/`, `/webhooks/`) that no registry route claims go to
# this function, which answers a problem+json 404 instead of the console's HTML page.
FALLBACK_FUNCTION = "meta"
# A URL map path template allows at most 5 wildcard operators.
MAX_TEMPLATE_OPERATORS = 5
# A URL map holds at most 100 tests.
MAX_URL_MAP_TESTS = 100
PRIORITY_STEP = 10


def terraform_inputs(specs: Iterable[registry.FunctionSpec] = registry.FUNCTIONS) -> dict[str, Any]:
    specs = tuple(specs)
    return {
        "functions": {
            spec.name: {
                "entry_point": spec.entry_point,
                "kind": spec.kind.value,
                "auth": spec.auth.value,
                "public": spec.public,
                "topic": spec.topic,
                "also_topics": list(spec.also_topics),
                "queue": spec.queue,
                "memory": spec.memory,
                "cpu": spec.cpu,
                "timeout_seconds": spec.timeout_seconds,
                "min_instances": spec.min_instances,
                "max_instances": spec.max_instances,
                "routes": [f"{r.method} {r.path}" for r in spec.routes],
            }
            for spec in specs
        },
        "url_map_routes": url_map_routes(specs),
        "url_map_tests": url_map_tests(specs),
    }


def render_inputs() -> str:
    return json.dumps(terraform_inputs(), indent=2) + "\n"


# --- the URL map ----------------------------------------------------------------------


def segments(path: str) -> list[str]:
    if not path.startswith("/"):
        raise ValueError(f"{path}: a route path starts with /")
    return path[1:].split("/")


def is_parameter(segment: str) -> bool:
    """`{name}` as a whole segment; a parameter inside a segment has no URL map form."""
    if segment.startswith("{") and segment.endswith("}") and segment.count("{") == 1:
        return True
    if "{" in segment or "}" in segment or "*" in segment:
        raise ValueError(f"segment {segment!r}: only whole-segment parameters can be routed")
    return False


def url_map_template(path: str) -> str:
    """The path as a URL map path template: every parameter becomes `*`."""
    return "/" + "/".join("*" if is_parameter(s) else s for s in segments(path))


def _precedence(path: str) -> list[tuple[int, str]]:
    """Sort key: from the left, a fixed segment before a parameter (then by text)."""
    return [(1, "") if is_parameter(s) else (0, s) for s in segments(path)]


def routed_paths(specs: Iterable[registry.FunctionSpec]) -> dict[str, str]:
    """Every distinct route path of the public HTTP functions => its function.

    Fails when two functions claim the same path shape: the load balancer routes by path
    only, so one of them would never be reached."""
    owner: dict[str, str] = {}
    shape_owner: dict[str, str] = {}
    for spec in specs:
        if spec.kind is not registry.Kind.HTTP or not spec.routes:
            continue
        if not spec.public:
            raise ValueError(f"{spec.name}: a function with routes must be public (not OIDC)")
        for route in spec.routes:
            template = url_map_template(route.path)
            operators = template.count("*")
            if operators > MAX_TEMPLATE_OPERATORS:
                raise ValueError(
                    f"{route.path}: {operators} parameters, a URL map allows "
                    f"{MAX_TEMPLATE_OPERATORS}"
                )
            claimed = shape_owner.setdefault(template, spec.name)
            if claimed != spec.name:
                raise ValueError(
                    f"{route.path} of {spec.name} has the same shape ({template}) as a "
                    f"path of {claimed}: the load balancer cannot tell them apart"
                )
            owner[route.path] = spec.name
    return owner


def _match(path: str) -> dict[str, str]:
    template = url_map_template(path)
    return {"path_template": template} if "*" in template else {"full_path": path}


def api_prefixes(paths: Iterable[str]) -> list[str]:
    """First segments of the routes below one (`/v1/`, `/webhooks/`): the API's space."""
    return sorted({f"/{segments(p)[0]}/" for p in paths if len(segments(p)) > 1})


def url_map_routes(specs: Iterable[registry.FunctionSpec]) -> list[dict[str, Any]]:
    """Route rules in priority order; consecutive paths of one function share a rule."""
    specs = tuple(specs)
    owner = routed_paths(specs)
    rules: list[dict[str, Any]] = []
    for path in sorted(owner, key=_precedence):
        match = _match(path)
        if rules and rules[-1]["function"] == owner[path]:
            if match not in rules[-1]["matches"]:
                rules[-1]["matches"].append(match)
            continue
        rules.append({"function": owner[path], "matches": [match]})
    prefixes = api_prefixes(owner)
    if prefixes:
        if not any(s.name == FALLBACK_FUNCTION and s.public for s in specs):
            raise ValueError(f"the fallback function {FALLBACK_FUNCTION} must be a public one")
        rules.append({"function": FALLBACK_FUNCTION, "matches": [{"prefix": p} for p in prefixes]})
    return [
        {"priority": (i + 1) * PRIORITY_STEP, "function": r["function"], "matches": r["matches"]}
        for i, r in enumerate(rules)
    ]


def sample_path(path: str, value: str | None = None) -> str:
    """A concrete path of a route: each parameter gets `value` (default: a made-up id)."""
    return "/" + "/".join(
        (value or f"sample-{s[1:-1].replace('_', '-')}") if is_parameter(s) else s
        for s in segments(path)
    )


def url_map_tests(specs: Iterable[registry.FunctionSpec]) -> list[dict[str, str | None]]:
    """Requests GCP checks the URL map against (function None: the console's bucket).

    After the console's root and an unknown API path come the paths whose parameter
    could be mistaken for another route's fixed segment (they test the order of the
    rules), then one sample per route path, within the URL map's limit of tests."""
    owner = routed_paths(specs)
    tests: dict[str, str | None] = {"/": None}
    prefixes = api_prefixes(owner)
    if prefixes:
        tests[f"{prefixes[0]}no-such-route"] = FALLBACK_FUNCTION
    for concrete, function in sorted(_contested_paths(owner).items()):
        tests.setdefault(concrete, function)
    for path in sorted(owner, key=_precedence):
        tests.setdefault(sample_path(path), owner[path])
    return [{"path": p, "function": f} for p, f in list(tests.items())[:MAX_URL_MAP_TESTS]]


def _contested_paths(owner: dict[str, str]) -> dict[str, str]:
    """Concrete paths where a parameter takes the value of another route's fixed segment
    at the same place and another function wins, with that winner."""
    fixed: dict[tuple[int, int], set[str]] = {}
    for path in owner:
        parts = segments(path)
        for index, segment in enumerate(parts):
            if not is_parameter(segment):
                fixed.setdefault((len(parts), index), set()).add(segment)
    contested: dict[str, str] = {}
    for path, function in owner.items():
        parts = segments(path)
        for index, segment in enumerate(parts):
            if not is_parameter(segment):
                continue
            for literal in fixed.get((len(parts), index), ()):
                concrete = sample_path(
                    "/" + "/".join([*parts[:index], literal, *parts[index + 1 :]])
                )
                winner = _first_match(concrete, owner)
                if winner != function:
                    contested[concrete] = winner
    return contested


def _first_match(concrete: str, owner: dict[str, str]) -> str:
    parts = segments(concrete)
    for path in sorted(owner, key=_precedence):
        pattern = segments(path)
        if len(pattern) == len(parts) and all(
            is_parameter(p) or p == c for p, c in zip(pattern, parts, strict=True)
        ):
            return owner[path]
    raise AssertionError(f"{concrete} matches no route")
