"""Imports for the API: create one from URLs, a sitemap or a store; read, list, retry, cancel.

Creating answers at once: a list of URLs becomes the import's items in the same transaction
(duplicates kept once, in their first place; a URL the guard refuses is an item ``failed`` at
once with the 40000 ``POST /v2/product`` would answer, at no cost), then one queue job per item.
A sitemap or a store becomes an ``import_expand`` job that lists the product URLs first (the
import's ``total`` grows when it has). Import ids are 16 URL-safe random characters.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from sqlalchemy import Connection

from prodex.errors import AnalysisUnavailable, InvalidParameter, RecordNotFound, URLRefused
from prodex.fetch.guard import URLGuard
from prodex.jobs import JobQueue
from prodex.service.clock import utcnow
from prodex.service.credits import refund_within
from prodex.service.import_jobs import IMPORT_EXPAND_TASK, defer_lanes, guarded_items
from prodex.service.import_runner import ImportRunner
from prodex.settings import Settings
from prodex.store import imports as repo
from prodex.store.db import Database

NO_ANALYSIS_MSG = (
    "URL analysis is switched off on this server (PRODEX_URL_ANALYSIS=false), so nothing can be imported."
)


def new_import_id() -> str:
    """A fresh opaque import id (96 random bits)."""
    return secrets.token_urlsafe(12)


@dataclass(frozen=True, slots=True)
class ImportSource:
    """What to import: exactly one of ``urls``, ``sitemap_url`` and ``store_url``."""

    urls: list[str] | None = None
    sitemap_url: str | None = None
    store_url: str | None = None
    url_pattern: str | None = None
    render: bool = False

    @property
    def kind(self) -> str:
        """``urls``, ``sitemap`` or ``store``."""
        if self.urls is not None:
            return "urls"
        return "sitemap" if self.sitemap_url else "store"


@dataclass(frozen=True, slots=True)
class ImportView:
    """An import with its item counts (and a page of its items when asked for)."""

    record: repo.ImportRecord
    counts: dict[str, int]
    items: list[repo.ItemRecord] = field(default_factory=list)
    items_total: int = 0


class Imports:
    """Imports of every account, one account at a time (see the module docstring)."""

    def __init__(
        self,
        settings: Settings,
        database: Database,
        queue: JobQueue,
        runner: ImportRunner,
        guard: URLGuard | None,
    ) -> None:
        self.settings = settings
        self.database = database
        self.queue = queue
        self.runner = runner
        self.guard = guard

    async def create(self, account_id: int, source: ImportSource) -> ImportView:
        """Create the import and queue its work; answers at once."""
        if self.guard is None:
            raise AnalysisUnavailable(NO_ANALYSIS_MSG)
        job_id = new_import_id()
        if source.urls is not None and len(source.urls) > self.settings.import_max_urls:
            raise InvalidParameter(
                f"urls: at most {self.settings.import_max_urls} URLs per import on this server.", field="urls"
            )
        if source.urls is not None:
            items = guarded_items(self.guard, source.urls)
            await self.database.run_in_transaction(self._insert, job_id, account_id, source, "", items)
            await defer_lanes(self.settings, self.database, self.queue, job_id)
            if not any(item.error_code is None for item in items):
                await self.runner.complete(job_id)
        else:
            address = source.sitemap_url or source.store_url or ""
            target = self._check(address, "sitemap_url" if source.sitemap_url else "store_url")
            await self.database.run_in_transaction(self._insert, job_id, account_id, source, target, [])
            await self.queue.defer(IMPORT_EXPAND_TASK, {"job_id": job_id})
        return await self.get(account_id, job_id, page_size=0)

    def _check(self, url: str, name: str) -> str:
        """The canonical form of a sitemap or store address; 40000 naming the field when refused."""
        assert self.guard is not None
        try:
            return self.guard.check_url(url).url
        except URLRefused as error:
            raise InvalidParameter(f"{name}: {error.msg}", field=name) from None

    def _insert(
        self,
        conn: Connection,
        job_id: str,
        account_id: int,
        source: ImportSource,
        address: str,
        items: list[repo.NewItem],
    ) -> None:
        now = utcnow()
        repo.insert_import(
            conn,
            job_id=job_id,
            account_id=account_id,
            source_kind=source.kind,
            source=address,
            url_pattern=source.url_pattern,
            render=source.render,
            now=now,
        )
        repo.insert_items(conn, job_id, items, now, lanes=self.settings.import_host_concurrency)

    async def get(
        self, account_id: int, job_id: str, *, page: int = 1, page_size: int = 100, status: str | None = None
    ) -> ImportView:
        """One import of the account with a page of its items (``page_size`` 0: none)."""

        def read() -> ImportView:
            with self.database.read() as conn:
                record = repo.get_import(conn, account_id, job_id)
                if record is None:
                    raise RecordNotFound(f"Import {job_id!r} not found.")
                counts = repo.item_counts(conn, [job_id])[job_id]
                items: list[repo.ItemRecord] = []
                if page_size:
                    items = repo.page_items(
                        conn, job_id, limit=page_size, offset=(page - 1) * page_size, status=status
                    )
                items_total = repo.count_items(conn, job_id, status) if status else sum(counts.values())
            return ImportView(record, counts, items, items_total)

        return await self.database.run(read)

    async def page(self, account_id: int, *, page: int, page_size: int) -> tuple[list[ImportView], int]:
        """One page of the account's imports, newest first, and how many it has."""

        def read() -> tuple[list[ImportView], int]:
            with self.database.read() as conn:
                total = repo.count_imports(conn, account_id)
                records = repo.list_imports(conn, account_id, limit=page_size, offset=(page - 1) * page_size)
                counts = repo.item_counts(conn, [r.id for r in records])
            return [ImportView(r, counts[r.id]) for r in records], total

        return await self.database.run(read)

    async def retry(self, account_id: int, job_id: str) -> ImportView:
        """Queue the import's failed items again (and only those)."""

        def requeue(conn: Connection) -> int:
            record = repo.get_import(conn, account_id, job_id, lock=True)
            if record is None:
                raise RecordNotFound(f"Import {job_id!r} not found.")
            if record.status == "cancelled":
                raise InvalidParameter("This import was cancelled; start a new import instead.")
            count = repo.requeue_failed(conn, job_id)
            if count:
                repo.set_import(conn, job_id, utcnow(), status="running", finished_at=None)
            return count

        if await self.database.run_in_transaction(requeue):
            await defer_lanes(self.settings, self.database, self.queue, job_id)
        return await self.get(account_id, job_id, page_size=0)

    async def cancel(self, account_id: int, job_id: str) -> ImportView:
        """Cancel the items that have not started (refunding any charge they hold); items already
        running finish. A finished import stays as it is."""

        if await self.database.run_in_transaction(cancel_within, account_id, job_id):
            await self.runner.publish_completed(job_id)
        return await self.get(account_id, job_id, page_size=0)


def cancel_within(conn: Connection, account_id: int, job_id: str) -> bool:
    """Cancel the account's import ``job_id`` inside an open write transaction: its items that
    have not started are cancelled and the charges they hold refunded; whether it was cancelled
    now (``False``: it had ended). :class:`RecordNotFound` when the account has no such import."""
    record = repo.get_import(conn, account_id, job_id, lock=True)
    if record is None:
        raise RecordNotFound(f"Import {job_id!r} not found.")
    if record.status in ("done", "cancelled"):
        return False
    now = utcnow()
    for charge_id in repo.cancel_queued(conn, job_id, now):
        refund_within(conn, charge_id, "import-item cancelled")
    repo.set_import(conn, job_id, now, status="cancelled", finished_at=now)
    return True
