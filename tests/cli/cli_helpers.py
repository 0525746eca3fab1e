"""Helpers of the CLI tests: run `prodex` as a real process with a clean PRODEX_* environment."""

from __future__ import annotations

import subprocess
from pathlib import Path

from fixtures.prodex_serve import PRODEX, ServerProcess, clean_env, prodex_server

__all__ = ["PRODEX", "ServerProcess", "clean_env", "prodex_server", "run_prodex"]


def run_prodex(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run one `prodex` command to completion."""
    return subprocess.run([PRODEX, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120)
