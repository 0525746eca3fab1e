"""The queue of PostgreSQL deployments: procrastinate (https://procrastinate.readthedocs.io).

Every registered task becomes a procrastinate task whose job carries ``{"payload": ...}``; the
payload, the earliest start and the lock map onto procrastinate's own (a lock is procrastinate's
``lock``: jobs that share one never run at the same time, in the order they were deferred).
Workers on any number of machines share the jobs through PostgreSQL (``FOR UPDATE SKIP LOCKED``,
LISTEN/NOTIFY). Procrastinate keeps a heartbeat per worker; every worker here also looks, once per
heartbeat, for jobs left ``doing`` by a worker silent for ``stalled_seconds`` (killed, machine
gone) and queues them again (procrastinate's documented stalled-jobs recipe). A job cut off at
shut-down is deferred again before the worker exits. A worker waits for a new job's notification
(or its polling interval) once every job it could fetch is held back by a lock; so when a job with
a lock ends, the worker announces it on procrastinate's channel, and every worker looks again at
once (an import's next item on that host starts without waiting for a poll). Procrastinate's
schema is created by the
migration ``0004`` (``procrastinate_schema``); its tables are not part of prodex's own metadata.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import procrastinate
import psycopg
from procrastinate.jobs import Job
from procrastinate.manager import get_channel_for_queues
from procrastinate.retry import BaseRetryStrategy, RetryDecision
from procrastinate.schema import SchemaManager
from sqlalchemy.engine import make_url

from prodex.jobs.base import Deferral, JobQueue, WorkerOptions
from prodex.jobs.registry import JobContext, Resources, RetryPolicy, Task, TaskRegistry

log = logging.getLogger(__name__)
RESOURCES_KEY = "prodex_resources"
FETCH_POLL_SECONDS = 0.1
#: Undo procrastinate's schema (the downgrade of migration 0004); ``%`` doubled as in procrastinate_schema.
PROCRASTINATE_DROP = """
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT oid::regprocedure AS sig FROM pg_proc
             WHERE proname LIKE 'procrastinate%%' AND pronamespace = 'public'::regnamespace LOOP
        EXECUTE 'DROP FUNCTION IF EXISTS ' || r.sig || ' CASCADE';
    END LOOP;
    FOR r IN SELECT tablename FROM pg_tables
             WHERE tablename LIKE 'procrastinate%%' AND schemaname = 'public' LOOP
        EXECUTE 'DROP TABLE IF EXISTS ' || quote_ident(r.tablename) || ' CASCADE';
    END LOOP;
    FOR r IN SELECT typname FROM pg_type
             WHERE typname LIKE 'procrastinate%%' AND typnamespace = 'public'::regnamespace
               AND typtype IN ('e', 'c') LOOP
        EXECUTE 'DROP TYPE IF EXISTS ' || quote_ident(r.typname) || ' CASCADE';
    END LOOP;
END $$;
"""


#: An index prodex adds to procrastinate's jobs table: procrastinate's fetch skips a job while an
#: earlier job of its lock waits, and without an index led by the lock that look-up scans every
#: earlier job: with thousands of queued import items, fetching a job cost tens of milliseconds.
LOCK_ORDER_INDEX = (
    "CREATE INDEX IF NOT EXISTS prodex_procrastinate_jobs_lock_id ON procrastinate_jobs (lock, id) "
    "WHERE status = 'todo' OR status = 'doing'"
)


def procrastinate_schema() -> str:
    """The SQL that creates procrastinate's schema (tables, functions, triggers), for a driver call
    with parameters (``%`` doubled)."""
    return str(SchemaManager.get_schema()).replace("%", "%%")


def _conninfo(database_url: str) -> str:
    """A libpq connection string from a SQLAlchemy PostgreSQL URL."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _autocommit(connection: psycopg.AsyncConnection[Any]) -> None:
    """Put a new connection of procrastinate's pool in autocommit mode: each of procrastinate's
    pooled queries is one statement (most call one of its functions), atomic on its own, and
    without autocommit psycopg wraps each in BEGIN and COMMIT: two more round trips per query.
    (A pool option, not a connection argument: procrastinate's listener opens its own connection
    with the pool's connection arguments plus ``autocommit=True``.)"""
    await connection.set_autocommit(True)


class _Retry(BaseRetryStrategy):
    """A :class:`RetryPolicy` as procrastinate's retry strategy."""

    def __init__(self, policy: RetryPolicy) -> None:
        self.policy = policy

    def get_retry_decision(self, *, exception: BaseException, job: Job) -> RetryDecision | None:
        delay = self.policy.delay_after(job.attempts + 1, exception)
        if delay is None:
            return None
        return RetryDecision(retry_at=datetime.now(UTC) + timedelta(seconds=delay))


