"""The root Typer application; command modules register themselves on it."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from typer.core import TyperOption

app = typer.Typer(
    name="prodex",
    help="prodex: product pages to structured products, behind a JoggAI-compatible API.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)


def _hide_flag_types() -> None:
    """Show no value type (``<bool>``) beside on/off flags in help: a flag takes no value.

    Typer's rich help prints every option's type, flags included; options that take a value keep
    theirs (``<int range>``, ``<str>``).
    """
    shown = TyperOption.display_type_rich
    if getattr(shown, "_prodex_flags_hidden", False):
        return

    def display_type_rich(self: TyperOption, ctx: Any) -> str | None:
        if self.is_flag or self.count:
            return None
        return shown(self, ctx)

    display_type_rich._prodex_flags_hidden = True  # type: ignore[attr-defined]
    TyperOption.display_type_rich = display_type_rich  # type: ignore[method-assign]


_hide_flag_types()


def _print_version(value: bool) -> None:
    """``--version``: print the version and stop."""
    if value:
        from prodex import __version__

        typer.echo(f"prodex {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """prodex: product pages to structured products, behind a JoggAI-compatible API.

    Settings come from PRODEX_* environment variables (or a .env file in the current folder); the
    SQLite database lives in ~/.local/share/prodex unless PRODEX_DATA_DIR or PRODEX_DATABASE_URL
    says otherwise.
    """


@app.command()
def version() -> None:
    """Print the prodex version."""
    from prodex import __version__

    typer.echo(__version__)
