"""The load balancer's URL map sends every registry route to its function.

The generated Terraform input (infra/functions.auto.tfvars.json) is run through a model
of GCP's URL map matching (route rules by priority, first matching rule wins; full path,
prefix and path template matches) and compared with the registry and with the local
gateway's own router (shared.http.routing) for every route, with sample values for its parameters
and with values that collide with other routes' fixed segments. The HCL test checks the
Terraform wires those inputs to the URL map, backend services, NEGs and functions.
"""

from __future__ import annotations

import copy
import functools
import json
import os
import re
import subprocess
import textwrap
from pathlib import Path
from typing import Any

import hcl2
import pytest

from shared import registry
from shared.http.routing import Router
from shared.platform import terraform
from shared.platform.terraform import INPUTS_FILE, sample_path, segments

ROOT = Path(__file__).resolve().parents[2]
CONSOLE = "<console bucket>"


# --- a model of the URL map -----------------------------------------------------------


def _template_regex(template: str) -> str:
    """GCP path template: `*` and `{name}` / `{name=*}` one segment, `**` the rest."""
    parts = []
    for segment in template[1:].split("/"):
        if segment in ("*", "") or re.fullmatch(r"\{\w+(=\*)?\}", segment):
            parts.append("[^/]+")
        elif segment == "**" or re.fullmatch(r"\{\w+=\*\*\}", segment):
            parts.append(".*")
        else:
            assert not re.search(r"[*{}]", segment), template
            parts.append(re.escape(segment))
    return "/" + "/".join(parts)


def _matches(match: dict[str, str], path: str) -> bool:
    (kind, value), *rest = match.items()
    assert not rest, f"a match rule sets exactly one matcher: {match}"
    if kind == "full_path":
        return path == value
    if kind == "prefix":
        return path.startswith(value)
    if kind == "path_template":
        return re.fullmatch(_template_regex(value), path) is not None
    raise AssertionError(f"unknown matcher {kind}")


def lb_route(inputs: dict[str, Any], path: str) -> str:
    """The backend the URL map picks for `path` (query string already removed)."""
    rules = inputs["url_map_routes"]
    priorities = [r["priority"] for r in rules]
    assert len(priorities) == len(set(priorities)), "route rule priorities must be unique"
    for rule in sorted(rules, key=lambda r: r["priority"]):
        if any(_matches(m, path) for m in rule["matches"]):
            return str(rule["function"])
    return CONSOLE


@functools.cache
def _gateway_router() -> Router[str]:
    return Router(
        (route.method, route.path, spec.name)
        for spec in registry.http_functions()
        for route in spec.routes
    )


def gateway_route(path: str) -> str:
    """The function the local gateway's router picks for `path`, whatever the method (the
    function owning the most specific template answers every method on it)."""
    template, _ = _gateway_router().resource(path)
    return next(iter(template.endpoints.values()))


def misrouted(inputs: dict[str, Any]) -> list[str]:
    """Every registry route (a sample for each template) not sent to its function."""
    wrong = []
    for spec in registry.http_functions():
        for route in spec.routes:
            path = sample_path(route.path)
            got = lb_route(inputs, path)
            if got != spec.name:
                wrong.append(f"{route.method} {route.path} ({path}) -> {got}, not {spec.name}")
    return wrong


def colliding_paths() -> list[str]:
    """Concrete paths of the registry where a parameter takes the value of another
    route's fixed segment at the same place (/v1/contacts/imports for /v1/contacts/{id})."""
    paths = [r.path for f in registry.http_functions() for r in f.routes]
    fixed = {
        (len(segments(p)), i, s)
        for p in paths
        for i, s in enumerate(segments(p))
        if not terraform.is_parameter(s)
    }
    out = set()
    for path in paths:
        parts = segments(path)
        for i, s in enumerate(parts):
            if terraform.is_parameter(s):
                for n, j, literal in fixed:
                    if n == len(parts) and j == i:
                        concrete = [*parts[:i], literal, *parts[i + 1 :]]
                        out.add(sample_path("/" + "/".join(concrete)))
    return sorted(out)


@pytest.fixture(scope="module")
def inputs() -> dict[str, Any]:
    return json.loads((ROOT / INPUTS_FILE).read_text())  # type: ignore[no-any-return]


# --- routing --------------------------------------------------------------------------


def test_every_registry_route_reaches_its_function(inputs: dict[str, Any]) -> None:
    assert misrouted(inputs) == []


