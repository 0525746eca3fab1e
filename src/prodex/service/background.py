"""A process's background work, put together in one place: the task registry, the job queue, the
event hub and the resources handed to jobs; and the in-process worker.

``prodex serve`` (the app's lifespan) and ``prodex worker`` both call :func:`build_background`,
so a task or an event listener added here runs in both. Add a task with
``background.registry.register(...)`` (before :meth:`Background.open`), a listener with
``background.events.subscribe(EventType, listener)``, and what the tasks need with
``background.resources.add(obj)``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from prodex.analysis.analyzer import Analyzer
from prodex.jobs import EventHub, JobQueue, Resources, TaskRegistry, WorkerOptions, open_queue
from prodex.jobs.supervise import run_supervised
from prodex.media.service import MediaService
from prodex.service.credits import Credits
from prodex.service.import_jobs import register_import_tasks
from prodex.service.import_runner import ImportRunner
from prodex.service.products import Products
from prodex.service.slots import AnalysisSlots
from prodex.settings import Settings
from prodex.store.db import Database
from prodex.webhooks.jobs import register_webhooks

log = logging.getLogger(__name__)


@dataclass
class Background:
    """The registry, queue, events and job resources of one process (see the module docstring)."""

    settings: Settings
    database: Database
    registry: TaskRegistry = field(default_factory=TaskRegistry)
    events: EventHub = field(default_factory=EventHub)
    resources: Resources = field(default_factory=Resources)
    #: Called by :meth:`aclose` after the queue closed (what the tasks' resources must release).
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    _queue: JobQueue | None = None

    @property
    def queue(self) -> JobQueue:
        """The open job queue (after :meth:`open`)."""
        if self._queue is None:
            raise RuntimeError("the job queue is not open")
        return self._queue

    async def open(self) -> JobQueue:
        """Open the queue over every task registered so far."""
        self._queue = open_queue(self.settings, self.database, self.registry)
        await self._queue.open()
        return self._queue

    async def aclose(self) -> None:
        """Close the queue (after the worker stopped), then what :attr:`closers` name."""
        if self._queue is not None:
            queue, self._queue = self._queue, None
            await queue.aclose()
        while self.closers:
            await self.closers.pop()()

    @property
    def import_runner(self) -> ImportRunner:
        """The import runner the import tasks use."""
        return self.resources.get(ImportRunner)

    @asynccontextmanager
    async def worker(
        self, options: WorkerOptions, *, restart: bool = False
    ) -> AsyncIterator[asyncio.Task[Any]]:
        """Run a worker in this process for the duration of the block; stop it gracefully after.

        ``restart``: a worker that fails is started again (after a growing pause) instead of
        ending the task, for ``prodex serve``, whose worker has no process supervisor."""
        stop = asyncio.Event()
        self._stopping(False)
        run = partial(self.queue.run_worker, self.resources, options, stop)
        work = run_supervised(run, stop, name="the job worker") if restart else run()
        task: asyncio.Task[Any] = asyncio.create_task(work, name="prodex-jobs-worker")
        try:
            yield task
        finally:
            self._stopping(True)  # the lanes' running jobs start no new item while they drain
            stop.set()
            try:
                await asyncio.wait_for(asyncio.shield(task), options.shutdown_grace_seconds + 5)
            except TimeoutError:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            except Exception:
                log.exception("job worker ended with an error")

    def _stopping(self, stopping: bool) -> None:
        """Tell the import runner, when this process has one, whether its worker is stopping."""
        with contextlib.suppress(LookupError):
            self.import_runner.stopping = stopping


def build_background(
    settings: Settings,
    database: Database,
    *,
    credits: Credits,
    products: Products,
    slots: AnalysisSlots,
    analyzer: Analyzer | None,
    media: MediaService | None = None,
) -> Background:
    """The background parts of a process: register tasks, listeners and resources here.

    ``analyzer`` is ``None`` when URL analysis is off (import items then fail as
    ``POST /v2/product`` with a URL would); ``media`` stores the media of imported products
    (``None``: they keep their shops' URLs).
    """
    background = Background(settings=settings, database=database)
    for item in (credits, products, slots):
        background.resources.add(item)
    if analyzer is not None:
        background.resources.add(analyzer)
    register_import_tasks(background.registry, settings)
    background.resources.add(
        ImportRunner(settings, database, slots, analyzer, background.events, lambda: background.queue, media)
    )
    register_webhooks(background)
    return background
