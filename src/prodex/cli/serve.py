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
from typing import TYPE_CHECKING, Annotated

import typer

from prodex.cli.app import app
from prodex.cli.hints import start_banner

if TYPE_CHECKING:
    from prodex.service.accounts import Accounts
    from prodex.settings import Settings
    from prodex.store.records import AccountRecord

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
    """Bring the database schema up to date and serve the Product API (and the console)."""
    from prodex.settings import get_settings

    settings = get_settings()
    prepare_database(settings, host=host, port=port, dev_account=dev_account)
    run_uvicorn(settings, host=host, port=port, workers=workers, limit_concurrency=limit_concurrency)


def prepare_database(
    settings: Settings, *, host: str, port: int, dev_account: bool, demo_key_label: str | None = None
) -> str | None:
    """Migrate the database, create the development account when there is none, print the start
    banner; returns the new key when one was issued (the development key, or a demo key)."""
    from prodex.api.logs import configure_logging
    from prodex.service.accounts import Accounts
    from prodex.store.db import Database
    from prodex.store.migrate import upgrade_database

    configure_logging(settings.log_level, settings.log_json)
    database = Database(settings.effective_database_url, pool_size=1)
    try:
        upgrade_database(database)
        accounts = Accounts(database, settings)
        created = accounts.ensure_dev_account() if dev_account else None
        new_key = (created[0], created[1].secret) if created is not None else None
        demo = new_key is None and demo_key_label is not None
        if demo and demo_key_label is not None:
            new_key = _fresh_demo_key(accounts, demo_key_label)
        every_account = accounts.all()
    finally:
        database.dispose()
    shown_port = port or "<port>"
    typer.echo(start_banner(settings, f"http://{host}:{shown_port}", every_account, new_key, demo=demo))
    return new_key[1] if new_key is not None else None


def _fresh_demo_key(accounts: Accounts, label: str) -> tuple[AccountRecord, str] | None:
    """A new key labelled ``label`` for the development account, the older ones revoked."""
    from prodex.service.accounts import DEV_ACCOUNT_NAME

    account = next((a for a in accounts.all() if a.name == DEV_ACCOUNT_NAME), None)
    if account is None:
        return None
    for key in accounts.keys(account.id):
        if key.label == label and key.revoked_at is None:
            accounts.revoke_key(key.id)
    issued = accounts.issue_key(account.id, label)
    return account, issued.secret


def run_uvicorn(
    settings: Settings, *, host: str, port: int, workers: int = 1, limit_concurrency: int | None = None
) -> None:
    """Serve the app with uvicorn until interrupted (several worker processes read the environment)."""
    import os

    import uvicorn

    from prodex.api.app import create_app
    from prodex.api.serving import server_app, uvicorn_options

    if limit_concurrency is not None:
        settings = settings.model_copy(update={"http_max_concurrent_requests": limit_concurrency})
        # Server processes spawned by uvicorn (--workers) read their settings from the environment.
        os.environ["PRODEX_HTTP_MAX_CONCURRENT_REQUESTS"] = str(limit_concurrency)
    # uvicorn's httptools protocol, guarded (request head limits, read deadlines, connection limit)
    # and sending each response in one write (prodex.api.serving, prodex.api.http_guard).
    options = {"host": host, "port": port, **uvicorn_options(settings, in_process=workers == 1)}
    options["timeout_graceful_shutdown"] = settings.shutdown_grace_seconds
    with _stop_signals_end_normally() as received:
        if workers > 1:
            uvicorn.run("prodex.api.serving:create_server_app", factory=True, workers=workers, **options)
        else:
            uvicorn.run(server_app(create_app(settings), settings), **options)
    if received:
        logging.getLogger("prodex.serve").info("stopped on signal %s", signal.Signals(received[0]).name)
    for handler in logging.getLogger().handlers:
        handler.flush()