@pytest.mark.parametrize("value", ["0b1e6f0e-7c1a-4f5e-9a41-0d9d1f6c2a10", "x", "a.b~c%20d"])
def test_any_parameter_value_reaches_the_function(inputs: dict[str, Any], value: str) -> None:
    for spec in registry.http_functions():
        for route in spec.routes:
            path = sample_path(route.path, value)
            assert lb_route(inputs, path) == gateway_route(path) == spec.name, path


def test_overlapping_paths_resolve_as_in_the_local_gateway(inputs: dict[str, Any]) -> None:
    collisions = colliding_paths()
    # The registry has such paths today (contacts vs contact-imports): the check is live.
    assert "/v1/contacts/imports" in collisions
    disagreements = {
        path: (lb_route(inputs, path), gateway_route(path))
        for path in collisions
        if lb_route(inputs, path) != gateway_route(path)
    }
    assert disagreements == {}
    assert lb_route(inputs, "/v1/contacts/imports") == "contact-imports"
    assert lb_route(inputs, "/v1/contacts/bulk") == "contacts"
    assert lb_route(inputs, "/v1/conversations/counts") == "conversations"
    assert lb_route(inputs, "/v1/conversations/c1/ai/draft") == "ai"
    assert lb_route(inputs, "/v1/conversations/c1/messages") == "conversations"


def test_the_console_and_unknown_api_paths(inputs: dict[str, Any]) -> None:
    for path in ("/", "/login/", "/campaigns/", "/_next/static/chunks/app.js", "/v1"):
        assert lb_route(inputs, path) == CONSOLE, path
    # An unknown API path gets the API's problem+json 404, not the console's HTML page.
    for path in ("/v1/no-such-thing", "/v1/contacts/c1/nope/x", "/webhooks/stripe-old"):
        assert lb_route(inputs, path) == terraform.FALLBACK_FUNCTION, path
    fallback = registry.by_name(terraform.FALLBACK_FUNCTION)
    assert fallback.kind is registry.Kind.HTTP
    assert fallback.public


def test_the_check_fails_when_the_map_is_wrong(inputs: dict[str, Any]) -> None:
    rules = inputs["url_map_routes"]
    imports_rule = next(r for r in rules if r["function"] == "contact-imports")
    contacts_id_rule = next(
        r
        for r in rules
        if r["function"] == "contacts" and {"path_template": "/v1/contacts/*"} in r["matches"]
    )

    dropped = copy.deepcopy(inputs)
    dropped["url_map_routes"] = [r for r in rules if r["function"] != "contact-imports"]
    assert any("/v1/contacts/imports" in line for line in misrouted(dropped))

    swapped = copy.deepcopy(inputs)
    for rule in swapped["url_map_routes"]:
        if rule["priority"] == imports_rule["priority"]:
            rule["priority"] = contacts_id_rule["priority"]
        elif rule["priority"] == contacts_id_rule["priority"]:
            rule["priority"] = imports_rule["priority"]
    assert any("contact-imports" in line for line in misrouted(swapped))

    retargeted = copy.deepcopy(inputs)
    retargeted["url_map_routes"][0]["function"] = "templates"
    assert misrouted(retargeted)


def test_url_map_tests_agree_with_the_map(inputs: dict[str, Any]) -> None:
    tests = inputs["url_map_tests"]
    assert 0 < len(tests) <= terraform.MAX_URL_MAP_TESTS
    for test in tests:
        expected = test["function"] or CONSOLE
        assert lb_route(inputs, test["path"]) == expected, test
    paths = {t["path"] for t in tests}
    assert {"/", "/v1/contacts/imports"} <= paths


def test_url_map_limits(inputs: dict[str, Any]) -> None:
    for rule in inputs["url_map_routes"]:
        for match in rule["matches"]:
            value = next(iter(match.values()))
            assert value.startswith("/"), match
            assert 1 <= len(value) <= 255, match
            if "path_template" in match:
                assert value.count("*") <= terraform.MAX_TEMPLATE_OPERATORS


# --- the generator on other registries ------------------------------------------------


def _fn(name: str, *paths: str, auth: registry.Auth = registry.Auth.USER) -> registry.FunctionSpec:
    return registry.FunctionSpec(
        name=name,
        module=f"functions.{name}",
        kind=registry.Kind.HTTP,
        auth=auth,
        description=name,
        routes=tuple(
            registry.Route("GET", p, f"{name}_{i}", "summary") for i, p in enumerate(paths)
        ),
    )


