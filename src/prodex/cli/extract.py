"""The `prodex extract` command: the product of a saved page or of a live URL, as JSON.

prodex extract FILE --url URL        a saved page (.html or .html.gz) and the address it had
prodex extract https://shop/p/1      fetched and analysed exactly as POST /v2/product does
                                     (URL guard, limits, platform JSON, rendering when needed)
"""

from __future__ import annotations

import asyncio
import zlib
from pathlib import Path
from typing import Annotated

import orjson
import typer

from prodex.cli.app import app
from prodex.errors import ProdexError
from prodex.extract import Product

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


def analyse_url(url: str, *, render: bool = False) -> Product:
    """The product at ``url``, through the same fetch and analysis path as the API."""
    from prodex.analysis.runtime import analysis_runtime
    from prodex.settings import get_settings

    settings = get_settings().model_copy(update={"extract_pool": "thread", "extract_workers": 1})

    async def run() -> Product:
        async with analysis_runtime(settings) as runtime:
            return (await runtime.analyzer.analyze(url, render=render)).product

    return asyncio.run(run())


@app.command("extract")
def extract(
    source: Annotated[
        str, typer.Argument(metavar="FILE|URL", help="A saved page (.html or .html.gz), or an http(s) URL.")
    ],
    url: Annotated[
        str | None,
        typer.Option(
            "--url", help="A saved page's address (resolves relative links, picks the site module)."
        ),
    ] = None,
    render: Annotated[
        bool, typer.Option("--render", help="Render a URL in Chromium before extracting.")
    ] = False,
    compact: Annotated[
        bool, typer.Option("--compact", help="One line of JSON instead of indented JSON.")
    ] = False,
) -> None:
    """Extract the product of a saved page or a URL and print it as JSON."""
    if source.lower().startswith(("http://", "https://")) and not Path(source).exists():
        try:
            product = analyse_url(source, render=render)
        except ProdexError as error:
            typer.echo(f"error: {error.msg}", err=True)
            raise typer.Exit(1) from None
    else:
        if not url:
            raise typer.BadParameter("a saved page needs its address: --url URL", param_hint="--url")
        from prodex.extract import extract_product

        product = extract_product(read_page_file(Path(source)), url)
    option = 0 if compact else orjson.OPT_INDENT_2
    typer.echo(orjson.dumps(product.to_dict(), option=option).decode())
