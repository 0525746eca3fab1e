"""Page analysis off the event loop: supervised worker processes (or threads) run the CPU work.

Extraction, the page-kind decision and the app-shell test parse and walk the page: run on the
event loop they would stall every other request for as long as a page takes. The process pool
(:mod:`prodex.analysis.supervisor`) gives real parallelism, keeps the loop free, bounds the CPU
time of each page and replaces workers that die or overrun. The thread pool is the fallback
where processes cannot be used (no CPU bound, no parallelism, but the loop stays responsive).

CPU budget: a page's first analysis runs under ``cpu_budget`` seconds of CPU. A page that
passes it (pathological markup: nesting tens of thousands deep, attribute floods, misnested
formatting elements) is analysed once more with its markup bounded first
(:func:`prodex.extract.bound.bound_markup`), under the same budget; a page that passes that
too is refused (:class:`~prodex.errors.PageTooComplex`).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal

from prodex.analysis.page_work import PageAnalysis, analyse_page, warm_up
from prodex.analysis.supervisor import CpuBudgetExceeded, PoolStatus, PoolUnavailable, ProcessPool, WorkerDied
from prodex.errors import ExtractionUnavailable, PageTooComplex
from prodex.extract import Product

PoolKind = Literal["process", "thread"]
DEFAULT_CPU_BUDGET = 1.0
log = logging.getLogger(__name__)

WORKER_DIED_MSG = (
    "The worker analysing this page stopped unexpectedly (it may have run out of memory); "
    "nothing was charged, please retry."
)
UNAVAILABLE_MSG = "No page-analysis worker is available right now; nothing was charged, please retry shortly."
TOO_COMPLEX_MSG = (
    "This page's markup is too complex to analyse within {budget:g} s of CPU; "
    "enter the product by hand or send another page of it."
)


class ExtractionPool:
    """Runs page analyses (:func:`prodex.analysis.page_work.analyse_page`) in workers."""

    def __init__(
        self, workers: int = 0, kind: PoolKind = "process", cpu_budget: float = DEFAULT_CPU_BUDGET
    ) -> None:
        self.workers = workers if workers > 0 else max(1, os.cpu_count() or 1)
        self.kind: PoolKind = kind
        self.cpu_budget = cpu_budget
        self._processes: ProcessPool | None = None
        self._threads: ThreadPoolExecutor | None = None

    def _process_pool(self) -> ProcessPool:
        if self._processes is None or self._processes.status().closed:  # (a closed pool restarts)
            self._processes = ProcessPool(self.workers, warm_up=f"{warm_up.__module__}:{warm_up.__name__}")
        return self._processes

    def _thread_pool(self) -> ThreadPoolExecutor:
        if self._threads is None:
            self._threads = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="prodex-extract")
        return self._threads

    async def start(self) -> None:
        """Start the workers and warm each one up (imports, a first page), so that the first pages
        pay no start-up cost; :meth:`analyse` also starts them on demand."""
        if self.kind == "process":
            await self._process_pool().start()

    def status(self) -> PoolStatus | None:
        """The worker processes' status (``None`` for the thread pool)."""
        return self._processes.status() if self._processes is not None else None

    def worker_pids(self) -> list[int]:
        """The process ids of the live worker processes."""
        return self._processes.pids() if self._processes is not None else []

    async def analyse(
        self, html: str, url: str, platform_data: Mapping[str, Any] | None = None
    ) -> PageAnalysis:
        """Extract, classify and shell-test one page in a worker (see the module docstring)."""
        data = dict(platform_data) if platform_data else None
        if self.kind == "thread":
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._thread_pool(), analyse_page, html, url, data, False)
        pool = self._process_pool()
        try:
            try:
                return await pool.run(analyse_page, html, url, data, False, cpu_budget=self.cpu_budget)
            except CpuBudgetExceeded:
                log.warning(
                    "page %s passed the CPU budget (%g s); analysing its bounded markup", url, self.cpu_budget
                )
            try:
                return await pool.run(analyse_page, html, url, data, True, cpu_budget=self.cpu_budget)
            except CpuBudgetExceeded as exc:
                raise PageTooComplex(TOO_COMPLEX_MSG.format(budget=self.cpu_budget)) from exc
        except WorkerDied as exc:
            raise ExtractionUnavailable(WORKER_DIED_MSG) from exc
        except PoolUnavailable as exc:
            raise ExtractionUnavailable(UNAVAILABLE_MSG) from exc

    async def extract(self, html: str, url: str, platform_data: Mapping[str, Any] | None = None) -> Product:
        """The product of one page, extracted in a worker."""
        return (await self.analyse(html, url, platform_data)).product

    async def aclose(self) -> None:
        """Stop the workers: idle ones exit, busy ones are killed (their analyses are abandoned)."""
        if self._processes is not None:
            await self._processes.aclose()  # kept: its status says closed (/healthz: 503)
        self.close()

    def close(self) -> None:
        """Stop the workers without an event loop (kill and reap)."""
        if self._processes is not None:
            self._processes.close()
        if self._threads is not None:
            self._threads.shutdown(wait=False, cancel_futures=True)
            self._threads = None
