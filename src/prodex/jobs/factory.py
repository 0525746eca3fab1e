"""Pick the queue backend from the database, and the worker options from the settings."""

from __future__ import annotations

from prodex.jobs.base import JobQueue, WorkerOptions
from prodex.jobs.registry import TaskRegistry
from prodex.settings import Settings
from prodex.store.db import Database


def open_queue(settings: Settings, database: Database, registry: TaskRegistry) -> JobQueue:
    """The queue for ``database``: procrastinate on PostgreSQL, the embedded queue on SQLite.

    Register every task in ``registry`` first; call ``await queue.open()`` before use.
    """
    if database.is_sqlite:
        from prodex.jobs.sql_queue import SqlJobQueue

        return SqlJobQueue(registry, database)
    from prodex.jobs.pg_queue import ProcrastinateQueue

    return ProcrastinateQueue(
        registry, settings.effective_database_url, pool_size=max(2, settings.db_pool_size // 2)
    )


def worker_options(settings: Settings, *, concurrency: int | None = None) -> WorkerOptions:
    """The worker options the settings ask for (``concurrency`` overrides PRODEX_JOBS_CONCURRENCY)."""
    return WorkerOptions(
        concurrency=concurrency or settings.jobs_concurrency,
        heartbeat_seconds=settings.jobs_heartbeat_seconds,
        stalled_seconds=settings.jobs_stalled_seconds,
        poll_seconds=settings.jobs_poll_seconds,
        shutdown_grace_seconds=settings.shutdown_grace_seconds,
    )
