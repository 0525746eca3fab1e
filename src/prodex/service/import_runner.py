"""The work of an import, run as queue jobs: ``import_lane`` jobs, a chain per host lane, each
running the lane's next items one after the other (see :mod:`prodex.service.politeness`), and one
``import_expand`` job that lists the URLs of a sitemap or a store first.

An item runs as ``POST /v2/product`` with its URL does, in the same order:

    one of the plan's analysis slots (waiting, not refusing) -> the host's turn (politeness) ->
    the charge (once per item run: kept on the item, so a job that runs again after a crash
    or a 429/503 pause never charges again) -> the URL guard and the analysis within
    Settings.analysis_deadline_seconds -> the product stored and the item marked ``done`` in one
    transaction; or the charge refunded and the item marked ``failed`` with the error's business
    code and message, in one transaction.

The item, its turn and its start (running and charged) are one transaction when the turn is due
(:func:`prodex.service.import_steps.claim_group`); an item whose turn is later gives its slot back
while it waits. On a host whose starts need no spacing, a lane claims its next item (turn and
start) while the current one is analysed, and that item takes its slot when it runs; an item's
product is stored while the next one is analysed (see :meth:`ImportRunner.run_lane`). A lane's job
runs items for :data:`LANE_RUN_SECONDS` to :data:`LANE_RUN_SPREAD` times it, then the lane goes on
in its next job (so other jobs with the lane's lock wait at most that long).

A 429 or 503 from the shop slows the host (:mod:`prodex.service.politeness`) and puts the item
back in the queue: the lane's next job runs it after the pause, up to ``PRODEX_IMPORT_ITEM_ATTEMPTS``
runs. A job cut off by a shut-down leaves its item ``queued`` (charge kept) and runs again; an item
left ``running`` by a job that was cut off (a killed worker) is taken up by the lane's next job.
Once the worker stops (:attr:`ImportRunner.stopping`), a lane's job starts no new item. When a
lane finds nothing left to run, the import is ``done`` if every item ended (exactly one worker sees
it happen) and :class:`~prodex.jobs.events.ImportCompleted` is published; every ended item
publishes :class:`~prodex.jobs.events.ImportItemFinished`.
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection

from prodex.analysis.analyzer import Analyzer
from prodex.analysis.catalogue import sitemap_products, store_products
from prodex.errors import AnalysisUnavailable, ProdexError
from prodex.extract.model import Product
from prodex.jobs import EventHub, ImportCompleted, ImportItemFinished, JobQueue
from prodex.media.service import MediaService
from prodex.service import import_steps as steps
from prodex.service.analysis import analyse_within
from prodex.service.clock import utcnow
from prodex.service.politeness import HostPace
from prodex.service.products import new_product_id
from prodex.service.slots import AnalysisSlots
from prodex.settings import Settings
from prodex.store import imports as repo
from prodex.store.accounts import get_account
from prodex.store.db import Database
from prodex.store.grouped import TransactionGroups

log = logging.getLogger(__name__)
NO_ANALYSIS_MSG = "URL analysis is switched off on this server, so import items cannot be analysed."
#: Upstream answers that mean "slow down": the item waits and runs again.
SLOW_DOWN_STATUSES = frozenset({429, 503})
#: How long one job of a lane runs the lane's items before the lane goes on in a new job: at least
#: this, at most :data:`LANE_RUN_SPREAD` times this (drawn per job, so that an import's lanes,
#: started together, do not all change jobs at the same moment and queue on the job queue).
LANE_RUN_SECONDS = 5.0
LANE_RUN_SPREAD = 1.5
#: How many imports' accounts and plans a worker keeps (see ``ImportRunner._remember_owner``).
MAX_REMEMBERED_OWNERS = 1024
#: A lane: ``(import id, host, lane number)``.
Lane = tuple[str, str, int]


class ItemNotRunning(Exception):
    """An item's product was not stored: the item had ended (or gone back to the queue) meanwhile."""


