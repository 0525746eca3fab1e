"""The ``prodex`` command line: ``serve``, ``worker``, ``import``, ``imports``, ``accounts``,
``extract``, ``bench``."""

from __future__ import annotations

from prodex.cli import accounts, bench, demo, extract, imports, serve, worker  # noqa: F401  (register the commands)
from prodex.cli.app import app


def main() -> None:
    """Entry point of the ``prodex`` console script."""
    app()
