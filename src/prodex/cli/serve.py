"""The `prodex serve` command: migrate, create a development account on first start, serve."""

from __future__ import annotations

from typing import Annotated

import typer

from prodex.cli.app import app


def _print_dev_key(
    account_name: str, account_id: int, plan: str, credits: int, key: str, base_url: str
) -> None:
    """Show the development key once, clearly labelled (it is not stored anywhere)."""
    bar = "=" * 78
    typer.echo(
        "\n".join(
            [
                bar,
                "prodex: the database had no account, so a local development account was created.",
                f"  account : {account_name} (id {account_id}, plan {plan}, {credits} credits)",
                "  DEVELOPMENT API KEY (shown only this once; it is stored only as a hash):",
                f"  {key}",
                f"  try     : curl -H 'x-api-key: {key}' {base_url}/v2/user/whoami",
                bar,
            ]
        )
    )


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="TCP port (0 picks a free one).")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, help="Server processes (rate limits need Redis to be shared).")
    ] = 1,
    dev_account: Annotated[
        bool, typer.Option(help="Create a development account and print its key when no account exists.")
    ] = True,
    limit_concurrency: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Requests served at once per process; more get HTTP 503 "
            "(default PRODEX_HTTP_MAX_CONCURRENT_REQUESTS, 1000).",
        ),
    ] = None,
) -> None:
    """Bring the database schema up to date and serve the Product API."""
    import os

    import uvicorn

    from prodex.api.app import create_app
    from prodex.api.logs import configure_logging
    from prodex.api.serving import server_app, uvicorn_options
    from prodex.service.accounts import Accounts
    from prodex.settings import get_settings
    from prodex.store.db import Database
    from prodex.store.migrate import upgrade_database

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    database = Database(settings.effective_database_url, pool_size=1)
    try:
        upgrade_database(database)
        created = Accounts(database, settings).ensure_dev_account() if dev_account else None
    finally:
        database.dispose()
    if created is not None:
        account, issued = created
        _print_dev_key(
            account.name, account.id, account.plan, account.credits, issued.secret, f"http://{host}:{port}"
        )
    if limit_concurrency is not None:
        settings = settings.model_copy(update={"http_max_concurrent_requests": limit_concurrency})
        # Server processes spawned by uvicorn (--workers) read their settings from the environment.
        os.environ["PRODEX_HTTP_MAX_CONCURRENT_REQUESTS"] = str(limit_concurrency)
    # uvicorn's httptools protocol, guarded (request head limits, read deadlines, connection limit)
    # and sending each response in one write (prodex.api.serving, prodex.api.http_guard).
    options = {"host": host, "port": port, **uvicorn_options(settings, in_process=workers == 1)}
    if workers > 1:
        uvicorn.run("prodex.api.serving:create_server_app", factory=True, workers=workers, **options)
    else:
        uvicorn.run(server_app(create_app(settings), settings), **options)
