"""A function imports only what it needs: no heavy SDK it does not call at import time."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from shared import registry

HEAVY = ("anthropic", "stripe", "google.cloud.pubsub", "google.cloud.tasks", "twilio.rest", "pika")

PROBE = """
import json, sys
import {module}
heavy = {heavy!r}
print(json.dumps([h for h in heavy if any(m == h or m.startswith(h + ".") for m in sys.modules)]))
"""


@pytest.mark.parametrize("spec", registry.FUNCTIONS, ids=lambda s: s.name)
def test_function_module_does_not_import_heavy_sdks(spec: registry.FunctionSpec) -> None:
    code = PROBE.format(module=spec.module, heavy=HEAVY)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []
