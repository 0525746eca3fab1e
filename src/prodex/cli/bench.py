"""The `prodex bench` command(s)."""

from __future__ import annotations

from prodex.cli.app import app  # noqa: F401
