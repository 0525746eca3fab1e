"""Turning an event into deliveries: one per enabled endpoint of the account that subscribes to it.

:meth:`WebhookEvents.emit` stores the deliveries (each with the exact signed body) and puts each
first attempt on the queue. It never raises: an event that cannot be recorded is logged, and the
request that caused it answers as it would without webhooks.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from sqlalchemy import Connection

from prodex.service.clock import utcnow
from prodex.store import webhooks as repo
from prodex.store.db import Database
from prodex.store.records import DeliveryRecord, EndpointRecord
from prodex.webhooks.events import EVENTS, event_body, new_event_id
from prodex.webhooks.scheduling import DeliveryScheduler

log = logging.getLogger(__name__)


def new_delivery_id() -> str:
    """A fresh opaque delivery id (``dlv_`` and 24 hex digits)."""
    return f"dlv_{secrets.token_hex(12)}"


def _subscribed(database: Database, account_id: int, event: str) -> list[EndpointRecord]:
    with database.read() as conn:
        return repo.subscribed_endpoints(conn, account_id, event)


def _store(conn: Connection, account_id: int, event: str, data: dict[str, Any]) -> list[DeliveryRecord]:
    """Store one delivery per subscribed endpoint (read again inside the write transaction)."""
    now = utcnow()
    endpoints = repo.subscribed_endpoints(conn, account_id, event)
    if not endpoints:
        return []
    event_id = new_event_id()
    body = event_body(event, data, event_id=event_id, at=now)
    return [
        repo.insert_delivery(
            conn,
            delivery_id=new_delivery_id(),
            endpoint_id=endpoint.id,
            event=event,
            event_id=event_id,
            payload=body,
            now=now,
        )
        for endpoint in endpoints
    ]


class WebhookEvents:
    """Emits events of an account to its endpoints (see the module docstring)."""

    def __init__(self, database: Database, scheduler: DeliveryScheduler) -> None:
        self.database = database
        self.scheduler = scheduler

    async def emit(self, account_id: int, event: str, data: dict[str, Any]) -> list[str]:
        """Deliver ``event`` with ``data`` to the account's subscribed endpoints; the delivery ids."""
        if event not in EVENTS:
            raise ValueError(f"unknown webhook event {event!r}")
        try:
            # A read first: most accounts have no endpoint, and a read costs no write lock.
            if not await self.database.run(_subscribed, self.database, account_id, event):
                return []
            deliveries = await self.database.run_in_transaction(_store, account_id, event, data)
            for delivery in deliveries:
                await self.scheduler.schedule(delivery.id, 1, delivery.created_at)
        except Exception:
            log.exception("webhook event %s of account %s could not be recorded", event, account_id)
            return []
        return [delivery.id for delivery in deliveries]
