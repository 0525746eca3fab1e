"""Extraction off the event loop: a pool of worker processes (or threads) running extract_product.

Extraction is pure CPU work (parse, read, merge): run on the event loop it would stall every
other request for as long as a page takes. The process pool gives real parallelism and keeps
the loop free; the thread pool is the fallback where processes cannot be used (it keeps the
loop responsive through the interpreter's switch interval, but does not add parallelism).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections.abc import Callable, Mapping
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any, Literal, TypeVar

from prodex.extract import Product, extract_product

PoolKind = Literal["process", "thread"]
T = TypeVar("T")


def _warm_up() -> int:
    """Import and exercise the extractor once so the first real page pays no start-up cost."""
    extract_product(
        "<html><head><title>warm-up</title></head><body><h1>x</h1></body></html>", "https://a.example/"
    )
    return os.getpid()


def _extract(html: str | bytes, url: str, platform_data: Mapping[str, Any] | None) -> Product:
    """The worker-side call (module level so that it pickles)."""
    if platform_data:
        return extract_product(html, url, platform_data=platform_data)
    return extract_product(html, url)


class ExtractionPool:
    """Runs :func:`prodex.extract.extract_product` in worker processes or threads."""

    def __init__(self, workers: int = 0, kind: PoolKind = "process") -> None:
        self.workers = workers if workers > 0 else max(1, os.cpu_count() or 1)
        self.kind: PoolKind = kind
        self._executor: Executor | None = None

    def _create(self) -> Executor:
        if self.kind == "process":
            # forkserver/spawn: never fork a process that runs threads and an event loop.
            context = multiprocessing.get_context("forkserver")
            return ProcessPoolExecutor(max_workers=self.workers, mp_context=context)
        return ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="prodex-extract")

    def _ensure(self) -> Executor:
        if self._executor is None:
            self._executor = self._create()
        return self._executor

    async def start(self) -> None:
        """Start the workers and warm each one up (imports, first parse), so that the first pages
        pay no start-up cost; :meth:`extract` also starts them on demand."""
        executor = self._ensure()
        loop = asyncio.get_running_loop()
        await asyncio.gather(*(loop.run_in_executor(executor, _warm_up) for _ in range(self.workers)))

    async def extract(
        self, html: str | bytes, url: str, platform_data: Mapping[str, Any] | None = None
    ) -> Product:
        """The product of one page, extracted in a worker."""
        data = dict(platform_data) if platform_data else None
        return await self._loop_call(_extract, html, url, data)

    async def _loop_call(self, function: Callable[..., T], *args: Any) -> T:
        """``function(*args)`` in a worker (starting the pool when needed)."""
        return await asyncio.get_running_loop().run_in_executor(self._ensure(), function, *args)

    def close(self) -> None:
        """Stop the workers (running extractions are abandoned)."""
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