@dataclass(slots=True)
class LaneRun:
    """One job's run of a lane: the lane, the job, the import's account and plan limit; the end
    of the last analysed item (its product stored while the lane goes on) and the claim of the
    lane's next item (made while the current item is analysed)."""

    lane: Lane
    job_ref: str
    account_id: int
    limit: int
    ending: tuple[int, asyncio.Task[None]] | None = None
    """The item whose product is being stored, and the task storing it (it holds the item's
    analysis slot until it ends)."""
    next_claim: asyncio.Task[steps.Claim | None] | None = None
    """The claim of the lane's next item, made ahead (it holds no slot: the item takes one when
    it runs)."""

    @property
    def ending_item(self) -> int:
        """The id of the item whose end is being written (``repo.NO_ITEM`` when none)."""
        return self.ending[0] if self.ending is not None else repo.NO_ITEM

    async def ended(self) -> None:
        """Wait until the last analysed item's end is written (shielded, so a cut-off job does
        not cut it off); raises what writing it raised."""
        if self.ending is not None:
            await asyncio.shield(self.ending[1])


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
        self._writes: TransactionGroups[steps.LaneWrite, steps.WriteResult] = TransactionGroups(
            database, self._write_group, on_abandoned=self._unclaim
        )
        """Concurrent lanes claim (and start) their next items and store their items' products in
        shared transactions (see :func:`prodex.service.import_steps.write_group`)."""
        self._owners: dict[str, tuple[int, str]] = {}
        """The account and plan name of recent imports (by import id), as their last claim read
        them: a lane's job starts without reading them again."""
        self.stopping = False
        """Set while the worker shuts down: a lane's job starts no new item (the lane goes on in
        its next job)."""

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

    async def run_lane(self, job_id: str, host: str, lane: int, job_ref: str) -> float | None:
        """Run the lane's next items, one after the other, for the queue job ``job_ref`` during
        about :data:`LANE_RUN_SECONDS`. Returns ``None`` when the lane is over (the import is then
        completed, when it is), else the seconds after which the lane's next job runs (0: at once;
        more: a pause after a 429/503).

        On a host whose starts need no spacing, the lane's next item is claimed (started and
        charged) while an item is analysed; the item's product is then stored while the next item
        is analysed (one such end at a time; with media stored, before the next analysis). So the
        lane's requests to the shop follow each other without waiting for the database, and the
        shop still sees one analysis of the lane at a time. The job ends only after its last
        item's end is written; an item claimed ahead that the job does not run (it stops, the
        item before it failed or went back to the queue) goes back to the queue with its charge,
        its run not counted."""
        owner = self._owners.get(job_id) or await self.database.run(self._owner, job_id)
        if owner is None:
            return None
        account_id, plan = owner
        run = LaneRun((job_id, host, lane), job_ref, account_id, self.settings.plan(plan).concurrent_analyses)
        until = time.monotonic() + LANE_RUN_SECONDS * random.uniform(1.0, LANE_RUN_SPREAD)
        try:
            while True:
                if self.stopping:
                    pause: float | None = 0.0
                    break
                pause = await self._run_next(run, claim_ahead=time.monotonic() < until)
                if pause is None or pause > 0 or (run.next_claim is None and time.monotonic() >= until):
                    break
        finally:
            try:
                await self._drop_next_claim(run)
            finally:
                await run.ended()
        if pause is None:
            await self.complete(job_id)
        return pause

    def _owner(self, job_id: str) -> tuple[int, str] | None:
        """The import's account and its plan's name, read."""
        with self.database.read() as conn:
            record = repo.get_import(conn, None, job_id)
            account = get_account(conn, record.account_id) if record is not None else None
        if account is None:
            return None
        return account.id, account.plan

    def _remember_owner(self, lane_item: repo.LaneItem) -> None:
        """Keep the account and plan a claim read with the item, for the import's next lane job
        (a worker's cache of recent imports, so that a lane job does not read them again)."""
        if len(self._owners) >= MAX_REMEMBERED_OWNERS and lane_item.item.job_id not in self._owners:
            self._owners.clear()
        self._owners[lane_item.item.job_id] = (lane_item.account_id, lane_item.plan)

    def _cost_of(self, plan_name: str) -> int:
        return self.settings.plan(plan_name).credits_per_analysis

    def _write_group(self, conn: Connection, requests: Sequence[steps.LaneWrite]) -> list[steps.WriteResult]:
        return steps.write_group(conn, requests, self.pace.book_hosts, self._cost_of)

    async def _unclaim(self, written: steps.WriteResult) -> None:
        """A lane went away (shut-down) while its claim ran: put a started item back in the queue
        (its run not counted: it was never analysed)."""
        if isinstance(written, steps.Claim) and written.started:
            await self._put_back(written)

    async def _put_back(self, claimed: steps.Claim) -> None:
        """Put a started item that was never analysed back in the queue, its charge kept and its
        run not counted (shielded: a cut-off job still puts it back)."""
        await asyncio.shield(
            self.database.run_in_transaction(steps.requeue, claimed.item.id, claimed.job_ref, ran=False)
        )

    async def _claim(self, request: steps.ClaimRequest) -> steps.Claim | None:
        """Claim the lane's next item in the next group of writes (see ``claim_group``)."""
        claimed = await self._writes.run(request)
        assert claimed is None or isinstance(claimed, steps.Claim)
        return claimed

    async def _claim_with_slot(self, run: LaneRun) -> steps.Claim | None:
        """Take one of the account's slots, then claim the lane's next item (skipping the item
        whose end is being written); the slot is kept when an item comes back."""
        await self.slots.take(run.account_id, run.limit)
        try:
            claimed = await self._claim(steps.ClaimRequest(run.lane, run.job_ref, run.ending_item))
        except BaseException:
            self.slots.release(run.account_id)
            raise
        if claimed is None:
            self.slots.release(run.account_id)
        return claimed

    async def _claim_ahead(
        self, run: LaneRun, running: int, before: asyncio.Task[None] | None
    ) -> steps.Claim | None:
        """Claim the lane's next item while ``running`` is analysed (skipped), once ``before``,
        the end of the item before it, is written (else that item, still running, would be taken
        up as if its job had been cut off); raises what writing that end raised."""
        if before is not None:
            await asyncio.shield(before)
        return await self._claim(steps.ClaimRequest(run.lane, run.job_ref, running))

    async def _drop_next_claim(self, run: LaneRun) -> None:
        """The job does not run the item it claimed ahead: put it back in the queue with its
        charge, its run not counted. The claim is waited for, never cut off: cut off in its group,
        it would be put back later (:meth:`_unclaim`), maybe after this job took the item up again
        with its next claim."""
        task, run.next_claim = run.next_claim, None
        if task is None:
            return
        await asyncio.wait({task})
        if task.cancelled():
            return
        if (error := task.exception()) is not None:
            log.warning("import lane %s: the claim of its next item failed: %r", run.lane, error)
            return
        claimed = task.result()
        if claimed is not None and claimed.started:
            await self._put_back(claimed)

    async def _next_claim(self, run: LaneRun) -> steps.Claim | None:
        """The lane's next item, holding one of the account's slots: the item claimed ahead, else
        one claimed now. Once it holds its slot, an item claimed ahead is put back (its run not
        counted) and the lane claims afresh when its host must now be spaced or its import was
        cancelled meanwhile (it is then cancelled and refunded, as a waiting item is). Until it
        runs, it stays :attr:`LaneRun.next_claim`: a job cut off meanwhile puts it back."""
        ahead = run.next_claim
        if ahead is None:
            return await self._claim_with_slot(run)
        claimed = await asyncio.shield(ahead)
        if claimed is None:
            run.next_claim = None
            return None
        await self.slots.take(run.account_id, run.limit)
        try:
            may_run = not claimed.started or await self._may_run_ahead(claimed)
            if not may_run:
                await self._put_back(claimed)
        except BaseException:
            self.slots.release(run.account_id)
            raise
        run.next_claim = None
        if may_run:
            return claimed
        self.slots.release(run.account_id)
        return await self._claim_with_slot(run)

    async def _may_run_ahead(self, claimed: steps.Claim) -> bool:
        """Whether an item claimed ahead may run now: its host needs no spacing and its import
        was not cancelled since the claim (a read)."""
        if self.pace.spaced(claimed.item.host):
            return False
        record = await self.database.run(self._import, claimed.item.job_id)
        return record is not None and record.status != "cancelled"

    async def _run_next(self, run: LaneRun, *, claim_ahead: bool) -> float | None:
        """Run the lane's next item holding one of the account's slots; ``None`` when the lane is
        over, else the pause before the lane goes on. With ``claim_ahead`` (and a host whose
        starts need no spacing), the item after it is claimed while it is analysed
        (:attr:`LaneRun.next_claim`). An analysed item's product is stored by a task
        (:attr:`LaneRun.ending`) that keeps the item's slot until it ends."""
        account_id, limit = run.account_id, run.limit
        claimed = await self._next_claim(run)
        if claimed is None:
            return None
        held = True
        try:
            self._remember_owner(claimed.lane_item)
            if not claimed.started and claimed.error is None:  # a later turn: wait without the slot
                self.slots.release(account_id)
                held = False
                await self.pace.wait_until(claimed.turn)
                await self.slots.take(account_id, limit)
                held = True
                request = steps.ClaimRequest(run.lane, run.job_ref, run.ending_item)
                claimed = await self.database.run_in_transaction(
                    steps.start, request, claimed.item.id, claimed.turn, self._cost_of
                )
                if claimed is None:
                    return 0.0
            if claimed.error is not None:
                await self._fail(claimed.item.id, account_id, claimed.error)
                return 0.0
            if self._stores_media:
                await run.ended()  # media are fetched too: the next analysis waits for them
            if claim_ahead and not self.stopping and not self.pace.spaced(run.lane[1]):
                before = run.ending[1] if run.ending is not None else None
                run.next_claim = asyncio.create_task(self._claim_ahead(run, claimed.item.id, before))
            product = await self._analyse(claimed)
            if not isinstance(product, Product):  # failed, or back in the queue: claim afresh
                await self._drop_next_claim(run)
                return product
            await run.ended()  # one end at a time per lane
            run.ending = (claimed.item.id, asyncio.create_task(self._end(claimed, product)))
            held = False
            return 0.0
        finally:
            if held:
                self.slots.release(account_id)

    @property
    def _stores_media(self) -> bool:
        """Whether an item's end fetches and stores its product's media."""
        return self.media is not None and bool(self.media_base_url)

    async def _end(self, claimed: steps.Claim, product: Product) -> None:
        """:meth:`_finish` the item, then give its analysis slot back."""
        try:
            await self._finish(claimed, product)
        finally:
            self.slots.release(claimed.lane_item.account_id)

    async def _analyse(self, claimed: steps.Claim) -> Product | float:
        """Analyse a started item: its product; else (the item failed, or went back to the queue
        after a 429/503) the pause before its lane goes on."""
        item = claimed.item
        try:
            return await self._product_of(item.url, claimed.lane_item.render)
        except asyncio.CancelledError:
            await asyncio.shield(self.database.run_in_transaction(steps.requeue, item.id, claimed.job_ref))
            raise
        except ProdexError as error:
            return await self._analysis_failed(claimed, error)
        except Exception:
            log.exception("import item %s failed unexpectedly", item.id)
            await self._fail(item.id, claimed.lane_item.account_id, ProdexError())
            return 0.0

    async def _analysis_failed(self, claimed: steps.Claim, error: ProdexError) -> float:
        """A 429/503 slows the host and queues the item again (while it has runs left); any other
        error fails the item. Returns the pause before the lane goes on."""
        item = claimed.item
        status = getattr(error, "upstream_status", None)
        if status in SLOW_DOWN_STATUSES and item.attempts + 1 < self.settings.import_item_attempts:
            spacing = await self.pace.slowed(item.host)
            await self.database.run_in_transaction(steps.requeue, item.id, claimed.job_ref)
            log.info("import item %s: the shop answered %s; again in %.1f s", item.id, status, spacing)
            return spacing
        await self._fail(item.id, claimed.lane_item.account_id, error)
        return 0.0

    async def _finish(self, claimed: steps.Claim, product: Product) -> None:
        """Store the item's product, end the item and publish it. A product that cannot be stored
        fails the item with a refund, with the error ``POST /v2/product`` would answer (50000)."""
        item, account_id = claimed.item, claimed.lane_item.account_id
        try:
            product_id = await self._save(item, account_id, product)
        except Exception as error:
            log.exception("import item %s: its product could not be stored", item.id)
            await self._fail(item.id, account_id, error if isinstance(error, ProdexError) else ProdexError())
            return
        if product_id is None:  # the item had ended or gone back meanwhile: nothing stored
            return
        try:  # the item is done: what follows must not fail the lane's next item
            await self.pace.eased(item.host)
            await self.events.publish(ImportItemFinished(account_id, item.job_id, item.url, product_id))
        except Exception:
            log.exception("import item %s is done, but easing its host or publishing its end failed", item.id)

    async def _save(self, item: repo.ItemRecord, account_id: int, product: Product) -> str | None:
        """Store the item's product (with its media checked and stored, when a media store and
        :attr:`media_base_url` are set) and mark the item done; returns the product id, ``None``
        when the item no longer runs (nothing stored)."""
        product_id = new_product_id()
        try:
            if self.media is None or not self.media_base_url:
                return await self._store(steps.StoreRequest(item.id, account_id, product, product_id))
            prepared = await self.media.prepare(product.media, self.media_base_url)
            request = steps.StoreRequest(
                item.id, account_id, product.model_copy(update={"media": prepared.media}), product_id
            )
            return await self.media.store_with(product_id, prepared, lambda: self._store(request))
        except ItemNotRunning:
            return None

    async def _store(self, request: steps.StoreRequest) -> str:
        """Store one item's product in the next group; :class:`ItemNotRunning` when the item no
        longer runs (so that the media links made for it are settled)."""
        product_id = await self._writes.run(request)
        if product_id is None:
            raise ItemNotRunning(request.item_id)
        assert isinstance(product_id, str)
        return product_id

    async def _product_of(self, url: str, render: bool) -> Product:
        """Guard and analyse ``url`` within the analysis deadline."""
        if self.analyzer is None:
            raise AnalysisUnavailable(NO_ANALYSIS_MSG)
        target = self.analyzer.fetcher.guard.check_url(url)
        deadline = self.settings.analysis_deadline_seconds
        return (await analyse_within(self.analyzer, target.url, render, deadline)).product

    async def _fail(self, item_id: int, account_id: int, error: ProdexError) -> None:
        """Refund the item's charge and mark it failed with the error; publish it."""
        item = await self.database.run_in_transaction(steps.fail, item_id, error.code, error.msg)
        if item is not None:
            await self.events.publish(
                ImportItemFinished(account_id, item.job_id, item.url, None, error.code, error.msg)
            )

    async def complete(self, job_id: str) -> None:
        """Mark the import done when its last item ended, and publish it (once).

        Called when a lane finds nothing left to run, after its last item committed. A read
        first: while an item of the import waits or runs, its lane's job ends later and calls
        this again, so only the lanes that see every item ended take the import's row lock (at
        the end of an import, every lane ending queued on that lock, one commit after the other,
        before the last one could mark it done). Whichever lane's last item committed last reads
        every item ended, since its read starts after every other item's end committed."""
        if await self.database.run(self._unfinished, job_id):
            return
        if not await self.database.run_in_transaction(repo.complete_if_over, job_id, utcnow()):
            return
        self._owners.pop(job_id, None)
        await self.publish_completed(job_id)

    def _unfinished(self, job_id: str) -> bool:
        """Whether an item of the import waits or runs (a read)."""
        with self.database.read() as conn:
            return repo.has_unfinished_items(conn, job_id)

    async def publish_completed(self, job_id: str) -> None:
        """Publish :class:`ImportCompleted` with the import's counts."""

        def read() -> tuple[repo.ImportRecord | None, dict[str, int]]:
            with self.database.read() as conn:  # a read: no writer's turn taken
                return repo.get_import(conn, None, job_id), repo.item_counts(conn, [job_id])[job_id]

        record, counts = await self.database.run(read)
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
