"""The embedded queue: jobs in the ``queue_jobs`` table of the embedded SQLite database, run by
in-process workers (``prodex serve``, ``prodex worker``, several processes on one machine).

Why not the library: procrastinate, the queue of PostgreSQL deployments, runs on PostgreSQL
only (LISTEN/NOTIFY, PL/pgSQL functions, row locks), and the embedded default must need no extra
server. So on SQLite the same :class:`~prodex.jobs.base.JobQueue` API runs over one durable table:
a claim is one ``BEGIN IMMEDIATE`` transaction (SQLite's single writer makes it atomic across the
processes of the machine); workers refresh a heartbeat on the jobs they run, and the jobs of a
worker that fell silent for ``stalled_seconds`` (killed, machine restarted) are queued again.
Jobs deferred in this process wake its worker at once; other processes' jobs are seen within
``poll_seconds``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Coroutine, Sequence
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from prodex.jobs.base import Deferral, JobQueue, WorkerOptions
from prodex.jobs.registry import JobContext, Resources, TaskRegistry
from prodex.service.clock import utcnow
from prodex.store import queue as repo
from prodex.store.db import Database

log = logging.getLogger(__name__)


class SqlJobQueue(JobQueue):
    """The embedded queue over ``queue_jobs`` (see the module docstring)."""

    backend = "embedded"

    def __init__(self, registry: TaskRegistry, database: Database) -> None:
        super().__init__(registry)
        self.database = database
        self._wake = asyncio.Event()

    async def open(self) -> None:
        """Nothing to open: the queue uses the database's own connections."""

    async def aclose(self) -> None:
        """Nothing to close (the database belongs to the caller)."""

    async def defer_many(self, deferrals: Sequence[Deferral]) -> list[str]:
        """Queue several jobs in one transaction; returns their ids."""
        for deferral in deferrals:
            self.check_task(deferral.task)
        now = time.time()
        rows = [
            (d.task, dict(d.payload), d.run_at.timestamp() if d.run_at else now, d.lock) for d in deferrals
        ]
        ids = await self.database.run_in_transaction(repo.insert_jobs, rows, utcnow())
        self._wake.set()
        return [str(i) for i in ids]

    async def pending(self) -> int:
        """How many jobs wait or run."""

        def count() -> int:
            with self.database.read() as conn:
                return repo.count_pending(conn)

        return await self.database.run(count)

    async def run_worker(self, resources: Resources, options: WorkerOptions, stop: asyncio.Event) -> None:
        """Claim and run jobs until ``stop`` is set (see :meth:`JobQueue.run_worker`)."""
        worker = uuid.uuid4().hex
        running: dict[asyncio.Task[None], int] = {}
        beating = asyncio.create_task(self._heartbeat(worker, options), name="prodex-jobs-heartbeat")
        try:
            await self.database.run_in_transaction(
                repo.requeue_stalled, time.time() - options.stalled_seconds
            )
            while not stop.is_set():
                self._wake.clear()
                free = options.concurrency - len(running)
                claimed: list[repo.QueuedJob] = []
                if free > 0:
                    claimed = await self._claim(worker, free)
                for job in claimed:
                    task = asyncio.create_task(self._run(job, resources), name=f"prodex-job-{job.id}")
                    running[task] = job.id
                    task.add_done_callback(lambda done: self._finished(running, done))
                if claimed and len(claimed) == free:
                    await asyncio.sleep(0)
                    continue
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(options.poll_seconds):
                        await _first(self._wake.wait(), stop.wait())
        finally:
            await self._drain(running, options.shutdown_grace_seconds)
            beating.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await beating

    async def _claim(self, worker: str, limit: int) -> list[repo.QueuedJob]:
        """Claim up to ``limit`` due jobs; none when the database is busy or unreachable for now
        (a long write of another process: the worker goes on and tries again at its next poll)."""
        try:
            return await self.database.run_in_transaction(repo.claim_jobs, worker, limit, time.time())
        except SQLAlchemyError:
            log.warning("claiming jobs failed; trying again", exc_info=True)
            return []

    def _finished(self, running: dict[asyncio.Task[None], int], task: asyncio.Task[None]) -> None:
        running.pop(task, None)
        self._wake.set()

    async def _run(self, job: repo.QueuedJob, resources: Resources) -> None:
        """Run one claimed job and record its outcome (a cut-off job goes back to the queue; an
        outcome that cannot be recorded leaves the job ``doing`` until the stalled-job sweep)."""
        task = self.registry.tasks.get(job.task)
        try:
            if task is None:
                await self.database.run_in_transaction(repo.fail_job, job.id, f"no task {job.task!r} here")
                return
            context = JobContext(str(job.id), job.task, job.attempts + 1, resources)
            try:
                await task.handler(context, job.payload)
            except asyncio.CancelledError:
                await asyncio.shield(
                    self.database.run_in_transaction(
                        repo.reschedule_job, job.id, time.time(), count_attempt=False
                    )
                )
                raise
            except Exception as error:
                await self._failed(job, task.retry.delay_after(job.attempts + 1, error), error)
            else:
                await self.database.run_in_transaction(repo.finish_job, job.id)
        except SQLAlchemyError:
            log.exception("the outcome of job %s (%s) could not be recorded", job.id, job.task)

    async def _failed(self, job: repo.QueuedJob, delay: float | None, error: Exception) -> None:
        """Record a failed run: again after ``delay`` seconds, or given up (``None``)."""
        if delay is None:
            log.warning("job %s (%s) failed for good: %r", job.id, job.task, error)
            await self.database.run_in_transaction(repo.fail_job, job.id, repr(error))
        else:
            log.info("job %s (%s) failed, again in %.1f s: %r", job.id, job.task, delay, error)
            await self.database.run_in_transaction(
                repo.reschedule_job, job.id, time.time() + delay, count_attempt=True
            )

    async def _heartbeat(self, worker: str, options: WorkerOptions) -> None:
        """Refresh this worker's jobs and take back those of silent workers, every heartbeat."""
        while True:
            await asyncio.sleep(options.heartbeat_seconds)
            try:
                now = time.time()
                await self.database.run_in_transaction(repo.beat, worker, now)
                taken = await self.database.run_in_transaction(
                    repo.requeue_stalled, now - options.stalled_seconds
                )
                if taken:
                    log.warning("%d job(s) of a silent worker queued again", taken)
                    self._wake.set()
            except Exception:
                log.exception("job queue heartbeat failed")

    @staticmethod
    async def _drain(running: dict[asyncio.Task[None], int], grace: float) -> None:
        """Let running jobs finish within ``grace`` seconds, then cut the rest off."""
        tasks = list(running)
        if not tasks:
            return
        _done, late = await asyncio.wait(tasks, timeout=grace)
        for task in late:
            task.cancel()
        if late:
            await asyncio.wait(late)


async def _first(*waits: Coroutine[Any, Any, Any]) -> None:
    """Wait until the first of the given coroutines completes; cancel the others."""
    tasks = [asyncio.ensure_future(w) for w in waits]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
