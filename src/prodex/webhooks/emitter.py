"""Emitting an event: when the account has an endpoint that subscribes to it, one fan-out job is
put on the queue with the event's exact body (:mod:`prodex.webhooks.fanout` turns it into
deliveries). The event is then as durable as the queue: nothing is stored before the job is.

:meth:`WebhookEvents.emit` never raises: an event that cannot be queued is logged, and the
request that caused it answers as it would without webhooks.
"""

from __future__ import annotations

import logging
from typing import Any

from prodex.service.clock import utcnow
from prodex.store import webhooks as repo
from prodex.store.db import Database
from prodex.store.records import EndpointRecord
from prodex.webhooks.events import EVENTS, event_body, new_event_id
from prodex.webhooks.scheduling import DeliveryScheduler, fan_out_job

log = logging.getLogger(__name__)


def _subscribed(database: Database, account_id: int, event: str) -> list[EndpointRecord]:
    with database.read() as conn:
        return repo.subscribed_endpoints(conn, account_id, event)


class WebhookEvents:
    """Emits events of an account to its endpoints (see the module docstring)."""

    def __init__(self, database: Database, scheduler: DeliveryScheduler) -> None:
        self.database = database
        self.scheduler = scheduler

    async def emit(self, account_id: int, event: str, data: dict[str, Any]) -> str | None:
        """Send ``event`` with ``data`` to the account's subscribed endpoints; the event's id, or
        ``None`` when no endpoint subscribes to it (or it could not be queued)."""
        if event not in EVENTS:
            raise ValueError(f"unknown webhook event {event!r}")
        try:
            # Most accounts have no endpoint: a read, and no job, for them.
            if not await self.database.run(_subscribed, self.database, account_id, event):
                return None
            event_id = new_event_id()
            body = event_body(event, data, event_id=event_id, at=utcnow())
            await self.scheduler.fan_out(fan_out_job(account_id, event, event_id, body))
        except Exception:
            log.exception("webhook event %s of account %s could not be queued", event, account_id)
            return None
        return event_id
