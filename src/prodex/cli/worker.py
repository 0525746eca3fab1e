"""The `prodex worker` command: run background jobs (imports, webhook deliveries) without serving.

Start as many as needed, on as many machines as share the PostgreSQL database (with SQLite: on the
machine of the database file). SIGTERM or SIGINT stops fetching jobs, lets the running ones finish
within ``PRODEX_SHUTDOWN_GRACE_SECONDS`` and queues the rest again; the command then exits 0.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from prodex.cli.app import app

if TYPE_CHECKING:
    from prodex.service.background import Background
    from prodex.settings import Settings

log = logging.getLogger("prodex.worker")


@app.command()
def worker(
    concurrency: Annotated[
        int | None,
        typer.Option(min=1, help="Jobs run at once (default PRODEX_JOBS_CONCURRENCY, 100)."),
    ] = None,
) -> None:
    """Run background jobs (imports, webhook deliveries) until SIGTERM or SIGINT."""
    from prodex.api.logs import configure_logging
    from prodex.settings import get_settings

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    asyncio.run(run_worker(settings, concurrency))


@asynccontextmanager
async def background_process(settings: Settings) -> AsyncIterator[Background]:
    """The database (migrated) and the background parts of a process, built as ``prodex serve``
    builds them (analysis, queue, tasks, listeners), open for the block."""
    from prodex.analysis.analyzer import Analyzer
    from prodex.analysis.runtime import analysis_runtime
    from prodex.media.library import MediaLibrary
    from prodex.media.service import MediaService
    from prodex.media.stores import open_media_store
    from prodex.service.background import build_background
    from prodex.service.credits import Credits
    from prodex.service.products import Products
    from prodex.service.slots import AnalysisSlots
    from prodex.store.db import Database
    from prodex.store.migrate import upgrade_database

    database = Database(settings.effective_database_url, pool_size=settings.db_pool_size)
    async with AsyncExitStack() as stack:
        stack.push_async_callback(database.adispose)
        await asyncio.to_thread(upgrade_database, database)
        analyzer: Analyzer | None = None
        if settings.url_analysis:
            analyzer = (await stack.enter_async_context(analysis_runtime(settings))).analyzer
        store = await asyncio.to_thread(open_media_store, settings)
        library = MediaLibrary(database, store) if store is not None else None
        media: MediaService | None = None
        if library is not None and analyzer is not None:  # the media of imported products
            media = MediaService(settings, analyzer.fetcher, library)
            stack.push_async_callback(media.aclose)
        background = build_background(
            settings,
            database,
            credits=Credits(database),
            products=Products(database, library),
            slots=AnalysisSlots(),
            analyzer=analyzer,
            media=media,
        )
        await background.open()
        stack.push_async_callback(background.aclose)
        yield background


async def run_worker(settings: Settings, concurrency: int | None = None) -> None:
    """Run a worker until a stop signal (see the module docstring)."""
    from prodex.gc_tuning import long_running

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with background_process(settings) as background:
        log.info("worker started on the %s queue", background.queue.backend)
        with long_running():  # what was built lives as long as the worker (as in `prodex serve`)
            failed = await _work(background, stop, concurrency)
    if failed:  # exit non-zero so that a supervisor starts the worker again
        log.error("worker stopped on an error")
        raise SystemExit(1)
    log.info("worker stopped")


async def _work(background: Background, stop: asyncio.Event, concurrency: int | None) -> bool:
    """Run the background's jobs until ``stop`` is set; whether the worker stopped on an error."""
    from prodex.jobs import worker_options

    options = worker_options(background.settings, concurrency=concurrency)
    async with background.worker(options) as task:
        waiting = asyncio.ensure_future(stop.wait())
        await asyncio.wait((task, waiting), return_when=asyncio.FIRST_COMPLETED)
        waiting.cancel()
        return task.done() and not stop.is_set()
