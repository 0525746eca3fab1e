"""The `prodex demo` command: a sample shop on 127.0.0.1 and a server allowed to fetch that shop only."""

from __future__ import annotations

from typing import Annotated

import typer

from prodex.cli.app import app

DEMO_KEY_LABEL = "demo"


@app.command()
def demo(
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port of the API and the console.")] = 8000,
    shop_port: Annotated[
        int, typer.Option(min=0, max=65535, help="TCP port of the sample shop (0 picks a free one).")
    ] = 0,
) -> None:
    """Serve a sample shop and the API on 127.0.0.1, the API allowed to fetch that shop only.

    The database is SQLite in <data folder>/demo (apart from your own); every start issues a fresh
    demo key and prints a curl command that creates a product from the shop.
    """
    from prodex.cli.serve import prepare_database, run_uvicorn
    from prodex.demo import DemoShop
    from prodex.settings import get_settings

    host = "127.0.0.1"
    shop = DemoShop(shop_port).start()
    base = get_settings()
    settings = base.model_copy(
        update={
            # The address policy is lifted for this one local shop only: the allow-list names its port.
            "fetch_allow_private": True,
            "fetch_allowed_hosts": [f"{shop.host}:{shop.port}"],
            "database_url": f"sqlite:///{(base.data_dir / 'demo' / 'prodex.db').resolve()}",
            # its stored media beside its database, apart from the main data folder's
            "data_dir": base.data_dir / "demo",
        }
    )
    key = prepare_database(settings, host=host, port=port, dev_account=True, demo_key_label=DEMO_KEY_LABEL)
    api = f"http://{host}:{port}"
    typer.echo(
        "\n".join(
            [
                f"prodex demo: a sample shop serves {shop.base_url}/ ; this server may fetch that shop only",
                "  (PRODEX_FETCH_ALLOW_PRIVATE=true, PRODEX_FETCH_ALLOWED_HOSTS="
                f"{shop.host}:{shop.port}: development only).",
                "  Try it:",
                f"    KEY={key}",
                f'    curl -s -X POST {api}/v2/product -H "x-api-key: $KEY" \\',
                f"      -H 'Content-Type: application/json' -d '{{\"url\": \"{shop.url('kettle')}\"}}'",
                f"  or open {api}/console, sign in with the key and paste {shop.url('teapot')}",
                "  Ctrl+C stops both.",
            ]
        )
    )
    try:
        run_uvicorn(settings, host=host, port=port)
    finally:
        shop.stop()
