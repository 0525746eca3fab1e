"""The long-lived parts of URL analysis, built once per server and closed at shut-down.

One fetcher (shared with the renderer, so a page rendered after a static fetch is a cache hit),
one extraction worker pool, the Chromium renderer when PRODEX_RENDER is not ``off``, and the
analyzer that joins them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from prodex.analysis.analyzer import Analyzer
from prodex.analysis.platform_data import fetch_platform_data
from prodex.analysis.workers import ExtractionPool
from prodex.errors import Unhealthy
from prodex.fetch import Fetcher
from prodex.fetch.render import Renderer, render_mode
from prodex.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AnalysisRuntime:
    """The analyzer and the parts it owns."""

    analyzer: Analyzer
    fetcher: Fetcher
    pool: ExtractionPool
    renderer: Renderer | None


def pool_health(pool: ExtractionPool) -> Callable[[], Awaitable[str | None]]:
    """The ``workers`` check of /healthz: a summary of the worker processes; raises (503) while
    no worker can run (workers cannot start, or the pool is shutting down)."""

    async def check() -> str | None:
        status = pool.status()
        if status is None:
            return None  # threads
        summary = (
            f"{status.ready} ready, {status.busy} busy, {status.starting} starting of {status.size}; "
            f"{status.replaced} replaced"
        )
        if not status.can_run:
            raise Unhealthy(f"no extraction worker can run ({status.start_error or 'closed'}): {summary}")
        return f"ok: {summary}"

    return check


async def _warm_up(pool: ExtractionPool) -> None:
    """Start the extraction workers in the background; a failure only costs the first request."""
    try:
        await pool.start()
    except Exception:  # warm-up is an optimisation only
        log.debug("extraction pool warm-up did not finish", exc_info=True)


@asynccontextmanager
async def analysis_runtime(settings: Settings) -> AsyncIterator[AnalysisRuntime]:
    """Build the URL-analysis parts for ``settings``; close them when the block ends."""
    fetcher = Fetcher(settings)
    pool = ExtractionPool(
        settings.extract_workers, settings.extract_pool, settings.extract_cpu_budget_seconds
    )
    mode = render_mode(settings)
    renderer = Renderer(settings, fetcher=fetcher) if mode != "off" else None
    analyzer = Analyzer(fetcher, pool, renderer=renderer, render_mode=mode, platform_data=fetch_platform_data)
    warm_up = asyncio.create_task(_warm_up(pool), name="prodex-extract-warm-up")
    try:
        yield AnalysisRuntime(analyzer=analyzer, fetcher=fetcher, pool=pool, renderer=renderer)
    finally:
        warm_up.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await warm_up
        if renderer is not None:
            await renderer.aclose()
        await fetcher.aclose()
        await pool.aclose()
