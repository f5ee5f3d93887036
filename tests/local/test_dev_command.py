"""`smsctl dev` on embedded PostgreSQL and Redis: up, healthy, stopped, and data survives."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run_dev(data_dir: Path, port: int) -> tuple[str, int]:
    env = {
        **os.environ,
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": "",
        "REDIS_URL": "",
        "ENVIRONMENT": "local",
        "PORT": str(port),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "shared.cli", "dev"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        status = 0
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                status = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code
                if status == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
    finally:
        proc.send_signal(signal.SIGINT)  # Ctrl-C
        output, _ = proc.communicate(timeout=60)
    return output, status


def test_dev_starts_on_embedded_services_and_keeps_data(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    output, status = _run_dev(data_dir, _free_port())
    assert status == 200, output
    assert "demo@example.com" in output
    assert "demo workspace created" in output
    assert (data_dir / "pg" / "PG_VERSION").exists()

    output, status = _run_dev(data_dir, _free_port())
    assert status == 200, output
    assert "demo workspace exists" in output  # the data survived the restart