class ProcrastinateQueue(JobQueue):
    """The :class:`JobQueue` API on procrastinate (see the module docstring)."""

    backend = "procrastinate"

    def __init__(self, registry: TaskRegistry, database_url: str, *, pool_size: int = 10) -> None:
        super().__init__(registry)
        connector = procrastinate.PsycopgConnector(
            conninfo=_conninfo(database_url),
            min_size=1,
            max_size=max(2, pool_size),
            configure=_autocommit,
        )
        self.app = procrastinate.App(connector=connector)
        self._channel = next(iter(get_channel_for_queues(None)))
        self._notifications: set[asyncio.Task[None]] = set()
        for task in registry.tasks.values():
            self._register(task)

    def _register(self, task: Task) -> None:
        queue = self

        async def run(context: procrastinate.JobContext, payload: dict[str, Any]) -> None:
            job = context.job
            resources = context.additional_context[RESOURCES_KEY]
            ctx = JobContext(str(job.id), task.name, job.attempts + 1, resources)
            try:
                await task.handler(ctx, payload)
            except asyncio.CancelledError:
                await asyncio.shield(queue._defer_again(job, payload))
                raise

        retry = _Retry(task.retry) if task.retry.attempts > 1 else False
        self.app.task(name=task.name, pass_context=True, retry=retry)(run)

    async def _defer_again(self, job: Job, payload: dict[str, Any]) -> None:
        """Queue a job that was cut off at shut-down once more."""
        await self.defer(job.task_name, payload, lock=job.lock)
        log.info("job %s (%s) cut off at shut-down, deferred again", job.id, job.task_name)

    async def open(self) -> None:
        """Open procrastinate's connection pool."""
        await self.app.open_async()

    async def aclose(self) -> None:
        """Close procrastinate's connection pool."""
        await self.app.close_async()

    async def defer_many(self, deferrals: Sequence[Deferral]) -> list[str]:
        """Queue several jobs in one statement; returns their ids."""
        jobs: list[Job] = []
        for deferral in deferrals:
            self.check_task(deferral.task)
            deferrer = self.app.configure_task(deferral.task, lock=deferral.lock, schedule_at=deferral.run_at)
            jobs.append(deferrer.make_new_job(payload=dict(deferral.payload)))
        if not jobs:
            return []
        stored = await self.app.job_manager.batch_defer_jobs_async(jobs)
        return [str(job.id) for job in stored]

    async def pending(self) -> int:
        """How many jobs wait or run."""
        row = await self.app.connector.execute_query_one_async(
            "SELECT count(*) AS n FROM procrastinate_jobs WHERE status IN ('todo', 'doing')"
        )
        return int(row["n"])

    async def run_worker(self, resources: Resources, options: WorkerOptions, stop: asyncio.Event) -> None:
        """Run procrastinate's worker until ``stop`` is set (see :meth:`JobQueue.run_worker`)."""
        worker = asyncio.create_task(
            self.app.run_worker_async(
                concurrency=options.concurrency,
                wait=True,
                install_signal_handlers=False,
                additional_context={RESOURCES_KEY: resources},
                update_heartbeat_interval=options.heartbeat_seconds,
                stalled_worker_timeout=options.stalled_seconds,
                # A wake-up that arrives while the worker is fetching is lost (procrastinate clears
                # its event after each fetch), so poll often: with only the heads of the import
                # lanes queued, an empty fetch is cheap.
                fetch_job_polling_interval=min(options.poll_seconds, FETCH_POLL_SECONDS),
                shutdown_graceful_timeout=options.shutdown_grace_seconds,
                delete_jobs="successful",
                worker_middleware=[self._announce_released_lock],
            ),
            name="prodex-procrastinate-worker",
        )
        sweeper = asyncio.create_task(self._requeue_stalled(options), name="prodex-jobs-stalled")
        try:
            stopping = asyncio.ensure_future(stop.wait())
            await asyncio.wait((worker, stopping), return_when=asyncio.FIRST_COMPLETED)
            stopping.cancel()
        finally:
            sweeper.cancel()
            worker.cancel()
            for task in (sweeper, worker):
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def _announce_released_lock(
        self, call_next: Callable[[], Awaitable[Any]], context: procrastinate.JobContext, worker: object
    ) -> Any:
        """Worker middleware: once a job with a lock is over (its status stored, when the job's
        task ends), notify the workers that a job may be fetched."""
        try:
            return await call_next()
        finally:
            job_task = asyncio.current_task()
            if context.job.lock is not None and job_task is not None:
                job_task.add_done_callback(self._notify_later)

    def _notify_later(self, _task: asyncio.Task[Any]) -> None:
        task = asyncio.create_task(self._notify(), name="prodex-jobs-lock-released")
        self._notifications.add(task)
        task.add_done_callback(self._notifications.discard)

    async def _notify(self) -> None:
        payload = orjson.dumps({"type": "job_inserted", "job_id": 0}).decode()
        try:
            await self.app.connector.execute_query_async(
                "SELECT pg_notify(%(channel)s, %(payload)s)", channel=self._channel, payload=payload
            )
        except Exception:
            log.debug("could not announce a released lock", exc_info=True)

    async def _requeue_stalled(self, options: WorkerOptions) -> None:
        """Queue again the jobs of workers silent for ``stalled_seconds``, once per heartbeat."""
        manager = self.app.job_manager
        while True:
            try:
                for job in await manager.get_stalled_jobs(seconds_since_heartbeat=options.stalled_seconds):
                    log.warning("job %s (%s) of a silent worker queued again", job.id, job.task_name)
                    await manager.retry_job(job)
            except Exception:
                log.exception("looking for stalled jobs failed")
            await asyncio.sleep(options.heartbeat_seconds)
