"""The registry, the OpenAPI document and the Terraform inputs never disagree."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import hcl2
import pytest

from shared import registry
from shared.http.function import HttpFunction
from shared.platform.openapi import openapi_document
from shared.platform.terraform import INPUTS_FILE, render_inputs, terraform_inputs

ROOT = Path(__file__).resolve().parents[2]


def test_names_paths_and_operations_are_unique() -> None:
    names = [f.name for f in registry.FUNCTIONS]
    assert len(names) == len(set(names))
    routes = [(r.method, r.path) for f in registry.FUNCTIONS for r in f.routes]
    assert len(routes) == len(set(routes))
    operations = [r.operation for f in registry.FUNCTIONS for r in f.routes]
    assert len(operations) == len(set(operations))
    for spec in registry.FUNCTIONS:
        assert re.fullmatch(r"[a-z][a-z0-9-]{1,40}", spec.name), spec.name
        if spec.kind is registry.Kind.EVENT:
            assert spec.topic
            assert not spec.routes
        if spec.kind is registry.Kind.TASK:
            assert spec.queue
            assert not spec.routes


@pytest.mark.parametrize("spec", registry.http_functions(), ids=lambda s: s.name)
def test_every_route_has_exactly_one_handler(spec: registry.FunctionSpec) -> None:
    module = importlib.import_module(spec.module)
    app = module.app
    assert isinstance(app, HttpFunction)
    assert module.handler is app or callable(module.handler)
    app.bind()  # raises on a missing handler or an unfillable parameter
    assert set(app.operations) == {r.operation for r in spec.routes}


def test_openapi_has_exactly_the_registry_routes() -> None:
    doc = openapi_document()
    in_doc = {
        (method.upper(), path, item["x-function"])
        for path, methods in doc["paths"].items()
        for method, item in methods.items()
    }
    in_registry = {(r.method, r.path, f.name) for f in registry.http_functions() for r in f.routes}
    assert in_doc == in_registry
    assert doc["openapi"].startswith("3.1")


def test_openapi_document_is_valid() -> None:
    from openapi_spec_validator import validate

    validate(openapi_document())


def test_terraform_inputs_file_is_generated_from_the_registry() -> None:
    path = ROOT / INPUTS_FILE
    assert path.read_text() == render_inputs(), "run `smsctl terraform-inputs`"
    inputs = json.loads(path.read_text())["functions"]
    assert set(inputs) == {f.name for f in registry.FUNCTIONS}
    for spec in registry.FUNCTIONS:
        assert inputs[spec.name]["routes"] == [f"{r.method} {r.path}" for r in spec.routes]


def _load_hcl(name: str) -> dict:  # type: ignore[type-arg]
    with (ROOT / "infra" / name).open() as fh:
        return hcl2.load(fh)  # type: ignore[no-any-return]


def test_terraform_creates_one_function_per_input() -> None:
    parsed = {p.name: _load_hcl(p.name) for p in (ROOT / "infra").glob("*.tf")}
    modules = [
        (name.strip('"'), body)
        for doc in parsed.values()
        for block in doc.get("module", [])
        for name, body in block.items()
    ]
    function_modules = [(n, b) for n, b in modules if "function" in str(b.get("source", ""))]
    assert len(function_modules) == 1, modules
    _, body = function_modules[0]
    assert "var.functions" in str(body["for_each"])

    variables = {
        name.strip('"'): body
        for doc in parsed.values()
        for block in doc.get("variable", [])
        for name, body in block.items()
    }
    declared = str(variables["functions"]["type"])
    one_input = next(iter(terraform_inputs()["functions"].values()))
    for key in one_input:
        assert re.search(rf"\b{key}\b", declared), f"variable functions lacks {key}"


def test_every_function_resource_in_the_module_reads_the_registry_entry() -> None:
    module = _load_hcl("modules/function/main.tf")
    resources = [
        name
        for block in module.get("resource", [])
        for kind, items in block.items()
        if kind.strip('"') == "google_cloudfunctions2_function"
        for name in items
    ]
    assert len(resources) == 1
