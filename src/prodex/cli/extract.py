"""The `prodex extract` command: `prodex extract FILE --url URL` prints the page's product as JSON.

The file-reading path is one small function (:func:`read_page_file`) so that the URL form
(`prodex extract https://...`, through the fetcher) can be added beside it.
"""

from __future__ import annotations

import zlib
from pathlib import Path
from typing import Annotated

import orjson
import typer

from prodex.cli.app import app

MAX_FILE_BYTES = 50 * 1024 * 1024


def read_page_file(path: Path) -> bytes:
    """The HTML bytes of a saved page (``.gz`` files are decompressed), within a size limit."""
    if not path.is_file():
        raise typer.BadParameter(f"{path} is not a file", param_hint="FILE")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise typer.BadParameter(
            f"{path} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB", param_hint="FILE"
        )
    data = path.read_bytes()
    if path.suffix == ".gz" or data[:2] == b"\x1f\x8b":
        try:
            data = _gunzip_bounded(data)
        except (OSError, zlib.error) as error:
            raise typer.BadParameter(
                f"{path} is not a valid gzip file: {error}", param_hint="FILE"
            ) from error
    return data


def _gunzip_bounded(data: bytes) -> bytes:
    """``data`` decompressed, refusing more than :data:`MAX_FILE_BYTES` of output."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = inflater.decompress(data, MAX_FILE_BYTES + 1)
    if len(out) > MAX_FILE_BYTES or inflater.unconsumed_tail:
        raise OSError(f"decompresses to more than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    if not inflater.eof:
        raise OSError("the compressed stream is truncated")
    return out


@app.command("extract")
def extract(
    file: Annotated[Path, typer.Argument(help="A saved HTML page (.html or .html.gz).")],
    url: Annotated[
        str,
        typer.Option("--url", help="The page's address (resolves relative links, picks the site module)."),
    ],
    compact: Annotated[
        bool, typer.Option("--compact", help="One line of JSON instead of indented JSON.")
    ] = False,
) -> None:
    """Extract the product of a saved page and print it as JSON."""
    from prodex.extract import extract_product

    product = extract_product(read_page_file(file), url)
    option = 0 if compact else orjson.OPT_INDENT_2
    typer.echo(orjson.dumps(product.to_dict(), option=option).decode())
