"""Helpers of the CLI tests: run `prodex` as a real process with a clean PRODEX_* environment."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

PRODEX = str(Path(sys.executable).with_name("prodex"))
_RUNNING_ON = re.compile(r"Uvicorn running on http://127\.0\.0\.1:(\d+)")


def clean_env(**overrides: str) -> dict[str, str]:
    """This process's environment without PRODEX_* settings (test switches kept), plus overrides."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRODEX_") or k.startswith("PRODEX_TEST_")}
    env.update(overrides)
    return env


def run_prodex(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run one `prodex` command to completion."""
    return subprocess.run([PRODEX, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120)


@dataclass
class ServerProcess:
    """A running `prodex serve` process and what it printed so far."""

    process: subprocess.Popen[str]
    stdout: list[str] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)
    port: int = 0

    @property
    def base_url(self) -> str:
        """Where it serves."""
        return f"http://127.0.0.1:{self.port}"


@contextmanager
def prodex_server(env: dict[str, str], cwd: Path, *extra: str) -> Iterator[ServerProcess]:
    """Start `prodex serve --host 127.0.0.1 --port 0`, wait until it listens, stop it afterwards."""
    process = subprocess.Popen(
        [PRODEX, "serve", "--host", "127.0.0.1", "--port", "0", *extra],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    server = ServerProcess(process)
    listening = threading.Event()

    def pump(stream: object, lines: list[str]) -> None:
        for line in stream:  # type: ignore[attr-defined]
            lines.append(line)
            match = _RUNNING_ON.search(line)
            if match:
                server.port = int(match.group(1))
                listening.set()

    readers = [
        threading.Thread(target=pump, args=(process.stdout, server.stdout), daemon=True),
        threading.Thread(target=pump, args=(process.stderr, server.stderr), daemon=True),
    ]
    for reader in readers:
        reader.start()
    try:
        deadline = time.monotonic() + 60
        while not listening.wait(0.1):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("prodex serve did not start:\n" + "".join(server.stderr[-30:]))
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        for reader in readers:
            reader.join(timeout=5)
