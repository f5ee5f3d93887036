"""Schemathesis over the whole OpenAPI document, against the gateway, as two callers.

Every operation of the registry is in the document, so a new route is fuzzed without
touching this file. The bounded run (part of `make test`) uses a fixed seed and a few
examples per operation with every check; `make fuzz` runs the same harness deeper
(more examples, stateful links) and writes its figures to docs/fuzzing.md.
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from tests.identity_helpers import bearer, signup

ROOT = Path(__file__).resolve().parents[2]
SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
CONFIG = Path(__file__).with_name("schemathesis.toml")  # checks and hooks (fuzz_checks.py)

# Bounded by default; `make fuzz` raises these through the environment.
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "5"))
PHASES = os.environ.get("FUZZ_PHASES", "examples,coverage,fuzzing")
SEED = os.environ.get("FUZZ_SEED", "20261124")
# `make fuzz` writes the run's figures to this page.
REPORT = Path(os.environ["FUZZ_REPORT"]) if os.environ.get("FUZZ_REPORT") else None


def _api_key(api: httpx.Client, token: str, role: str) -> str:
    r = api.post("/v1/api-keys", json={"name": f"fuzz {role}", "role": role}, headers=bearer(token))
    assert r.status_code == 201, r.text
    return str(r.json()["secret"])


@pytest.fixture(scope="module")
def fuzz_keys(gateway_url: str) -> dict[str, str]:
    with httpx.Client(base_url=gateway_url, timeout=30) as api:
        owner = signup(api, "fuzz")
        return {
            "admin": _api_key(api, owner.access_token, "admin"),
            "member": _api_key(api, owner.access_token, "member"),
        }


def run_schemathesis(
    gateway_url: str, key: str, report_dir: Path
) -> subprocess.CompletedProcess[str]:
    command = [
        str(SCHEMATHESIS),
        "--config-file",
        str(CONFIG),
        "run",
        f"{gateway_url}/openapi.json",
        "--url",
        gateway_url,
        "--checks",
        "all",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        SEED,
        "--phases",
        PHASES,
        "--workers",
        "2",
        "--header",
        f"Authorization: Bearer {key}",
        "--report",
        "json",
        "--report-dir",
        str(report_dir),
        "--no-color",
        "--output-truncate",
        "true",
        "--continue-on-failure",
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # the hooks module
    return subprocess.run(
        command, capture_output=True, text=True, cwd=ROOT, env=env, timeout=1800, check=False
    )


@pytest.mark.timeout(3600)
@pytest.mark.parametrize("role", ["admin", "member"])
def test_schemathesis_finds_nothing(
    gateway_url: str, fuzz_keys: dict[str, str], role: str, tmp_path: Path
) -> None:
    """Zero server errors, undocumented statuses, accepted schema-violating requests,
    and schema-valid requests refused for a reason the document could state."""
    started = time.monotonic()
    result = run_schemathesis(gateway_url, fuzz_keys[role], tmp_path)
    elapsed = time.monotonic() - started
    if REPORT:
        write_figures(REPORT, role, result.stdout, elapsed)
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-3000:]
    assert "Operations:" in result.stdout, result.stdout[-3000:]


def write_figures(report: Path, role: str, output: str, elapsed: float) -> None:
    """The run's figures, as a section of the fuzzing page (`make fuzz`)."""

    def grab(pattern: str) -> str:
        found = re.search(pattern, output)
        return found.group(1).strip() if found else "?"

    operations = grab(r"Operations:\s+(.*)")
    cases = grab(r"Test cases:\s*\n\s*(.*)")
    outcome = grab(r"=+ (.*) =+\s*$")
    machine = f"nproc {os.cpu_count()}, {platform.processor() or platform.machine()}"
    section = "\n".join(
        [
            f"### {role} API key",
            "",
            f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; machine: {machine}",
            f"- Settings: max examples {MAX_EXAMPLES}, phases {PHASES}, seed {SEED}, all checks",
            f"- Operations: {operations}",
            f"- Test cases: {cases}",
            f"- Result: {outcome}",
            f"- Wall time: {elapsed:.0f} s",
            "",
        ]
    )
    text = report.read_text() if report.exists() else ""
    begin, end = f"<!-- fuzz:{role}:begin -->", f"<!-- fuzz:{role}:end -->"
    block = f"{begin}\n{section}{end}"
    if begin in text and end in text:
        text = text[: text.index(begin)] + block + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    report.write_text(text)