def _inputs(*specs: registry.FunctionSpec) -> dict[str, Any]:
    return terraform.terraform_inputs((registry.by_name("meta"), *specs))


def test_a_new_function_is_routed_without_touching_the_infra() -> None:
    billing = _fn("billing", "/v1/billing/plan", "/v1/billing/invoices/{invoice_id}")
    generated = _inputs(*(f for f in registry.FUNCTIONS if f.name != "meta"), billing)
    assert lb_route(generated, "/v1/billing/plan") == "billing"
    assert lb_route(generated, "/v1/billing/invoices/in_1") == "billing"
    assert lb_route(generated, "/v1/contacts/imports") == "contact-imports"


def test_a_fixed_segment_wins_over_a_parameter_from_the_left() -> None:
    generated = _inputs(
        _fn("widgets", "/v1/widgets/{widget_id}", "/v1/widgets/{widget_id}/parts"),
        _fn("special", "/v1/widgets/special", "/v1/widgets/special/{part}"),
    )
    assert lb_route(generated, "/v1/widgets/w1") == "widgets"
    assert lb_route(generated, "/v1/widgets/w1/parts") == "widgets"
    assert lb_route(generated, "/v1/widgets/special") == "special"
    # Both /v1/widgets/{widget_id}/parts and /v1/widgets/special/{part} match: the
    # gateway (shared.http.routing) takes the fixed segment first, and so does the map.
    assert lb_route(generated, "/v1/widgets/special/parts") == "special"
    assert {"path": "/v1/widgets/special/parts", "function": "special"} in generated[
        "url_map_tests"
    ]


