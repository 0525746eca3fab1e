"""The `prodex import` and `prodex imports` commands: import a catalogue for an account from the
command line, and list an account's imports.

``prodex import SOURCE --account ID`` creates the import as ``POST /v2/products/import`` does
(SOURCE is a file of URLs, one a line, ``#`` starting a comment; or a sitemap URL; or a store
URL), then runs a job worker in this process while a progress bar shows done, failed, rate and
ETA, and prints a table of the failed items at the end. Other workers (``prodex serve``,
``prodex worker``) on the same database share the work. Ctrl-C stops watching; the import goes
on in the queue (``--no-work`` only watches).
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from prodex.cli.app import app

if TYPE_CHECKING:
    from prodex.service.background import Background
    from prodex.service.imports import Imports, ImportSource, ImportView
    from prodex.settings import Settings
    from prodex.store.db import Database

SITEMAP_HINT = re.compile(r"sitemap|\.xml(?:\.gz)?(?:$|\?)", re.IGNORECASE)
FAILURES_SHOWN = 200
AccountOption = Annotated[int, typer.Option("--account", help="Account id (see `prodex accounts list`).")]


def source_of(source: str, *, kind: str | None, url_pattern: str | None, render: bool) -> ImportSource:
    """What SOURCE names: an existing file of URLs, else a sitemap URL (a name with ``sitemap`` or
    ``.xml``) or a store URL; ``kind`` (``urls``, ``sitemap``, ``store``) overrides the guess."""
    from prodex.service.imports import ImportSource

    path = Path(source)
    if kind == "urls" or (kind is None and path.is_file()):
        lines = path.read_text(encoding="utf-8").splitlines()
        urls = [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
        if not urls:
            raise typer.BadParameter(f"{source} lists no URL.")
        return ImportSource(urls=urls, render=render)
    if not source.startswith(("http://", "https://")):
        raise typer.BadParameter(f"{source} is neither a file nor an http(s) URL.")
    if kind == "sitemap" or (kind is None and SITEMAP_HINT.search(source)):
        return ImportSource(sitemap_url=source, url_pattern=url_pattern, render=render)
    return ImportSource(store_url=source, render=render)


@app.command("import")
def import_command(
    source: Annotated[str, typer.Argument(help="A file of URLs (one a line), a sitemap URL or a store URL.")],
    account: AccountOption,
    kind: Annotated[
        str | None, typer.Option(help="urls, sitemap or store (default: guessed from SOURCE).")
    ] = None,
    url_pattern: Annotated[str | None, typer.Option(help="Sitemaps: import only URLs matching this.")] = None,
    render: Annotated[bool, typer.Option(help="Render every page in a browser first.")] = False,
    work: Annotated[bool, typer.Option(help="Run a job worker here (--no-work: only watch).")] = True,
    concurrency: Annotated[int | None, typer.Option(min=1, help="Jobs this worker runs at once.")] = None,
) -> None:
    """Import a catalogue for an account, with a progress bar and a table of the failures."""
    from prodex.api.logs import configure_logging
    from prodex.settings import get_settings

    if kind not in (None, "urls", "sitemap", "store"):
        raise typer.BadParameter("--kind is urls, sitemap or store.")
    settings = get_settings()
    configure_logging("WARNING", False)
    what = source_of(source, kind=kind, url_pattern=url_pattern, render=render)
    try:
        asyncio.run(_import(settings, account, what, work=work, concurrency=concurrency))
    except KeyboardInterrupt:
        typer.echo("Stopped watching; the import goes on in the queue (`prodex imports` shows it).", err=True)
        raise typer.Exit(130) from None


async def _import(
    settings: Settings, account_id: int, source: ImportSource, *, work: bool, concurrency: int | None
) -> None:
    from prodex.cli.worker import background_process
    from prodex.errors import ProdexError
    from prodex.jobs import worker_options

    console = Console()
    async with background_process(settings) as background:
        try:
            imports = _imports(background.settings, background)
            await _check_account(background.database, account_id)
            view = await imports.create(account_id, source)
        except ProdexError as error:
            console.print(f"[red]error:[/red] {error.msg}")
            raise typer.Exit(1) from None
        console.print(
            f"Import [bold]{view.record.id}[/bold] for account {account_id}: {view.record.source_kind}"
        )
        if work:
            async with background.worker(worker_options(settings, concurrency=concurrency)):
                view = await _watch(imports, account_id, view, console)
        else:
            view = await _watch(imports, account_id, view, console)
        await _report(imports, account_id, view, console)


def _imports(settings: Settings, background: Background) -> Imports:
    from prodex.analysis.analyzer import Analyzer
    from prodex.errors import AnalysisUnavailable
    from prodex.service.imports import NO_ANALYSIS_MSG, Imports

    try:
        analyzer = background.resources.get(Analyzer)
    except LookupError:
        raise AnalysisUnavailable(NO_ANALYSIS_MSG) from None
    return Imports(
        settings, background.database, background.queue, background.import_runner, analyzer.fetcher.guard
    )


async def _check_account(database: Database, account_id: int) -> None:
    from prodex.service.credits import Credits

    await database.run(Credits(database).balance, account_id)  # RecordNotFound when absent


async def _watch(imports: Imports, account_id: int, view: ImportView, console: Console) -> ImportView:
    """Show the import's progress until it ends; returns its last state."""
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("[green]{task.fields[done]} done[/green] [red]{task.fields[failed]} failed[/red]"),
        TextColumn("{task.fields[rate]:.1f}/s"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    loop = asyncio.get_running_loop()
    started = loop.time()
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task("importing", total=None, done=0, failed=0, rate=0.0)
        while True:
            view = await imports.get(account_id, view.record.id, page_size=0)
            counts = view.counts
            ended = sum(counts.get(state, 0) for state in ("done", "failed", "cancelled"))
            rate = ended / max(loop.time() - started, 1e-6)
            progress.update(
                task,
                total=view.record.total or None,
                completed=ended,
                done=counts.get("done", 0),
                failed=counts.get("failed", 0),
                rate=rate,
                description=view.record.status,
            )
            if view.record.status in ("done", "cancelled"):
                return view
            await asyncio.sleep(0.5)


async def _report(imports: Imports, account_id: int, view: ImportView, console: Console) -> None:
    """The final counts, and a table of the failed items."""
    record, counts = view.record, view.counts
    if record.error_code is not None:
        console.print(f"[red]The {record.source_kind} could not be listed:[/red] {record.error_msg}")
    console.print(
        f"{record.status}: {counts.get('done', 0)} done, {counts.get('failed', 0)} failed, "
        f"{counts.get('cancelled', 0)} cancelled of {record.total}"
    )
    if not counts.get("failed"):
        return
    failed = await imports.get(account_id, record.id, page_size=FAILURES_SHOWN, status="failed")
    table = Table("url", "code", "message", title=f"Failed items ({counts['failed']})")
    for item in failed.items:
        table.add_row(item.url, str(item.error_code), item.error_msg or "")
    console.print(table)
    if counts["failed"] > FAILURES_SHOWN:
        console.print(
            f"(the first {FAILURES_SHOWN}; GET /v2/products/import/{record.id}?status=failed lists all)"
        )


@app.command("imports")
def imports_command(
    account: AccountOption,
    limit: Annotated[int, typer.Option(min=1, max=100, help="How many, newest first.")] = 20,
) -> None:
    """List an account's imports, newest first."""
    from prodex.service.imports import ImportView
    from prodex.settings import get_settings
    from prodex.store import imports as repo
    from prodex.store.db import Database
    from prodex.store.migrate import upgrade_database

    settings = get_settings()
    database = Database(settings.effective_database_url, pool_size=1)
    try:
        upgrade_database(database)
        with database.read() as conn:
            records = repo.list_imports(conn, account, limit=limit, offset=0)
            counts = repo.item_counts(conn, [r.id for r in records])
        views = [ImportView(r, counts[r.id]) for r in records]
    finally:
        database.dispose()
    table = Table("job_id", "status", "source", "total", "done", "failed", "cancelled", "created")
    for view in views:
        record = view.record
        source = record.source or "(urls)"
        table.add_row(
            record.id,
            record.status,
            f"{record.source_kind} {source}".strip(),
            str(record.total),
            str(view.counts.get("done", 0)),
            str(view.counts.get("failed", 0)),
            str(view.counts.get("cancelled", 0)),
            record.created_at.strftime("%Y-%m-%d %H:%M"),
        )
    Console().print(table)
