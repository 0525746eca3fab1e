"""The work of an import, run as queue jobs: ``import_lane`` jobs, a chain per host lane, each
running the lane's next item (see :mod:`prodex.service.politeness`), and one ``import_expand`` job
that lists the URLs of a sitemap or a store first.

An item runs as ``POST /v2/product`` with its URL does, in the same order:

    the host's turn (politeness) -> one of the plan's analysis slots (waiting, not refusing)
    -> the charge (once per item run: kept on the item, so a job that runs again after a crash
    or a 429/503 pause never charges again) -> the URL guard and the analysis within
    Settings.analysis_deadline_seconds -> the product stored and the item marked ``done`` in one
    transaction; or the charge refunded and the item marked ``failed`` with the error's business
    code and message, in one transaction.

A 429 or 503 from the shop slows the host (:mod:`prodex.service.politeness`) and puts the item
back in the queue for later, up to ``PRODEX_IMPORT_ITEM_ATTEMPTS`` runs. A job cut off by a
shut-down leaves its item ``queued`` (charge kept) and runs again. When the last item of an
import ends, the import is ``done`` (exactly one worker sees it happen) and
:class:`~prodex.jobs.events.ImportCompleted` is published; every ended item publishes
:class:`~prodex.jobs.events.ImportItemFinished`.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection

from prodex.analysis.analyzer import Analyzer
from prodex.analysis.catalogue import sitemap_products, store_products
from prodex.errors import AnalysisUnavailable, ProdexError
from prodex.extract.model import Product
from prodex.jobs import EventHub, ImportCompleted, ImportItemFinished, JobQueue, RetryLater
from prodex.media.service import MediaService
from prodex.service.analysis import analyse_within
from prodex.service.clock import utcnow
from prodex.service.credits import charge_within, refund_within
from prodex.service.politeness import HostPace
from prodex.service.products import new_product_id
from prodex.service.slots import AnalysisSlots
from prodex.settings import Settings
from prodex.store import imports as repo
from prodex.store import products as product_repo
from prodex.store.accounts import get_account
from prodex.store.db import Database

log = logging.getLogger(__name__)
CHARGE_REASON = "import-item"
NO_ANALYSIS_MSG = "URL analysis is switched off on this server, so import items cannot be analysed."
#: Upstream answers that mean "slow down": the item waits and runs again.
SLOW_DOWN_STATUSES = frozenset({429, 503})


@dataclass(frozen=True, slots=True)
class _Started:
    """An item that may run now, with what the run needs."""

    item: repo.ItemRecord
    account_id: int
    render: bool


class ImportRunner:
    """Runs the items of imports (see the module docstring); a job resource of every worker."""

    def __init__(
        self,
        settings: Settings,
        database: Database,
        slots: AnalysisSlots,
        analyzer: Analyzer | None,
        events: EventHub,
        queue_of: Callable[[], JobQueue],
        media: MediaService | None = None,
    ) -> None:
        self.settings = settings
        self.queue_of = queue_of
        self.database = database
        self.slots = slots
        self.analyzer = analyzer
        self.events = events
        self.media = media
        """Checks and stores the media of the items' products (``None``: they keep their shops' URLs)."""
        self.media_base_url = settings.public_base_url
        """Where stored media are served; without it (no request to take it from), an imported
        product keeps its shop's media URLs."""
        self.pace = HostPace(settings, database)

    async def expand(self, job_id: str, *, last_attempt: bool) -> None:
        """List the product URLs of a sitemap or store import and queue them as its items;
        idempotent (an import listed before only has its queued items deferred again). A failure
        that may pass (the shop's 5xx, a timeout) is retried by the queue; on the last attempt,
        or for any other failure, the import ends ``done`` with the error and no items."""
        from prodex.service.import_jobs import defer_lanes, guarded_items

        record = await self.database.run(self._import, job_id)
        if record is None or record.status != "queued":
            return
        if record.total == 0:
            try:
                urls = await self._catalogue(record)
            except ProdexError as error:
                if error.retryable and not last_attempt:
                    raise
                now = utcnow()
                await self.database.run_in_transaction(
                    repo.set_import,
                    job_id,
                    now,
                    status="done",
                    finished_at=now,
                    error_code=error.code,
                    error_msg=error.msg,
                )
                await self.publish_completed(job_id)
                return
            assert self.analyzer is not None
            items = guarded_items(self.analyzer.fetcher.guard, urls)
            await self.database.run_in_transaction(
                repo.insert_items, job_id, items, utcnow(), lanes=self.settings.import_host_concurrency
            )
        if not await defer_lanes(self.settings, self.database, self.queue_of(), job_id):
            await self.complete(job_id)

    async def _catalogue(self, record: repo.ImportRecord) -> list[str]:
        """The product page URLs of a sitemap or store import."""
        if self.analyzer is None:
            raise AnalysisUnavailable(NO_ANALYSIS_MSG)
        limit = self.settings.import_max_urls
        fetcher = self.analyzer.fetcher
        if record.source_kind == "sitemap":
            pattern = re.compile(record.url_pattern) if record.url_pattern else None
            return await sitemap_products(fetcher, record.source, pattern, limit)
        _platform, urls = await store_products(fetcher, record.source, limit)
        return urls

    def _import(self, job_id: str) -> repo.ImportRecord | None:
        with self.database.read() as conn:
            return repo.get_import(conn, None, job_id)

    async def run_lane(self, job_id: str, host: str, lane: int, job_ref: str, attempt: int) -> bool:
        """Run the next item of a host lane for the queue job ``job_ref``; whether there was one
        (the lane's next job is then deferred)."""

        def pick(conn: Connection) -> int | None:
            return repo.next_lane_item(conn, job_id, host, lane, job_ref)

        item_id = await self.database.run_in_transaction(pick)
        if item_id is None:
            return False
        await self.run_item(item_id, job_ref, attempt)
        return True

    async def run_item(self, item_id: int, job_ref: str, attempt: int) -> None:
        """Run one item for the queue job ``job_ref`` (its ``attempt``-th run); idempotent."""
        loaded = await self.database.run_in_transaction(self._prepare, item_id, job_ref)
        if loaded is None:
            return
        _item, account_id, plan_name, turn = loaded
        await self.pace.wait_until(turn)
        plan = self.settings.plan(plan_name)
        async with self.slots.wait_for(account_id, plan.concurrent_analyses):
            try:
                started = await self.database.run_in_transaction(
                    self._start, item_id, job_ref, plan.credits_per_analysis
                )
            except ProdexError as error:  # 18020: not enough credit (nothing was charged)
                await self._fail(item_id, error)
                return
            if started is None:
                return
            await self._analyse(started, attempt)

    async def _analyse(self, started: _Started, attempt: int) -> None:
        item = started.item
        try:
            product = await self._product_of(item.url, started.render)
        except asyncio.CancelledError:
            await asyncio.shield(self.database.run_in_transaction(_requeue, item.id))
            raise
        except ProdexError as error:
            status = getattr(error, "upstream_status", None)
            if status in SLOW_DOWN_STATUSES and attempt < self.settings.import_item_attempts:
                spacing = await self.pace.slowed(item.host)
                await self.database.run_in_transaction(_requeue, item.id)
                raise RetryLater(spacing, f"the shop answered {status}") from error
            await self._fail(item.id, error)
            return
        except Exception:
            log.exception("import item %s failed unexpectedly", item.id)
            await self._fail(item.id, ProdexError())
            return
        product_id, over = await self._save(item, started.account_id, product)
        await self.pace.eased(item.host)
        await self.events.publish(ImportItemFinished(started.account_id, item.job_id, item.url, product_id))
        if over:
            await self.publish_completed(item.job_id)

    async def _save(self, item: repo.ItemRecord, account_id: int, product: Product) -> tuple[str, bool]:
        """Store the item's product (with its media checked and stored, when a media store and
        :attr:`media_base_url` are set) and mark the item done; the product id and whether the
        import is over."""
        product_id = new_product_id()
        if self.media is None or not self.media_base_url:
            return await self.database.run_in_transaction(
                self._store, item.id, item.job_id, account_id, product, product_id
            )
        prepared = await self.media.prepare(product.media, self.media_base_url)
        stored = product.model_copy(update={"media": prepared.media})
        return await self.media.store_with(
            product_id,
            prepared,
            lambda: self.database.run_in_transaction(
                self._store, item.id, item.job_id, account_id, stored, product_id
            ),
        )

    async def _product_of(self, url: str, render: bool) -> Product:
        """Guard and analyse ``url`` within the analysis deadline."""
        if self.analyzer is None:
            raise AnalysisUnavailable(NO_ANALYSIS_MSG)
        target = self.analyzer.fetcher.guard.check_url(url)
        deadline = self.settings.analysis_deadline_seconds
        return (await analyse_within(self.analyzer, target.url, render, deadline)).product

    async def _fail(self, item_id: int, error: ProdexError) -> None:
        """Refund the item's charge and mark it failed with the error; publish and complete."""
        ended = await self.database.run_in_transaction(_failed, item_id, error.code, error.msg)
        if ended is None:
            return
        item, over = ended
        account_id = await self._account_of(item.job_id)
        await self.events.publish(
            ImportItemFinished(account_id, item.job_id, item.url, None, error.code, error.msg)
        )
        if over:
            await self.publish_completed(item.job_id)

    async def complete(self, job_id: str) -> None:
        """Mark the import done when its last item ended, and publish it (once)."""
        if not await self.database.run_in_transaction(repo.complete_if_over, job_id, utcnow()):
            return
        await self.publish_completed(job_id)

    async def publish_completed(self, job_id: str) -> None:
        """Publish :class:`ImportCompleted` with the import's counts."""

        def read(conn: Connection) -> tuple[repo.ImportRecord | None, dict[str, int]]:
            return repo.get_import(conn, None, job_id), repo.item_counts(conn, [job_id])[job_id]

        record, counts = await self.database.run_in_transaction(read)
        if record is None:
            return
        await self.events.publish(
            ImportCompleted(
                account_id=record.account_id,
                job_id=job_id,
                status=record.status,
                total=record.total,
                succeeded=counts.get("done", 0),
                failed=counts.get("failed", 0),
                cancelled=counts.get("cancelled", 0),
            )
        )

    @staticmethod
    def _may_run(item: repo.ItemRecord, job_ref: str) -> bool:
        """Queued items run; a running one only for the job that started it (after a crash)."""
        return item.status == "queued" or (item.status == "running" and item.job_ref == job_ref)

    def _prepare(
        self, conn: Connection, item_id: int, job_ref: str
    ) -> tuple[repo.ItemRecord, int, str, float] | None:
        """The item (when it may run), its account and plan, and its booked turn on the host: one
        transaction."""
        item = repo.get_item(conn, item_id)
        if item is None or not self._may_run(item, job_ref):
            return None
        record = repo.get_import(conn, None, item.job_id)
        account = get_account(conn, record.account_id) if record is not None else None
        if account is None:
            return None
        return item, account.id, account.plan, self.pace.book(conn, item.host)

    async def _account_of(self, job_id: str) -> int:
        def read() -> int:
            with self.database.read() as conn:
                record = repo.get_import(conn, None, job_id)
            return record.account_id if record is not None else 0

        return await self.database.run(read)

    def _start(self, conn: Connection, item_id: int, job_ref: str, cost: int) -> _Started | None:
        """Charge the item (unless its run holds a charge already) and mark it running."""
        item = repo.get_item(conn, item_id, lock=True)
        if item is None or not self._may_run(item, job_ref):
            return None
        record = repo.get_import(conn, None, item.job_id)
        if record is None or record.status == "cancelled":
            return None
        now = utcnow()
        repo.mark_running(conn, item.job_id, now)
        charge_id = item.charge_id
        if charge_id is None:  # the account's row stays locked from here to the commit: keep it short
            ref = f"import:{item.job_id}:{item.position}"
            charge_id = charge_within(conn, record.account_id, cost, CHARGE_REASON, ref)
        repo.update_item(
            conn,
            item_id,
            status="running",
            charge_id=charge_id,
            job_ref=job_ref,
            attempts=item.attempts + 1,
            started_at=now,
        )
        return _Started(item=item, account_id=record.account_id, render=record.render)

    @staticmethod
    def _store(
        conn: Connection, item_id: int, job_id: str, account_id: int, product: Product, product_id: str
    ) -> tuple[str, bool]:
        """Store the product and mark the item done (and the import, when it was its last item),
        in one transaction; returns the product id and whether the import is over."""
        now = utcnow()
        product_repo.insert_product(
            conn, product_id=product_id, account_id=account_id, product=product, now=now
        )
        repo.update_item(conn, item_id, status="done", product_id=product_id, finished_at=now)
        return product_id, repo.complete_if_over(conn, job_id, now)


def _requeue(conn: Connection, item_id: int) -> None:
    """Put a started item back in the queue, keeping its charge (it runs again later)."""
    repo.update_item(conn, item_id, status="queued")


def _failed(conn: Connection, item_id: int, code: int, msg: str) -> tuple[repo.ItemRecord, bool] | None:
    """Refund the item's charge and mark it failed (and the import done when it was its last
    item); ``None`` when the item had ended already, else the item and whether the import is over."""
    item = repo.get_item(conn, item_id, lock=True)
    if item is None or item.status in repo.FINAL_ITEM_STATES:
        return None
    if item.charge_id is not None:
        refund_within(conn, item.charge_id, "import-item failed")
    now = utcnow()
    repo.update_item(conn, item_id, status="failed", error_code=code, error_msg=msg, finished_at=now)
    return item, repo.complete_if_over(conn, item.job_id, now)
