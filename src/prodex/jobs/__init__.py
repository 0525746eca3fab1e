"""The durable job queue of imports and webhook deliveries.

A small API over two backends with the same behaviour::

    registry = TaskRegistry()

    @registry.task("deliver_webhook", retry=RetryPolicy(attempts=6, first_delay=60, factor=3))
    async def deliver(context: JobContext, payload: dict[str, Any]) -> None:
        sender = context.get(WebhookSender)      # a resource the worker was given
        ...

    queue = open_queue(settings, database, registry)  # after every task is registered
    await queue.open()
    await queue.defer("deliver_webhook", {"delivery_id": 7}, run_at=later, lock=None)
    await queue.run_worker(Resources(sender), worker_options(settings), stop_event)

- **Tasks** are registered by name (:class:`TaskRegistry`) with a :class:`RetryPolicy`; a handler
  gets a :class:`JobContext` (job id, attempt from 1, the worker's :class:`Resources`) and the
  JSON payload. A handler runs at least once per deferral: a job cut off by a crash or a shut-down
  runs again, so handlers must be idempotent. ``RetryLater(seconds)`` asks for another run.
- **Defer** with :meth:`JobQueue.defer` / :meth:`JobQueue.defer_many`: a JSON payload, an optional
  earliest start (``run_at``, aware datetime) and an optional ``lock`` (jobs with one lock never
  run at once, and run in deferral order).
- **Workers** run in-process (``prodex serve`` starts one unless ``PRODEX_JOBS_WORKER=false``) or
  as ``prodex worker``, on any number of processes and machines.
- **Backends** (:func:`open_queue` picks one from the database URL): on PostgreSQL, procrastinate
  (:mod:`prodex.jobs.pg_queue`), a maintained job-queue library; on the embedded SQLite default,
  an in-process runner over the durable ``queue_jobs`` table (:mod:`prodex.jobs.sql_queue`),
  because procrastinate needs PostgreSQL. Both keep jobs across restarts and take back the jobs of
  a worker that died (heartbeats).
- **Events** (:mod:`prodex.jobs.events`): :class:`~prodex.jobs.events.EventHub` with
  :class:`~prodex.jobs.events.ImportItemFinished` and :class:`~prodex.jobs.events.ImportCompleted`,
  published by the import code after each item and at the end of each import. Subscribe in
  :func:`prodex.service.background.build_background`, the one place where a process's queue,
  tasks and listeners are put together (``prodex serve`` and ``prodex worker`` both call it).
"""

from __future__ import annotations

from prodex.jobs.base import Deferral, JobQueue, WorkerOptions
from prodex.jobs.events import EventHub, ImportCompleted, ImportItemFinished
from prodex.jobs.factory import open_queue, worker_options
from prodex.jobs.registry import (
    JobContext,
    Resources,
    RetryLater,
    RetryPolicy,
    Task,
    TaskRegistry,
)

__all__ = [
    "Deferral",
    "EventHub",
    "ImportCompleted",
    "ImportItemFinished",
    "JobContext",
    "JobQueue",
    "Resources",
    "RetryLater",
    "RetryPolicy",
    "Task",
    "TaskRegistry",
    "WorkerOptions",
    "open_queue",
    "worker_options",
]
