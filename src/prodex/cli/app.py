"""The root Typer application; command modules register themselves on it."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="prodex",
    help="prodex: product pages to structured products, behind a JoggAI-compatible API.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)


@app.callback()
def root() -> None:
    """prodex: product pages to structured products, behind a JoggAI-compatible API."""


@app.command()
def version() -> None:
    """Print the prodex version."""
    from prodex import __version__

    typer.echo(__version__)
