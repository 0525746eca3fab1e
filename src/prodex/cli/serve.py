"""The `prodex serve` command(s)."""

from __future__ import annotations

from prodex.cli.app import app  # noqa: F401
