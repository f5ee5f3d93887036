"""`smsctl dev` as a real process of its own, started, stopped and killed by tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx


class DevProcess:
    """One `smsctl dev` at a fixed port (a restart keeps it: callbacks of earlier sends
    still find the platform). Its output goes to `log`."""

    def __init__(self, env: dict[str, str], port: int, log: Path) -> None:
        # URLs derived from the port by `smsctl dev` itself (PORT=... make dev).
        base_env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("PUBLIC_BASE_URL", "APP_BASE_URL", "DATA_DIR")
        }
        self.env = {**base_env, "ENVIRONMENT": "local", "PORT": str(port), **env}
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None
        self.runs = 0

    def start(self, timeout: float = 120) -> str:
        self.runs += 1
        out = self.log.open("ab")
        out.write(f"\n===== run {self.runs} =====\n".encode())
        out.flush()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "shared.cli", "dev"],
            env=self.env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        out.close()
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise AssertionError(
                    f"smsctl dev exited ({self.proc.returncode}):\n{self.output()}"
                )
            try:
                if httpx.get(f"{self.base}/health", timeout=2).status_code == 200:
                    return self.base
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"smsctl dev did not answer /health:\n{self.output()}")
            time.sleep(0.2)

    def stop(self, sig: int = signal.SIGINT, timeout: float = 60) -> int:
        assert self.proc is not None
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"smsctl dev did not stop on {sig!r}:\n{self.output()}") from None

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
