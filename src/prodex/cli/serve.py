"""The `prodex serve` command: migrate, create a development account on first start, serve.

Shut-down: on SIGTERM or SIGINT uvicorn stops accepting connections, lets the requests in flight
finish for up to ``PRODEX_SHUTDOWN_GRACE_SECONDS`` and cancels the rest (a cut-off URL analysis
is refunded), then the application's lifespan stops every extraction worker and the browser pool;
the logs are flushed and the command exits with status 0.
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Annotated

import typer

from prodex.cli.app import app

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def _stop_signals_end_normally() -> Iterator[list[int]]:
    """While serving, make a stop signal that uvicorn re-raises after its graceful shut-down a
    recorded no-op (instead of Python's default: die with -15, or KeyboardInterrupt), so that a
    requested stop ends the command normally with status 0; yields the signals received."""
    received: list[int] = []

    def record(signum: int, _frame: FrameType | None) -> None:
        received.append(signum)

    previous = {sig: signal.signal(sig, record) for sig in STOP_SIGNALS}
    try:
        yield received
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


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
        int, typer.Option(min=1, help="Connections+requests served at once; more get HTTP 503.")
    ] = 1000,
) -> None:
    """Bring the database schema up to date and serve the Product API."""
    import uvicorn

    from prodex.api.app import create_app
    from prodex.api.logs import configure_logging
    from prodex.api.server import CoalescingHttpToolsProtocol
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
    options: dict[str, object] = {
        "host": host,
        "port": port,
        "log_config": None,
        "access_log": False,
        "server_header": False,
        "limit_concurrency": limit_concurrency,
        "timeout_keep_alive": 5,
        "timeout_graceful_shutdown": settings.shutdown_grace_seconds,
        # uvicorn's httptools protocol, sending each response in one write (prodex.api.server).
        "http": CoalescingHttpToolsProtocol,
    }
    with _stop_signals_end_normally() as received:
        if workers > 1:
            uvicorn.run("prodex.api.app:create_app", factory=True, workers=workers, **options)  # type: ignore[arg-type]
        else:
            uvicorn.run(create_app(settings), **options)  # type: ignore[arg-type]
    if received:
        logging.getLogger("prodex.serve").info("stopped on signal %s", signal.Signals(received[0]).name)
    for handler in logging.getLogger().handlers:
        handler.flush()
