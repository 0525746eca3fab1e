"""Everything webhooks need while the app runs, built and closed in one place.

``async with webhook_runtime(settings, database) as hooks:`` gives ``hooks.events`` (emit
events), ``hooks.delivery`` (what an attempt needs; the job queue's task calls
:func:`~prodex.webhooks.delivery.attempt_delivery` with it) and closes the sender's connections
and any waiting attempt at the end.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial

from prodex.fetch.fetcher import Fetcher
from prodex.settings import Settings
from prodex.store.db import Database
from prodex.webhooks.delivery import DeliveryRuntime, attempt_delivery
from prodex.webhooks.emitter import WebhookEvents
from prodex.webhooks.inprocess import InProcessScheduler
from prodex.webhooks.sender import WebhookSender


@dataclass(frozen=True, slots=True)
class WebhookRuntime:
    """The emitter and the delivery runtime of one process."""

    events: WebhookEvents
    delivery: DeliveryRuntime


@asynccontextmanager
async def webhook_runtime(
    settings: Settings, database: Database, *, fetcher: Fetcher | None = None
) -> AsyncIterator[WebhookRuntime]:
    """Build the sender (on ``fetcher``, default a new one), the scheduler and the emitter; close
    them at the end."""
    sender = WebhookSender(settings, fetcher)
    scheduler = InProcessScheduler()
    delivery = DeliveryRuntime(settings=settings, database=database, sender=sender, scheduler=scheduler)
    scheduler.bind(partial(attempt_delivery, delivery))
    try:
        yield WebhookRuntime(events=WebhookEvents(database, scheduler), delivery=delivery)
    finally:
        await scheduler.aclose()
        await sender.aclose()
