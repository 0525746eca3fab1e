"""Webhooks on the job queue (:mod:`prodex.jobs`): every delivery attempt is a job.

:func:`register_webhooks` is called by :func:`prodex.service.background.build_background`, so
``prodex serve`` and ``prodex worker`` both know the task, on the embedded SQLite queue as on
procrastinate over PostgreSQL: an event's fan-out job is deferred when it is emitted, it defers
attempt 1 of each delivery, attempt ``n + 1`` is deferred with the backoff's ``run_at`` when
attempt ``n`` failed, and any worker of any process runs them.
It also turns each finished import (:class:`~prodex.jobs.events.ImportCompleted`) into a
``product_import_completed`` event whose data is the import as the API shows it (its serialiser,
:func:`prodex.api.import_schemas.import_info`, is the one place that shape is written).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from prodex.api.import_schemas import import_info
from prodex.fetch.fetcher import Fetcher
from prodex.jobs import ImportCompleted, JobContext, JobQueue, RetryPolicy
from prodex.service.imports import ImportView
from prodex.store import imports as imports_repo
from prodex.store.db import Database
from prodex.webhooks.delivery import DeliveryRuntime, attempt_delivery
from prodex.webhooks.emitter import WebhookEvents
from prodex.webhooks.events import PRODUCT_IMPORT_COMPLETED
from prodex.webhooks.fanout import fan_out
from prodex.webhooks.scheduling import DELIVERY_TASK, FAN_OUT_TASK, delivery_job
from prodex.webhooks.sender import WebhookSender

if TYPE_CHECKING:
    from prodex.service.background import Background

#: Runs of a webhook job when its work cannot be done (the database is down, the worker died):
#: the delivery's own backoff counts the attempts that reached the receiver or its guard.
ATTEMPT_JOB_RETRY = RetryPolicy(attempts=5, first_delay=10.0, factor=3.0, max_delay=900.0)


class QueueScheduler:
    """The :class:`~prodex.webhooks.scheduling.DeliveryScheduler` on the job queue."""

    def __init__(self, queue: Callable[[], JobQueue]) -> None:
        self._queue = queue

    async def fan_out(self, job: dict[str, Any]) -> None:
        """Defer an event's fan-out job, to run at once."""
        await self._queue().defer(FAN_OUT_TASK, job)

    async def schedule(self, delivery_id: str, attempt: int, run_at: datetime) -> None:
        """Defer the job of attempt ``attempt`` of ``delivery_id`` to run at ``run_at``."""
        await self._queue().defer(DELIVERY_TASK, delivery_job(delivery_id, attempt), run_at=run_at)


async def deliver(context: JobContext, payload: dict[str, Any]) -> None:
    """The task: make the attempt the payload names (idempotent: a stale one is skipped)."""
    runtime = context.get(DeliveryRuntime)
    await attempt_delivery(runtime, str(payload["delivery_id"]), int(payload["attempt"]))


async def fan_out_task(context: JobContext, payload: dict[str, Any]) -> None:
    """The task: store an event's deliveries and defer their first attempts (idempotent)."""
    await fan_out(context.get(DeliveryRuntime), payload)


def import_completed_data(database: Database, job_id: str) -> dict[str, Any] | None:
    """``data`` of ``product_import_completed``: the import as ``GET /v2/products/imports`` lists it
    (status, total, counts, source, times; no items), or ``None`` when it no longer exists."""
    with database.read() as conn:
        record = imports_repo.get_import(conn, None, job_id)
        if record is None:
            return None
        counts = imports_repo.item_counts(conn, [job_id])[job_id]
    return import_info(ImportView(record=record, counts=counts))


def register_webhooks(background: Background, *, fetcher: Fetcher | None = None) -> WebhookEvents:
    """Register the delivery task, its resources and the import listener on ``background``; the
    emitter (also in ``background.resources``). ``fetcher`` replaces the sender's own (tests)."""
    sender = WebhookSender(background.settings, fetcher)
    scheduler = QueueScheduler(lambda: background.queue)
    runtime = DeliveryRuntime(background.settings, background.database, sender, scheduler)
    events = WebhookEvents(background.database, scheduler)
    background.registry.register(FAN_OUT_TASK, fan_out_task, retry=ATTEMPT_JOB_RETRY)
    background.registry.register(DELIVERY_TASK, deliver, retry=ATTEMPT_JOB_RETRY)
    background.resources.add(runtime)
    background.resources.add(events)
    background.closers.append(sender.aclose)

    async def on_import_completed(event: ImportCompleted) -> None:
        database = background.database
        data = await database.run(import_completed_data, database, event.job_id)
        if data is not None:
            await events.emit(event.account_id, PRODUCT_IMPORT_COMPLETED, data)

    background.events.subscribe(ImportCompleted, on_import_completed)
    return events