@pytest.mark.parametrize(
    ("specs", "message"),
    [
        ((_fn("a", "/v1/x/{id}"), _fn("b", "/v1/x/{other_id}")), "same shape"),
        ((_fn("a", "/v1/x/{a}/{b}/{c}/{d}/{e}/{f}"),), "URL map allows"),
        ((_fn("a", "/v1/files/{name}.csv"),), "whole-segment"),
        ((_fn("a", "/v1/x", auth=registry.Auth.OIDC),), "must be public"),
    ],
)
def test_routes_the_load_balancer_cannot_serve_are_refused(
    specs: tuple[registry.FunctionSpec, ...], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        _inputs(*specs)


# --- the Terraform wiring -------------------------------------------------------------


def _blocks(doc: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {
        f"{t.strip(chr(34))}.{n.strip(chr(34))}": body
        for block in doc.get(kind, [])
        for t, named in block.items()
        for n, body in named.items()
    }


def _function_module(doc: dict[str, Any]) -> dict[str, Any]:
    (body,) = [b for block in doc["module"] for n, b in block.items() if n.strip('"') == "function"]
    return body  # type: ignore[no-any-return]


def _locals(*docs: dict[str, Any]) -> dict[str, Any]:
    return {k: v for doc in docs for block in doc.get("locals", []) for k, v in block.items()}


def _load(name: str) -> dict[str, Any]:
    with (ROOT / "infra" / name).open() as fh:
        return hcl2.load(fh)  # type: ignore[no-any-return]


def _unquote(value: Any) -> str:
    return str(value).strip('"')


def test_terraform_wires_the_generated_routes_to_the_functions() -> None:
    lb, console = _load("load_balancer.tf"), _load("console.tf")
    functions, variables = _load("functions.tf"), _load("variables.tf")
    resources = {**_blocks(lb, "resource"), **_blocks(console, "resource")}
    local = _locals(lb, functions)

    assert "var.url_map_routes" in local["routed_functions"]

    url_map = resources["google_compute_url_map.public"]
    bucket_id = "${google_compute_backend_bucket.console.id}"
    assert url_map["default_service"] == bucket_id
    (matcher,) = url_map["path_matcher"]
    assert matcher["default_service"] == bucket_id
    (dynamic,) = matcher["dynamic"]
    route_rules = dynamic['"route_rules"']
    assert route_rules["for_each"] == "${var.url_map_routes}"
    (content,) = route_rules["content"]
    assert content["priority"] == "${route_rules.value.priority}"
    backend = "google_compute_backend_service.function[route_rules.value.function]"
    assert content["service"] == "${" + backend + ".id}"
    match_rules = content["dynamic"][0]['"match_rules"']
    assert match_rules["for_each"] == "${route_rules.value.matches}"
    assert match_rules["content"][0] | {"__is_block__": True} == {
        "full_path_match": "${match_rules.value.full_path}",
        "path_template_match": "${match_rules.value.path_template}",
        "prefix_match": "${match_rules.value.prefix}",
        "__is_block__": True,
    }
    tests = url_map["dynamic"][0]['"test"']
    assert tests["for_each"] == "${var.url_map_tests}"

    service = resources["google_compute_backend_service.function"]
    assert service["for_each"] == "${local.routed_functions}"
    assert _unquote(service["load_balancing_scheme"]) == "EXTERNAL_MANAGED"
    neg_id = "${google_compute_region_network_endpoint_group.function[each.key].id}"
    assert service["backend"][0]["group"] == neg_id
    assert service["security_policy"] == "${google_compute_security_policy.api.id}"

    neg = resources["google_compute_region_network_endpoint_group.function"]
    assert neg["for_each"] == "${local.routed_functions}"
    assert _unquote(neg["network_endpoint_type"]) == "SERVERLESS"
    assert neg["cloud_run"][0]["service"] == "${local.function_names[each.key]}"

    # The NEG's service name is the function's name.
    function_module = _function_module(functions)
    assert function_module["name"] == "${local.function_names[each.key]}"
    assert "${var.name_prefix}-${name}" in local["function_names"]

    declared = {
        name.strip('"'): body
        for block in variables.get("variable", [])
        for name, body in block.items()
    }
    for key in ("priority", "function", "matches", "full_path", "path_template", "prefix"):
        assert re.search(rf"\b{key}\b", str(declared["url_map_routes"]["type"])), key
    for key in ("path", "function"):
        assert re.search(rf"\b{key}\b", str(declared["url_map_tests"]["type"])), key


def test_terraform_serves_one_https_origin() -> None:
    lb, console, functions = _load("load_balancer.tf"), _load("console.tf"), _load("functions.tf")
    resources = {**_blocks(lb, "resource"), **_blocks(console, "resource")}
    local = _locals(lb, functions)
    outputs = {
        name.strip('"'): body
        for block in _load("outputs.tf").get("output", [])
        for name, body in block.items()
    }

    assert _unquote(local["public_base_url"]) == "https://${var.domain}"
    assert outputs["public_base_url"]["value"] == "${local.public_base_url}"
    env = str(local["function_environment"])
    assert "PUBLIC_BASE_URL = local.public_base_url" in env
    assert "APP_BASE_URL = coalesce(var.app_base_url, local.public_base_url)" in env

    cert = resources["google_compute_managed_ssl_certificate.public"]
    assert cert["managed"][0]["domains"] == ["${var.domain}"]
    https_proxy = resources["google_compute_target_https_proxy.public"]
    assert https_proxy["url_map"] == "${google_compute_url_map.public.id}"
    assert https_proxy["ssl_certificates"] == [
        "${google_compute_managed_ssl_certificate.public.id}"
    ]
    https_rule = resources["google_compute_global_forwarding_rule.https"]
    assert _unquote(https_rule["port_range"]) == "443"
    assert https_rule["target"] == "${google_compute_target_https_proxy.public.id}"

    http_rule = resources["google_compute_global_forwarding_rule.http"]
    assert _unquote(http_rule["port_range"]) == "80"
    assert http_rule["ip_address"] == https_rule["ip_address"]
    http_proxy = resources["google_compute_target_http_proxy.http_redirect"]
    assert http_proxy["url_map"] == "${google_compute_url_map.http_redirect.id}"
    redirect = resources["google_compute_url_map.http_redirect"]["default_url_redirect"][0]
    assert redirect["https_redirect"] is True

    backend_bucket = resources["google_compute_backend_bucket.console"]
    assert backend_bucket["enable_cdn"] is True
    assert backend_bucket["bucket_name"] == "${google_storage_bucket.console.name}"
    cdn = backend_bucket["cdn_policy"][0]
    assert _unquote(cdn["cache_mode"]) == "USE_ORIGIN_HEADERS"  # the upload's headers rule


def test_public_functions_sit_behind_the_load_balancer_and_private_ones_keep_oidc() -> None:
    functions, variables = _load("functions.tf"), _load("variables.tf")
    ingress = _function_module(functions)["ingress_settings"]
    assert "var.public_function_ingress" in ingress
    assert "var.private_function_ingress" in ingress
    declared = {
        name.strip('"'): body
        for block in variables.get("variable", [])
        for name, body in block.items()
    }
    assert _unquote(declared["public_function_ingress"]["default"]) == "ALLOW_INTERNAL_AND_GCLB"
    assert _unquote(declared["private_function_ingress"]["default"]) == "ALLOW_INTERNAL_ONLY"

    messaging = _blocks(_load("messaging.tf"), "resource")
    push = messaging["google_pubsub_subscription.push"]["push_config"][0]
    assert "oidc_token" in push
    task_target = messaging["google_cloud_tasks_queue.tasks"]["dynamic"][0]['"http_target"']
    assert "oidc_token" in task_target["content"][0]


def test_cloud_armor_limits_every_auth_route_per_ip() -> None:
    lb = _load("load_balancer.tf")
    prefix = _unquote(_locals(lb)["auth_path_prefix"])
    policy = _blocks(lb, "resource")["google_compute_security_policy.api"]
    throttles = [r for r in policy["rule"] if _unquote(r["action"]) == "throttle"]
    (rule,) = throttles
    assert "local.auth_path_prefix" in rule["match"][0]["expr"][0]["expression"]
    options = rule["rate_limit_options"][0]
    assert _unquote(options["enforce_on_key"]) == "IP"
    assert _unquote(options["exceed_action"]) == "deny(429)"
    auth_routes = registry.by_name("auth").routes
    assert auth_routes
    assert all(route.path.startswith(prefix) for route in auth_routes)


# --- the console upload (cloudbuild.yaml) ---------------------------------------------


def test_console_upload_sets_cache_headers(tmp_path: Path) -> None:
    out = tmp_path / "out"
    for name in (
        "index.html",
        "404.html",
        "campaigns.html",
        "campaigns/new.html",
        "contacts/index.html",
        "index.txt",
        "_next/static/chunks/app-3f2a.js",
        "_next/static/css/9c1b.css",
    ):
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(name)
    log = tmp_path / "calls.jsonl"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "gcloud"
    fake.write_text(
        textwrap.dedent(
            f"""\
            #!/usr/bin/env python3
            import json, sys
            with open({str(log)!r}, "a") as fh:
                fh.write(json.dumps(sys.argv[1:]) + "\\n")
            """
        )
    )
    fake.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    script = ROOT / "infra" / "upload-console.sh"
    subprocess.run(["bash", str(script), f"{out}/", "console-bkt"], check=True, env=env)
    calls = [json.loads(line) for line in log.read_text().splitlines()]

    def flag(call: list[str], name: str) -> str | None:
        return next((a.split("=", 1)[1] for a in call if a.startswith(f"--{name}=")), None)

    assets, rest, *copies = calls
    assert assets[:4] == [
        "storage",
        "rsync",
        f"{out}/_next/static",
        "gs://console-bkt/_next/static",
    ]
    assert flag(assets, "cache-control") == "public, max-age=31536000, immutable"
    assert "--delete-unmatched-destination-objects" not in assets

    assert rest[:4] == ["storage", "rsync", str(out), "gs://console-bkt"]
    assert flag(rest, "cache-control") == "no-cache"
    assert "--delete-unmatched-destination-objects" in rest
    exclude = re.compile(flag(rest, "exclude") or "$^")
    assert exclude.search("_next/static/chunks/app-3f2a.js")
    assert exclude.search("campaigns")
    assert exclude.search("campaigns/new")
    for uploaded in ("index.html", "campaigns.html", "contacts/index.html", "index.txt"):
        assert not exclude.search(uploaded), uploaded

    assert [c[2:4] for c in copies] == [
        [f"{out}/campaigns.html", "gs://console-bkt/campaigns"],
        [f"{out}/campaigns/new.html", "gs://console-bkt/campaigns/new"],
    ]
    for call in copies:
        assert flag(call, "content-type") == "text/html; charset=utf-8"
        assert flag(call, "cache-control") == "no-cache"


def test_console_upload_refuses_a_missing_build(tmp_path: Path) -> None:
    script = ROOT / "infra" / "upload-console.sh"
    result = subprocess.run(
        ["bash", str(script), str(tmp_path / "out"), "bkt"], capture_output=True, text=True
    )
    assert result.returncode == 1
    assert "npm run build" in result.stderr
