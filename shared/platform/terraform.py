"""Terraform inputs generated from the registry: infra/functions.auto.tfvars.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from shared import registry

INPUTS_FILE = Path("infra") / "functions.auto.tfvars.json"


def terraform_inputs() -> dict[str, Any]:
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
            for spec in registry.FUNCTIONS
        }
    }


def render_inputs() -> str:
    return json.dumps(terraform_inputs(), indent=2) + "\n"
